// rewardguard/policy/internal/compiler.h
//
// Stage 2 of the loader: PolicyAst -> CompiledPolicy. Resolves names
// (capabilities, categories, ids), builds the capability graph (builtin
// taxonomy first, in order, then the policy's own capabilities in file order),
// ancestor bitsets, per-capability rule lists and category columns.
#ifndef REWARDGUARD_POLICY_INTERNAL_COMPILER_H_
#define REWARDGUARD_POLICY_INTERNAL_COMPILER_H_

#include <memory>
#include <string_view>

#include "absl/status/statusor.h"
#include "rewardguard/policy/compiled_policy.h"
#include "rewardguard/policy/internal/ast.h"

namespace rewardguard {

// The only writer of CompiledPolicy's fields (it is CompiledPolicy's friend).
class PolicyCompiler {
 public:
  // Errors are InvalidArgument("SOURCE:LINE:COL: message"), positioned at the
  // value that is wrong.
  static absl::StatusOr<std::shared_ptr<const CompiledPolicy>> Compile(
      policy_internal::PolicyAst ast, std::string_view source_name,
      std::string_view source_text);
};

}  // namespace rewardguard

#endif  // REWARDGUARD_POLICY_INTERNAL_COMPILER_H_
