// rewardguard/policy/loader.h
//
// Policy files in, compiled policies out, in named stages (as Cedar does):
//
//   text --parse--> AST (positions kept) --validate--> --compile--> CompiledPolicy
//
//   auto policy = LoadPolicyFile("sandbox.yaml");
//   if (!policy.ok()) {
//     // "sandbox.yaml:12:5: unknown key `matc` in rule; expected one of: ..."
//     std::cerr << policy.status().message();
//   }
//   auto builtin = LoadBuiltinPolicy("coding-sandbox");
//
// Every error is an InvalidArgument (NotFound for a missing file or unknown
// built-in) whose message starts with `file:line:column: ` and says what was
// expected. An unknown key is an error, never a silent default.
#ifndef REWARDGUARD_POLICY_LOADER_H_
#define REWARDGUARD_POLICY_LOADER_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "rewardguard/policy/compiled_policy.h"

namespace rewardguard {

using PolicyPtr = std::shared_ptr<const CompiledPolicy>;

// `text` is YAML; `source_name` is used in error messages.
absl::StatusOr<PolicyPtr> LoadPolicyText(std::string_view text,
                                         std::string_view source_name);
absl::StatusOr<PolicyPtr> LoadPolicyFile(const std::string& path);
// One of BuiltinPolicyNames().
absl::StatusOr<PolicyPtr> LoadBuiltinPolicy(std::string_view name);
// A built-in name if `name_or_path` is one, else a file path.
absl::StatusOr<PolicyPtr> LoadPolicy(const std::string& name_or_path);

std::vector<std::string> BuiltinPolicyNames();

}  // namespace rewardguard

#endif  // REWARDGUARD_POLICY_LOADER_H_
