#include "rewardguard/classify/url.h"

#include <algorithm>

#include "absl/strings/ascii.h"
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

namespace {

bool IsDottedQuad(std::string_view s) {
  int parts = 0;
  size_t i = 0;
  while (i <= s.size()) {
    size_t dot = std::min(s.find('.', i), s.size());
    std::string_view part = s.substr(i, dot - i);
    if (part.empty() || part.size() > 3) return false;
    int v = 0;
    for (char c : part) {
      if (c < '0' || c > '9') return false;
      v = v * 10 + (c - '0');
    }
    if (v > 255) return false;
    ++parts;
    i = dot + 1;
  }
  return parts == 4;
}

// Extensions of files that `name.ext:line` words name, which are also TLDs
// (.py, .sh, .rs, .md...) or look like them.
bool IsFileExtension(std::string_view label) {
  static constexpr std::string_view kExtensions[] = {
      "py",   "pyi",  "pyx", "ipynb", "js",   "mjs",  "cjs",  "ts",   "tsx",  "jsx",  "vue",
      "go",   "rs",   "c",   "h",     "cc",   "cpp",  "cxx",  "hpp",  "hh",   "m",    "mm",
      "java", "kt",   "kts", "scala", "swift", "rb",  "php",  "pl",   "pm",   "lua",  "r",
      "sh",   "bash", "zsh", "fish",  "md",   "rst",  "txt",  "json", "yaml", "yml",  "toml",
      "ini",  "cfg",  "conf", "xml",  "html", "htm",  "css",  "scss", "sql",  "csv",  "tsv",
      "log",  "lock", "env", "proto", "gradle", "cs", "fs",   "ex",   "exs",  "erl",  "hs",
      "ml",   "mli",  "dart", "zig",  "nim",  "jl",   "tf",   "hcl",  "cmake", "mk",  "in",
      "out",  "diff", "patch", "pem", "key",  "crt",  "tex",  "vim",  "el",   "clj",  "sv",
      "v",    "vhd",  "asm", "s",     "o",    "so",   "a",    "bin",  "exe",  "dll",  "whl",
      "gz",   "tgz",  "zip", "tar",   "bz2",  "xz",   "png",  "jpg",  "svg",  "pdf",  "pt",
      "pth",  "ckpt", "npy", "npz",   "pkl",  "onnx", "parquet", "h5", "safetensors", "sum",
      "mod",  "test", "spec", "d",    "am",   "ac",   "cu",   "cuh",  "metal", "wgsl", "glsl",
  };
  for (std::string_view e : kExtensions)
    if (label == e) return true;
  return false;
}

bool IsHostname(std::string_view h) {
  if (h.size() < 4 || h.size() > 253 || h.front() == '.' || h.back() == '.' ||
      h.front() == '-' || h.find("..") != std::string_view::npos)
    return false;
  for (char c : h)
    if (!(absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-'))
      return false;
  size_t dot = h.rfind('.');
  if (dot == std::string_view::npos) return false;
  std::string_view tld = h.substr(dot + 1);
  if (tld.size() < 2 || tld.size() > 24) return false;
  for (char c : tld)
    if (!absl::ascii_isalpha(static_cast<unsigned char>(c))) return false;
  return !IsFileExtension(AsciiLower(tld));
}

bool IsHost(std::string_view h) { return IsDottedQuad(h) || IsHostname(h); }

std::optional<int> PortWord(std::string_view p) {
  if (p.empty() || p.size() > 5) return std::nullopt;
  for (char c : p)
    if (c < '0' || c > '9') return std::nullopt;
  return ParsePort(p);
}

}  // namespace

std::optional<WordDestination> DestinationInWord(std::string_view word) {
  std::string_view a = word;
  // An option's value: --server=HOST:PORT, -Dhost=..., NAME=URL.
  if (size_t eq = a.find('='); eq != std::string_view::npos && a.find("://") > eq)
    a = a.substr(eq + 1);
  if (a.size() < 4 || a.size() > 2048) return std::nullopt;
  if (size_t sep = a.find("://"); sep != std::string_view::npos) {
    size_t begin = sep;
    while (begin > 0 && (absl::ascii_isalnum(static_cast<unsigned char>(a[begin - 1])) ||
                         a[begin - 1] == '+' || a[begin - 1] == '-' || a[begin - 1] == '.'))
      --begin;
    if (sep - begin < 2 || !absl::ascii_isalpha(static_cast<unsigned char>(a[begin])))
      return std::nullopt;
    std::string_view text = a.substr(begin);
    Url u = ParseUrl(text);
    if (!u.valid || u.host.empty() || u.scheme == "file") return std::nullopt;
    for (char c : u.host)
      if (!(absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' ||
            c == ':' || c == '_'))
        return std::nullopt;  // a variable or template, not a host
    return WordDestination{u.host, u.port, text};
  }
  if (a.front() == '[') {  // [v6]:port
    size_t close = a.find("]:");
    if (close == std::string_view::npos) return std::nullopt;
    std::string_view host = a.substr(1, close - 1);
    std::optional<int> port = PortWord(a.substr(close + 2));
    if (!port || host.find(':') == std::string_view::npos || !ParseIp(host)) return std::nullopt;
    return WordDestination{AsciiLower(host), *port, {}};
  }
  if (size_t at = a.find('@'); at != std::string_view::npos) {  // user@host:path
    size_t colon = a.find(':', at);
    if (at == 0 || colon == std::string_view::npos) return std::nullopt;
    for (char c : a.substr(0, at))
      if (!(absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' ||
            c == '-'))
        return std::nullopt;
    std::string_view host = a.substr(at + 1, colon - at - 1);
    if (!IsHost(host)) return std::nullopt;
    return WordDestination{AsciiLower(host), PortWord(a.substr(colon + 1)).value_or(-1), {}};
  }
  if (a.find('/') != std::string_view::npos) return std::nullopt;
  size_t colon = a.find(':');
  if (colon == std::string_view::npos)
    return IsDottedQuad(a) ? std::optional<WordDestination>(WordDestination{std::string(a), -1, {}})
                           : std::nullopt;
  if (a.find(':', colon + 1) != std::string_view::npos) return std::nullopt;  // 12:30:00
  std::string_view host = a.substr(0, colon);
  std::optional<int> port = PortWord(a.substr(colon + 1));
  if (!port || !IsHost(host)) return std::nullopt;
  return WordDestination{AsciiLower(host), *port, {}};
}

}  // namespace rewardguard
