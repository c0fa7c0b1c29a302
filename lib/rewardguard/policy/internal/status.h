// rewardguard/policy/internal/status.h
//
// Positioned errors for the loader: every one is an InvalidArgument whose
// message reads "FILE:LINE:COL: message".
#ifndef REWARDGUARD_POLICY_INTERNAL_STATUS_H_
#define REWARDGUARD_POLICY_INTERNAL_STATUS_H_

#include <string>
#include <string_view>
#include <type_traits>

#include "absl/status/status.h"
#include "rewardguard/policy/compiled_policy.h"

namespace rewardguard {
namespace policy_internal {

// Debian's abseil is built with its own absl::string_view class (not an alias
// of std::string_view), so absl::StrCat/StrJoin do not take std::string_view.
// These do.
inline void AppendPiece(std::string* out, std::string_view s) { out->append(s); }
template <typename I, std::enable_if_t<std::is_integral_v<I>, int> = 0>
void AppendPiece(std::string* out, I value) {
  out->append(std::to_string(value));
}

template <typename... T>
std::string Cat(const T&... parts) {
  std::string out;
  (AppendPiece(&out, parts), ...);
  return out;
}

template <typename Container>
std::string Join(const Container& items, std::string_view separator) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out.append(separator);
    AppendPiece(&out, item);
  }
  return out;
}

inline absl::Status ErrorAt(std::string_view source, SourcePosition pos,
                            std::string_view message) {
  return absl::InvalidArgumentError(
      Cat(source, ":", pos.line, ":", pos.column, ": ", message));
}

}  // namespace policy_internal
}  // namespace rewardguard

#define RG_POLICY_RETURN_IF_ERROR(expr)          \
  do {                                           \
    ::absl::Status rg_status_ = (expr);          \
    if (!rg_status_.ok()) return rg_status_;     \
  } while (0)

#endif  // REWARDGUARD_POLICY_INTERNAL_STATUS_H_
