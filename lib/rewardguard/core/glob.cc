#include "rewardguard/core/glob.h"

#include <algorithm>
#include <vector>


namespace rewardguard {

bool GlobMatch(std::string_view pattern, std::string_view path) {
  // A set of reachable path positions advanced one pattern token at a time:
  // linear memory and no backtracking, so no pattern can make it blow up.
  const size_t n = path.size();
  std::vector<char> cur(n + 1, 0), next(n + 1, 0);
  cur[0] = 1;
  size_t p = 0;
  while (p < pattern.size()) {
    std::fill(next.begin(), next.end(), 0);
    const char c = pattern[p];
    if (c == '*') {
      const bool cross = p + 1 < pattern.size() && pattern[p + 1] == '*';
      char reachable = 0;
      for (size_t i = 0; i <= n; ++i) {
        reachable = reachable || cur[i];
        next[i] = reachable;
        if (!cross && i < n && path[i] == '/') reachable = 0;
      }
      p += cross ? 2 : 1;
      if (cross && p < pattern.size() && pattern[p] == '/') {
        // "**/" may also match no directory at all: "a/**/b" matches "a/b".
        std::vector<char> after(cur);
        for (size_t i = 0; i < n; ++i)
          if (next[i] && path[i] == '/') after[i + 1] = 1;
        cur.swap(after);
        p += 1;
        continue;
      }
    } else {
      for (size_t i = 0; i < n; ++i)
        if (cur[i] && (c == '?' ? path[i] != '/' : path[i] == c)) next[i + 1] = 1;
      p += 1;
    }
    cur.swap(next);
  }
  return cur[n];
}

namespace {
bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}
}  // namespace

bool HostMatch(std::string_view pattern, std::string_view host) {
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);
  if (pattern == "*") return !host.empty();
  if (pattern.starts_with("*.")) {
    std::string_view suffix = pattern.substr(1);  // ".corp.example"
    return host.size() > suffix.size() &&
           EqualsIgnoreCase(host.substr(host.size() - suffix.size()), suffix);
  }
  return EqualsIgnoreCase(pattern, host);
}

}  // namespace rewardguard
