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

#include <optional>
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

// A network destination written as one word, by shape alone (for programs
// whose option grammar is not known):
//
//   https://h/x  s3://bucket  git+ssh://git@h/r   a URL of any scheme
//   203.0.113.5:4444  evil.example.com:443        host:port
//   [2001:db8::1]:443                             [v6]:port
//   203.0.113.5                                   a dotted-quad IPv4 address
//   user@host.example:path                        an scp-style remote
//
// An option's value counts (`--server=h:443`). Conservative: a hostname
// needs a dot and an alphabetic last label that is not a common file
// extension, so `main.py:10` (file:line), `a..b`, `3:4`, `12:30:00`,
// `app:app` and e-mail addresses are not destinations. `url` is the URL
// text when the word is one.
struct WordDestination {
  std::string host;  // lowercase
  int port = -1;
  std::string_view url;
};
std::optional<WordDestination> DestinationInWord(std::string_view word);

}  // namespace rewardguard

#endif  // REWARDGUARD_CLASSIFY_URL_H_
