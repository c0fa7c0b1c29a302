#include "rewardguard/classify/url.h"

#include "gtest/gtest.h"

namespace rewardguard {
namespace {

TEST(ParseUrl, SchemeHostPortPath) {
  Url u = ParseUrl("https://User:p@ss@Example.COM:8443/a/b?c=1#f");
  ASSERT_TRUE(u.valid);
  EXPECT_EQ(u.scheme, "https");
  EXPECT_EQ(u.host, "example.com");
  EXPECT_EQ(u.port, 8443);
  EXPECT_EQ(u.path, "/a/b?c=1#f");
}

TEST(ParseUrl, DefaultsAndSchemeless) {
  EXPECT_EQ(ParseUrl("https://pypi.org/simple").port, 443);
  EXPECT_EQ(ParseUrl("http://pypi.org").port, 80);
  Url bare = ParseUrl("example.com/x");  // curl treats this as http
  EXPECT_TRUE(bare.valid);
  EXPECT_EQ(bare.host, "example.com");
  EXPECT_EQ(bare.port, 80);
  Url stratum = ParseUrl("stratum+tcp://pool.example:3333");
  EXPECT_EQ(stratum.scheme, "stratum+tcp");
  EXPECT_EQ(stratum.port, 3333);
  EXPECT_EQ(ParseUrl("stratum+tcp://pool.example").port, -1);
}

TEST(ParseUrl, Ipv6AndTrailingDot) {
  Url v6 = ParseUrl("http://[fd00::1]:8080/");
  EXPECT_EQ(v6.host, "fd00::1");
  EXPECT_EQ(v6.port, 8080);
  EXPECT_EQ(ParseUrl("https://pypi.org./").host, "pypi.org");
}

TEST(ParseUrl, Invalid) {
  EXPECT_FALSE(ParseUrl("").valid);
  EXPECT_FALSE(ParseUrl("https:///path").valid);
  EXPECT_FALSE(ParseUrl("http://host:99999/").valid);
  EXPECT_FALSE(ParseUrl("http://[::1/").valid);
  EXPECT_FALSE(ParseUrl("two words").valid);
  EXPECT_FALSE(ParseUrl("http://a\"b/").valid);
}

}  // namespace
}  // namespace rewardguard
