// rewardguard/policy/internal/status.h
//
// Positioned errors for the loader: every one is an InvalidArgument whose
// message reads "FILE:LINE:COL: message".
#ifndef REWARDGUARD_POLICY_INTERNAL_STATUS_H_
#define REWARDGUARD_POLICY_INTERNAL_STATUS_H_

#include <string_view>

#include "absl/status/status.h"
#include "rewardguard/core/strings.h"
#include "rewardguard/policy/compiled_policy.h"

namespace rewardguard {
namespace policy_internal {

inline absl::Status ErrorAt(std::string_view source, SourcePosition pos,
                            std::string_view message) {
  return absl::InvalidArgumentError(
      StrCat(source, ":", pos.line, ":", pos.column, ": ", message));
}

}  // namespace policy_internal
}  // namespace rewardguard

#define RG_POLICY_RETURN_IF_ERROR(expr)          \
  do {                                           \
    ::absl::Status rg_status_ = (expr);          \
    if (!rg_status_.ok()) return rg_status_;     \
  } while (0)

#endif  // REWARDGUARD_POLICY_INTERNAL_STATUS_H_
