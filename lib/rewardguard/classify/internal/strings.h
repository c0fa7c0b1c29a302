// rewardguard/classify/internal/strings.h
//
// Small std::string_view helpers for classify/ (Debian's abseil has its own
// string_view type, so absl's string functions do not take std's).
#ifndef REWARDGUARD_CLASSIFY_INTERNAL_STRINGS_H_
#define REWARDGUARD_CLASSIFY_INTERNAL_STRINGS_H_

#include <initializer_list>
#include <string>
#include <string_view>

#include "absl/strings/string_view.h"

namespace rewardguard {
namespace classify_internal {

// For heterogeneous lookups in absl containers keyed by std::string.
inline absl::string_view AV(std::string_view s) { return absl::string_view(s.data(), s.size()); }

inline bool StartsWith(std::string_view s, std::string_view p) { return s.starts_with(p); }
inline bool EndsWith(std::string_view s, std::string_view p) { return s.ends_with(p); }
inline bool Contains(std::string_view s, std::string_view p) {
  return s.find(p) != std::string_view::npos;
}

inline std::string Cat(std::initializer_list<std::string_view> parts) {
  size_t n = 0;
  for (std::string_view p : parts) n += p.size();
  std::string out;
  out.reserve(n);
  for (std::string_view p : parts) out.append(p.data(), p.size());
  return out;
}
template <typename... T>
std::string StrCat(const T&... parts) {
  return Cat({std::string_view(parts)...});
}

inline std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}
inline std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return out;
}

}  // namespace classify_internal
}  // namespace rewardguard

#endif  // REWARDGUARD_CLASSIFY_INTERNAL_STRINGS_H_
