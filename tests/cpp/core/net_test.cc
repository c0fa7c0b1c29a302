#include "rewardguard/core/net.h"

#include "gtest/gtest.h"

namespace rewardguard {
namespace {

bool InRange(const char* cidr, const char* ip) {
  auto c = ParseCidr(cidr);
  auto a = ParseIp(ip);
  return c && a && c->Contains(*a);
}

TEST(Net, CidrContainsV4) {
  EXPECT_TRUE(InRange("10.0.0.0/8", "10.255.1.2"));
  EXPECT_FALSE(InRange("10.0.0.0/8", "11.0.0.1"));
  EXPECT_TRUE(InRange("172.16.0.0/12", "172.31.255.255"));
  EXPECT_FALSE(InRange("172.16.0.0/12", "172.32.0.0"));
  EXPECT_TRUE(InRange("169.254.169.254", "169.254.169.254"));
  EXPECT_TRUE(InRange("0.0.0.0/0", "8.8.8.8"));
}

TEST(Net, OtherSpellingsOfAnAddressStillMatch) {
  // What curl and the C resolver accept must not slip past a CIDR rule.
  EXPECT_TRUE(InRange("127.0.0.0/8", "127.1"));
  EXPECT_TRUE(InRange("127.0.0.0/8", "2130706433"));
  EXPECT_TRUE(InRange("169.254.0.0/16", "0xa9.0xfe.0xa9.0xfe"));
  EXPECT_TRUE(InRange("10.0.0.0/8", "::ffff:10.1.2.3"));
  EXPECT_TRUE(InRange("10.0.0.0/8", "[::ffff:10.1.2.3]"));
}

TEST(Net, V6) {
  EXPECT_TRUE(InRange("fd00::/8", "fd12:3456::1"));
  EXPECT_FALSE(InRange("fd00::/8", "fe80::1"));
  EXPECT_TRUE(InRange("::1", "::1"));
}

TEST(Net, RejectsMalformed) {
  EXPECT_FALSE(ParseIp("example.com"));
  EXPECT_FALSE(ParseIp(""));
  EXPECT_FALSE(ParseIp("10.0.0.1.5"));
  EXPECT_FALSE(ParseCidr("10.0.0.0/33"));
  EXPECT_FALSE(ParseCidr("10/8"));  // CIDRs are written in full
  EXPECT_FALSE(ParseCidr("10.0.0.0/x"));
  EXPECT_FALSE(ParseCidr("fd00::/129"));
}

TEST(Net, Ports) {
  EXPECT_EQ(ParsePort("22"), 22);
  EXPECT_EQ(ParsePort("65535"), 65535);
  EXPECT_FALSE(ParsePort("65536"));
  EXPECT_FALSE(ParsePort("-1"));
  EXPECT_FALSE(ParsePort("22a"));
  EXPECT_FALSE(ParsePort(""));
}

}  // namespace
}  // namespace rewardguard
