#include "rewardguard/core/glob.h"

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

}  // namespace
}  // namespace rewardguard
