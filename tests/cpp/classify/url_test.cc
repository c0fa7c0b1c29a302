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

namespace rewardguard {
namespace {

TEST(DestinationInWord, UrlsOfAnyScheme) {
  for (const char* w : {"https://example.org/x", "wss://203.0.113.5:8443/ws", "ftp://files.example.org/a",
                        "s3://bucket-name/key", "git+ssh://git@github.com/o/r.git",
                        "rsync://mirror.example.org/pub", "--url=https://api.example.org/v1",
                        "URL=http://203.0.113.5:8080/"}) {
    SCOPED_TRACE(w);
    std::optional<WordDestination> d = DestinationInWord(w);
    ASSERT_TRUE(d.has_value());
    EXPECT_FALSE(d->url.empty());
  }
  EXPECT_EQ(DestinationInWord("wss://203.0.113.5:8443/ws")->port, 8443);
  EXPECT_EQ(DestinationInWord("s3://bucket-name/key")->host, "bucket-name");
  EXPECT_FALSE(DestinationInWord("file:///etc/hosts").has_value());
  EXPECT_FALSE(DestinationInWord("https://${HOST}/x").has_value());
}

TEST(DestinationInWord, HostPortIpAndRemotes) {
  auto d = DestinationInWord("203.0.113.5:4444");
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->host, "203.0.113.5");
  EXPECT_EQ(d->port, 4444);
  d = DestinationInWord("--server=Relay.Example.COM:443");
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->host, "relay.example.com");
  EXPECT_EQ(d->port, 443);
  d = DestinationInWord("[2001:db8::1]:8443");
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->host, "2001:db8::1");
  EXPECT_EQ(d->port, 8443);
  d = DestinationInWord("203.0.113.5");
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->port, -1);
  d = DestinationInWord("deploy@build.example.org:/srv/app");
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->host, "build.example.org");
}

TEST(DestinationInWord, WordsThatOnlyLookLikeDestinations) {
  for (const char* w : {"a..b", "main..feature", "HEAD~3..HEAD", "main.py:10", "src/app.py:42",
                        "lib.rs:7", "README.md:3", "run.sh:12", "3:4", "16:9", "12:30:00",
                        "2024-01-01T12:30:00Z", "app:app", "module:function", "v1.2:3",
                        "alice@example.com", "1.2.3", "10.0", "a:b", "std::vector", "key=value",
                        "x.y.z", "localhost:8000x", "host:99999", "C:", "foo.bar:", "::1"}) {
    SCOPED_TRACE(w);
    EXPECT_FALSE(DestinationInWord(w).has_value());
  }
}

}  // namespace
}  // namespace rewardguard
