// rewardguard/classify/url.h
//
// URL and host:port splitting, lenient the way curl is (a scheme-less
// "example.com/x" is http), so that rules see the host an agent really
// contacts.
//
//   Url u = ParseUrl("https://User@Example.com:8443/a?b");
//   // u.scheme "https", u.host "example.com", u.port 8443, u.path "/a?b"
#ifndef REWARDGUARD_CLASSIFY_URL_H_
#define REWARDGUARD_CLASSIFY_URL_H_

#include <string>
#include <string_view>

namespace rewardguard {

struct Url {
  std::string scheme;  // lowercase; "http" when absent
  std::string host;    // lowercase, brackets of IPv6 removed; empty if none
  int port = -1;       // explicit, else the scheme's default, else -1
  std::string path;    // from the first '/' on (query included)
  bool valid = false;  // false: no host could be found
};

Url ParseUrl(std::string_view text);

// Default port of a scheme ("https" -> 443), or -1.
int DefaultPort(std::string_view scheme);

}  // namespace rewardguard

#endif  // REWARDGUARD_CLASSIFY_URL_H_
