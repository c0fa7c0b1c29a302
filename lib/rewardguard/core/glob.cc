#include "rewardguard/core/glob.h"

#include <algorithm>
#include "absl/container/inlined_vector.h"


namespace rewardguard {

namespace {

// A necessary condition for a match, checked in one pass: the pattern's
// literal chunks appear in the path in order, the first at the start and the
// last at the end. (A chunk after "**" may lose its leading '/', which a
// "**/" matching no directory absorbs.) Rejects nearly every non-match
// without running the automaton.
bool LiteralsFit(std::string_view pattern, std::string_view path) {
  size_t pos = 0, p = 0;
  bool first = true;
  while (p <= pattern.size()) {
    size_t wild = pattern.find_first_of("*?", p);
    std::string_view chunk = pattern.substr(p, wild == std::string_view::npos ? wild : wild - p);
    if (p >= 2 && pattern[p - 1] == '*' && pattern[p - 2] == '*' && chunk.starts_with('/'))
      chunk.remove_prefix(1);
    if (wild == std::string_view::npos) {  // the last chunk ends the path
      return path.size() >= pos + chunk.size() && path.ends_with(chunk);
    }
    if (first) {
      if (!path.starts_with(chunk)) return false;
      pos = chunk.size();
      first = false;
    } else if (!chunk.empty()) {
      size_t at = path.find(chunk, pos);
      if (at == std::string_view::npos) return false;
      pos = at + chunk.size();
    }
    p = wild + 1;
  }
  return true;
}

}  // namespace

bool GlobMatch(std::string_view pattern, std::string_view path) {
  if (pattern.find_first_of("*?") == std::string_view::npos) return pattern == path;
  if (!LiteralsFit(pattern, path)) return false;

  // A set of reachable path positions advanced one pattern token at a time:
  // linear memory and no backtracking, so no pattern can make it blow up.
  const size_t n = path.size();
  absl::InlinedVector<char, 512> storage(3 * (n + 1), 0);
  char* cur = storage.data();
  char* next = cur + (n + 1);
  char* spare = next + (n + 1);
  cur[0] = 1;
  size_t p = 0;
  while (p < pattern.size()) {
    std::fill(next, next + n + 1, 0);
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
        std::copy(cur, cur + n + 1, spare);
        for (size_t i = 0; i < n; ++i)
          if (next[i] && path[i] == '/') spare[i + 1] = 1;
        std::swap(cur, spare);
        p += 1;
        continue;
      }
    } else {
      for (size_t i = 0; i < n; ++i)
        if (cur[i] && (c == '?' ? path[i] != '/' : path[i] == c)) next[i + 1] = 1;
      p += 1;
    }
    std::swap(cur, next);
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
