#include "rewardguard/core/glob.h"

#include <random>
#include <string>

#include "gtest/gtest.h"

namespace rewardguard {
namespace {

TEST(GlobMatch, StarStaysInOneSegment) {
  EXPECT_TRUE(GlobMatch("~/.ssh/*", "~/.ssh/id_rsa"));
  EXPECT_FALSE(GlobMatch("~/.ssh/*", "~/.ssh/keys/id_rsa"));
  EXPECT_TRUE(GlobMatch("*.py", "main.py"));
  EXPECT_FALSE(GlobMatch("*.py", "src/main.py"));
  EXPECT_TRUE(GlobMatch("/etc/*", "/etc/"));  // `*` may match nothing
}

TEST(GlobMatch, DoubleStarCrossesSegments) {
  EXPECT_TRUE(GlobMatch("/etc/**", "/etc/cron.d/job"));
  EXPECT_TRUE(GlobMatch("**/.env", "app/config/.env"));
  EXPECT_TRUE(GlobMatch("a/**/b", "a/b"));
  EXPECT_TRUE(GlobMatch("a/**/b", "a/x/y/b"));
  EXPECT_FALSE(GlobMatch("a/**/b", "a/x/c"));
}

TEST(GlobMatch, QuestionMarkAndLiterals) {
  EXPECT_TRUE(GlobMatch("id_???", "id_rsa"));
  EXPECT_FALSE(GlobMatch("id_???", "id_ed25519"));
  EXPECT_FALSE(GlobMatch("a?b", "a/b"));
  EXPECT_TRUE(GlobMatch("", ""));
  EXPECT_FALSE(GlobMatch("", "x"));
  EXPECT_FALSE(GlobMatch("x", ""));
}

TEST(GlobMatch, PathologicalPatternStaysLinear) {
  // A backtracking matcher takes exponential time here.
  std::string pattern, path(2000, 'a');
  for (int i = 0; i < 50; ++i) pattern += "*a";
  pattern += "b";
  EXPECT_FALSE(GlobMatch(pattern, path));
}

TEST(HostMatch, WildcardsAndCase) {
  EXPECT_TRUE(HostMatch("*.corp.example", "git.corp.example"));
  EXPECT_TRUE(HostMatch("*.corp.example", "a.b.CORP.example"));
  EXPECT_FALSE(HostMatch("*.corp.example", "corp.example"));
  EXPECT_FALSE(HostMatch("*.corp.example", "evilcorp.example"));
  EXPECT_TRUE(HostMatch("PyPI.org", "pypi.org."));
  EXPECT_FALSE(HostMatch("pypi.org", "pypi.org.evil.example"));
  EXPECT_TRUE(HostMatch("*", "anything"));
  EXPECT_FALSE(HostMatch("*", ""));
}

// Straightforward backtracking matcher with the same semantics, for
// cross-checking on small inputs.
bool ReferenceGlob(std::string_view pat, std::string_view path) {
  if (pat.empty()) return path.empty();
  if (pat.starts_with("**/")) {
    if (ReferenceGlob(pat.substr(3), path)) return true;  // no directory
    for (size_t i = 0; i < path.size(); ++i)
      if (path[i] == '/' && ReferenceGlob(pat.substr(3), path.substr(i + 1))) return true;
    return false;
  }
  if (pat.starts_with("**")) {
    for (size_t i = 0; i <= path.size(); ++i)
      if (ReferenceGlob(pat.substr(2), path.substr(i))) return true;
    return false;
  }
  if (pat[0] == '*') {
    for (size_t i = 0; i <= path.size(); ++i) {
      if (ReferenceGlob(pat.substr(1), path.substr(i))) return true;
      if (i < path.size() && path[i] == '/') break;
    }
    return false;
  }
  if (path.empty()) return false;
  if (pat[0] == '?' ? path[0] == '/' : pat[0] != path[0]) return false;
  return ReferenceGlob(pat.substr(1), path.substr(1));
}

TEST(GlobMatch, AgreesWithReferenceOnRandomInputs) {
  std::mt19937 rng(7);
  const char pattern_chars[] = {'a', 'b', '/', '.', '*', '?'};
  const char path_chars[] = {'a', 'b', '/', '.'};
  for (int trial = 0; trial < 20000; ++trial) {
    std::string pattern, path;
    for (int i = rng() % 8; i > 0; --i) pattern += pattern_chars[rng() % 6];
    for (int i = rng() % 9; i > 0; --i) path += path_chars[rng() % 4];
    ASSERT_EQ(GlobMatch(pattern, path), ReferenceGlob(pattern, path))
        << "pattern `" << pattern << "` path `" << path << "`";
  }
}

TEST(GlobMatch, LeadingDoubleStarMatchesAtTheRoot) {
  EXPECT_TRUE(GlobMatch("**/.env", ".env"));
  EXPECT_TRUE(GlobMatch("**/.bitcoin/**", ".bitcoin/wallet.dat"));
  EXPECT_TRUE(GlobMatch("**/.bitcoin/**", "home/u/.bitcoin/wallet.dat"));
  EXPECT_FALSE(GlobMatch("**/.bitcoin/**", "home/u/bitcoin/wallet.dat"));
}

}  // namespace
}  // namespace rewardguard
