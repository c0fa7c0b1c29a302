// rewardguard/core/net.h
//
// IP addresses and CIDR ranges, as rule conditions and classification test
// them.
//
//   std::optional<Cidr> lan = ParseCidr("10.0.0.0/8");
//   std::optional<IpAddress> ip = ParseIp("10.1.2.3");
//   lan->Contains(*ip);  // true
//
// IPv4 parsing accepts every form the C resolver does ("127.1", "0x7f000001",
// "2130706433"), because agents (and tools like curl) accept them too: a rule
// on 127.0.0.0/8 must not be evaded by spelling the address differently.
// IPv4-mapped IPv6 addresses ("::ffff:10.0.0.1") match IPv4 ranges.
#ifndef REWARDGUARD_CORE_NET_H_
#define REWARDGUARD_CORE_NET_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace rewardguard {

struct IpAddress {
  std::array<uint8_t, 16> bytes{};  // IPv4 as ::ffff:a.b.c.d
  bool is_v4 = false;
};

// Accepts IPv4 (any inet_aton form), IPv6, and bracketed IPv6 ("[::1]").
std::optional<IpAddress> ParseIp(std::string_view text);

struct Cidr {
  IpAddress base;
  int prefix_len = 0;  // over the 128-bit mapped form

  bool Contains(const IpAddress& ip) const;
};

// "10.0.0.0/8", "fd00::/8", or a bare address (a /32 or /128).
std::optional<Cidr> ParseCidr(std::string_view text);

// A port number 0..65535 from decimal text; nullopt otherwise.
std::optional<int> ParsePort(std::string_view text);

}  // namespace rewardguard

#endif  // REWARDGUARD_CORE_NET_H_
