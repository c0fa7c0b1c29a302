// rewardguard/core/strings.h
//
// Small string helpers over std::string_view, named as abseil names them.
// (Debian's abseil is built with its own absl::string_view class, not an
// alias of std::string_view, so absl::StrCat, absl::StrJoin and friends do
// not take std::string_view; formatting beyond these uses fmt.)
#ifndef REWARDGUARD_CORE_STRINGS_H_
#define REWARDGUARD_CORE_STRINGS_H_

#include <string>
#include <string_view>
#include <type_traits>

#include "absl/strings/string_view.h"

namespace rewardguard {

inline bool IsAsciiSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

inline std::string_view StripAsciiWhitespace(std::string_view s) {
  while (!s.empty() && IsAsciiSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsAsciiSpace(s.back())) s.remove_suffix(1);
  return s;
}

inline std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

inline std::string AsciiUpper(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return out;
}

inline bool StartsWith(std::string_view s, std::string_view prefix) { return s.starts_with(prefix); }
inline bool EndsWith(std::string_view s, std::string_view suffix) { return s.ends_with(suffix); }
inline bool StrContains(std::string_view s, std::string_view needle) {
  return s.find(needle) != std::string_view::npos;
}

namespace strings_internal {
inline void AppendPiece(std::string* out, std::string_view s) { out->append(s); }
template <typename I, std::enable_if_t<std::is_integral_v<I>, int> = 0>
void AppendPiece(std::string* out, I value) {
  out->append(std::to_string(value));
}
}  // namespace strings_internal

// Concatenates strings, string_views and integers.
template <typename... T>
std::string StrCat(const T&... parts) {
  std::string out;
  (strings_internal::AppendPiece(&out, parts), ...);
  return out;
}

// `items` (strings or integers) with `separator` between them.
template <typename Container>
std::string StrJoin(const Container& items, std::string_view separator) {
  std::string out;
  bool first = true;
  for (const auto& item : items) {
    if (!first) out.append(separator);
    first = false;
    strings_internal::AppendPiece(&out, item);
  }
  return out;
}

// For heterogeneous lookups in absl containers keyed by std::string.
inline absl::string_view AbslView(std::string_view s) { return {s.data(), s.size()}; }

}  // namespace rewardguard

#endif  // REWARDGUARD_CORE_STRINGS_H_
