// rewardguard/policy/internal/parser.h
//
// Stage 1 of the loader: YAML text -> PolicyAst. Checks the shape of the file
// (known keys, no duplicate keys, types, required keys) and the syntax of
// values that need no context (actions, numbers, ports, CIDRs, regexes,
// argument paths, capability-name syntax). Name resolution (capabilities,
// categories, ids) is the compiler's job.
#ifndef REWARDGUARD_POLICY_INTERNAL_PARSER_H_
#define REWARDGUARD_POLICY_INTERNAL_PARSER_H_

#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "rewardguard/policy/internal/ast.h"

namespace rewardguard {
namespace policy_internal {

// Errors are InvalidArgument("SOURCE:LINE:COL: message").
absl::StatusOr<PolicyAst> ParsePolicy(std::string_view text,
                                      std::string_view source_name);

// `$.a.b` -> "/a/b", `$.args[0]` -> "/args/0", `$['x.y']` -> "/x.y"; `~` and
// `/` in keys are escaped per RFC 6901. nullopt if `path` is not of that form
// (including the bare `$`, which would name the whole argument object).
std::optional<std::string> ArgumentPathToJsonPointer(std::string_view path);

}  // namespace policy_internal
}  // namespace rewardguard

#endif  // REWARDGUARD_POLICY_INTERNAL_PARSER_H_
