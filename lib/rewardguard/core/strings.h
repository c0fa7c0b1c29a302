// rewardguard/core/strings.h
//
// Small string helpers over std::string_view. (Debian's abseil is built with
// its own absl::string_view, so absl's string functions do not take
// std::string_view; formatting uses fmt.)
#ifndef REWARDGUARD_CORE_STRINGS_H_
#define REWARDGUARD_CORE_STRINGS_H_

#include <string>
#include <string_view>

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

}  // namespace rewardguard

#endif  // REWARDGUARD_CORE_STRINGS_H_
