#include "rewardguard/core/net.h"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <string>


namespace rewardguard {
namespace {
// Decimal digits only, the whole of `text`.
bool ParseDecimal(std::string_view text, int* out) {
  if (text.empty()) return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && end == text.data() + text.size();
}
}  // namespace

std::optional<IpAddress> ParseIp(std::string_view text) {
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']')
    text = text.substr(1, text.size() - 2);
  if (text.empty() || text.size() > 64) return std::nullopt;
  std::string z(text);  // inet_* want NUL-terminated input
  IpAddress ip;
  in_addr v4;
  if (z.find(':') == std::string::npos) {
    if (inet_aton(z.c_str(), &v4) == 0) return std::nullopt;
    ip.bytes[10] = ip.bytes[11] = 0xff;
    std::memcpy(&ip.bytes[12], &v4.s_addr, 4);
    ip.is_v4 = true;
    return ip;
  }
  in6_addr v6;
  if (inet_pton(AF_INET6, z.c_str(), &v6) != 1) return std::nullopt;
  std::memcpy(ip.bytes.data(), &v6, 16);
  static constexpr uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  ip.is_v4 = std::memcmp(ip.bytes.data(), kMapped, 12) == 0;
  return ip;
}

bool Cidr::Contains(const IpAddress& ip) const {
  int full = prefix_len / 8, rest = prefix_len % 8;
  if (std::memcmp(base.bytes.data(), ip.bytes.data(), full) != 0) return false;
  if (rest == 0) return true;
  uint8_t mask = static_cast<uint8_t>(0xff << (8 - rest));
  return (base.bytes[full] & mask) == (ip.bytes[full] & mask);
}

std::optional<Cidr> ParseCidr(std::string_view text) {
  size_t slash = text.find('/');
  std::optional<IpAddress> ip = ParseIp(text.substr(0, slash));
  if (!ip) return std::nullopt;
  // A CIDR's address must be written in canonical dotted form: "10/8" is
  // too easy to misread.
  if (ip->is_v4 && std::count(text.begin(), text.begin() + std::min(slash, text.size()), '.') != 3)
    return std::nullopt;
  int max_len = ip->is_v4 ? 32 : 128;
  int len = max_len;
  if (slash != std::string_view::npos) {
    if (!ParseDecimal(text.substr(slash + 1), &len) || len < 0 || len > max_len)
      return std::nullopt;
  }
  Cidr cidr{*ip, ip->is_v4 ? len + 96 : len};
  return cidr;
}

std::optional<int> ParsePort(std::string_view text) {
  int port;
  if (text.size() > 5 || !ParseDecimal(text, &port) || port < 0 || port > 65535)
    return std::nullopt;
  return port;
}

}  // namespace rewardguard
