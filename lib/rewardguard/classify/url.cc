#include "rewardguard/classify/url.h"

#include "rewardguard/core/net.h"
#include "rewardguard/core/strings.h"

namespace rewardguard {

int DefaultPort(std::string_view scheme) {
  struct Entry { std::string_view scheme; int port; };
  static constexpr Entry kPorts[] = {
      {"http", 80}, {"https", 443}, {"ws", 80}, {"wss", 443}, {"ftp", 21},
      {"ftps", 990}, {"ssh", 22}, {"sftp", 22}, {"scp", 22}, {"git", 9418},
      {"rsync", 873}, {"telnet", 23}, {"smtp", 25}, {"redis", 6379},
      {"postgres", 5432}, {"postgresql", 5432}, {"mysql", 3306}, {"mongodb", 27017},
  };
  for (const Entry& e : kPorts)
    if (e.scheme == scheme) return e.port;
  return -1;
}

Url ParseUrl(std::string_view text) {
  Url url;
  text = StripAsciiWhitespace(text);
  size_t sep = text.find("://");
  std::string_view rest = text;
  if (sep != std::string_view::npos && sep > 0 &&
      text.substr(0, sep).find_first_of("/?#@") == std::string_view::npos) {
    url.scheme = AsciiLower(text.substr(0, sep));
    rest = text.substr(sep + 3);
  } else if (text.starts_with("//")) {
    url.scheme = "http";
    rest = text.substr(2);
  } else {
    url.scheme = "http";  // curl's guess for a scheme-less URL
  }
  size_t end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, end);
  if (end != std::string_view::npos) url.path = std::string(rest.substr(end));
  // Userinfo ends at the last '@' of the authority (passwords may hold '@').
  size_t at = authority.rfind('@');
  if (at != std::string_view::npos) authority.remove_prefix(at + 1);
  std::string_view host = authority;
  std::string_view port;
  if (authority.starts_with("[")) {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return url;
    host = authority.substr(1, close - 1);
    if (close + 1 < authority.size() && authority[close + 1] == ':')
      port = authority.substr(close + 2);
  } else if (size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  // Characters no resolver accepts in a host name: not a URL at all.
  if (host.empty() || host.find_first_of(" \t\r\n\"'<>\\^`{|}") != std::string_view::npos)
    return url;
  url.host = AsciiLower(host);
  if (!url.host.empty() && url.host.back() == '.') url.host.pop_back();
  if (!port.empty()) {
    std::optional<int> p = ParsePort(port);
    if (!p) return url;
    url.port = *p;
  } else {
    url.port = DefaultPort(url.scheme);
  }
  url.valid = !url.host.empty();
  return url;
}

}  // namespace rewardguard
