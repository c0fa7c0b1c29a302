#include "rewardguard/classify/internal/program_args.h"

#include <algorithm>
#include <string>

#include "absl/strings/ascii.h"
#include "re2/re2.h"
#include "rewardguard/classify/url.h"
#include "rewardguard/core/net.h"
#include "rewardguard/core/strings.h"

namespace rewardguard {
namespace classify_internal {
namespace {

bool ContainsAny(std::string_view v, const std::vector<std::string>& needles) {
  return std::any_of(needles.begin(), needles.end(),
                     [&](const std::string& n) { return StrContains(v, n); });
}

bool StartsWithAny(std::string_view v, const std::vector<std::string>& prefixes) {
  return std::any_of(prefixes.begin(), prefixes.end(),
                     [&](const std::string& p) { return StartsWith(v, p); });
}

}  // namespace

void ParseOptions(const std::vector<Word>& argv, size_t from, const ProgramSig* sig,
                  bool stop_at_positional, ParsedArgs* out) {
  size_t i = from;
  bool options_done = false;
  for (; i < argv.size(); ++i) {
    const Word& w = argv[i];
    std::string_view a = w.text;
    if (options_done || a.size() < 2 || a[0] != '-' || (w.flags & kQuoted && a[0] != '-')) {
      if (stop_at_positional) break;
      out->positionals.push_back(&w);
      continue;
    }
    if (a == "--") {
      options_done = true;
      if (stop_at_positional) {
        ++i;
        break;
      }
      continue;
    }
    if (a[1] == '-') {
      Opt o;
      o.is_long = true;
      std::string_view body = a.substr(2);
      size_t eq = body.find('=');
      if (eq != std::string_view::npos) {
        o.name = body.substr(0, eq);
        o.value_text = body.substr(eq + 1);
        o.value = &w;
      } else {
        o.name = body;
        if (sig && sig->long_value.contains(AbslView(body)) && i + 1 < argv.size()) {
          o.value = &argv[++i];
          o.value_text = o.value->text;
        }
      }
      out->opts.push_back(o);
      continue;
    }
    // Short bundle: -fNR 9000:... ; -p22.
    for (size_t k = 1; k < a.size(); ++k) {
      Opt o;
      o.name = a.substr(k, 1);
      if (sig && sig->TakesValue(a[k])) {
        if (k + 1 < a.size()) {
          o.value_text = a.substr(k + 1);
          o.value = &w;
        } else if (i + 1 < argv.size()) {
          o.value = &argv[++i];
          o.value_text = o.value->text;
        }
        out->opts.push_back(o);
        break;
      }
      out->opts.push_back(o);
    }
  }
  out->rest = i;
}

bool HasOpt(const ParsedArgs& pa, std::string_view written, const Opt** found) {
  bool is_long = StartsWith(written, "--");
  std::string_view name = written.substr(is_long ? 2 : 1);
  for (const Opt& o : pa.opts) {
    if (o.is_long == is_long && o.name == name) {
      if (found) *found = &o;
      return true;
    }
    // Single-dash long options (nvidia-smi -pl, find -name) parse as bundles:
    // accept them as written too.
  }
  return false;
}

bool ConditionHolds(const Condition& c, const std::vector<Word>& argv,
                    size_t from, const ParsedArgs& pa, bool has_command, bool discarded,
                    bool has_urls) {
  if (c.no_command && has_command) return false;
  if (c.urls && !has_urls) return false;
  if (c.output_discarded && !discarded) return false;
  for (const std::string& o : c.without_options) {
    for (size_t i = from; i < argv.size(); ++i)
      if (argv[i].text == o || StartsWith(argv[i].text, StrCat(o, "="))) return false;
    if (HasOpt(pa, o)) return false;
  }
  if (c.no_args && argv.size() > from) return false;
  if (c.no_positionals && !pa.positionals.empty()) return false;
  if (c.min_positionals >= 0 && static_cast<int>(pa.positionals.size()) < c.min_positionals)
    return false;
  if (!c.options.empty()) {
    const bool any_value = !c.value_contains.empty() || !c.value_prefix.empty() || c.value_matches;
    auto value_ok = [&](std::string_view v) {
      return (c.value_contains.empty() || ContainsAny(v, c.value_contains)) &&
             (c.value_prefix.empty() || StartsWithAny(v, c.value_prefix)) &&
             (!c.value_matches || re2::RE2::PartialMatch(v, *c.value_matches));
    };
    bool any = false;
    for (const std::string& o : c.options) {
      // Raw words too, for single-dash long options such as `-pl` or find's
      // `-perm MODE`, which parse as bundles: their value is after `=` or in
      // the next word. Other options' values come from the parse only, so a
      // launched command's words are not read as the launcher's.
      const bool single_dash_long = o.size() > 2 && o[0] == '-' && o[1] != '-';
      for (size_t i = from; i < argv.size() && !any; ++i) {
        std::string_view a = argv[i].text;
        const bool with_eq = StartsWith(a, StrCat(o, "="));
        if (a != o && !with_eq) continue;
        if (!any_value) any = true;
        else if (single_dash_long)
          any = with_eq ? value_ok(a.substr(o.size() + 1))
                        : i + 1 < argv.size() && value_ok(argv[i + 1].text);
      }
      for (const Opt& opt : pa.opts) {
        if (any) break;
        bool is_long = StartsWith(o, "--");
        if (opt.is_long != is_long || opt.name != std::string_view(o).substr(is_long ? 2 : 1))
          continue;
        any = !any_value || value_ok(opt.value_text);
      }
      if (any) break;
    }
    if (!any) return false;
  }
  if (!c.subcommands.empty()) {
    if (pa.positionals.empty()) return false;
    // "tool install": the first positionals, word by word.
    auto matches = [&](std::string_view s) {
      for (size_t k = 0;; ++k) {
        size_t sp = s.find(' ');
        if (k >= pa.positionals.size() || pa.positionals[k]->text != s.substr(0, sp)) return false;
        if (sp == std::string_view::npos) return true;
        s.remove_prefix(sp + 1);
      }
    };
    bool any = false;
    for (const std::string& s : c.subcommands) any |= matches(s);
    if (!any) return false;
  }
  auto any_arg = [&](auto pred) {
    for (size_t i = from; i < argv.size(); ++i)
      if (pred(argv[i].text)) return true;
    return false;
  };
  if (!c.arg_contains.empty() &&
      !any_arg([&](std::string_view a) { return ContainsAny(a, c.arg_contains); }))
    return false;
  if (!c.arg_prefix.empty() &&
      !any_arg([&](std::string_view a) { return StartsWithAny(a, c.arg_prefix); }))
    return false;
  if (!c.arg_equals.empty() && !any_arg([&](std::string_view a) {
        for (const std::string& s : c.arg_equals)
          if (a == s) return true;
        return false;
      }))
    return false;
  if (c.arg_matches && !any_arg([&](std::string_view a) {
        return re2::RE2::PartialMatch(a, *c.arg_matches);
      }))
    return false;
  if (c.arg_octal_mask && !any_arg([&](std::string_view a) {
        if (a.size() < 3 || a.size() > 5) return false;
        uint32_t v = 0;
        for (char ch : a) {
          if (ch < '0' || ch > '7') return false;
          v = v * 8 + (ch - '0');
        }
        return (v & c.arg_octal_mask) != 0;
      }))
    return false;
  return true;
}

void SplitUserHost(std::string_view s, std::string_view* host, int* port) {
  if (s.find("://") != std::string_view::npos) {
    return;  // handled as a URL by the caller
  }
  size_t at = s.rfind('@');
  if (at != std::string_view::npos) s = s.substr(at + 1);
  if (!s.empty() && s[0] == '[') {
    size_t close = s.find(']');
    if (close != std::string_view::npos) {
      if (close + 2 < s.size() && s[close + 1] == ':')
        if (auto p = ParsePort(s.substr(close + 2))) *port = *p;
      s = s.substr(1, close - 1);
    }
  } else {
    size_t colon = s.find(':');
    if (colon != std::string_view::npos && s.find(':', colon + 1) == std::string_view::npos) {
      if (auto p = ParsePort(s.substr(colon + 1))) *port = *p;
      s = s.substr(0, colon);
    }
  }
  *host = s;
}

bool RemoteSpec(std::string_view s, std::string_view* host) {
  if (StartsWith(s, "rsync://") || StartsWith(s, "scp://") ||
      StartsWith(s, "sftp://")) {
    Url u = ParseUrl(s);
    static thread_local std::string h;
    h = u.host;
    *host = h;
    return true;
  }
  size_t colon = s.find(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  size_t slash = s.find('/');
  if (slash != std::string_view::npos && slash < colon) return false;
  std::string_view h = s.substr(0, colon);
  size_t at = h.rfind('@');
  if (at != std::string_view::npos) h = h.substr(at + 1);
  if (h.size() == 1) return false;  // C:\ style
  *host = h;
  return true;
}

bool LooksLikeTarget(std::string_view a) {
  if (a.empty() || a[0] == '-') return false;
  for (char c : a)
    if (!(absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' ||
          c == ':' || c == '/' || c == '_' || c == '$' || c == '{' || c == '}' || c == '*'))
      return false;
  return a.find('.') != std::string_view::npos || a.find(':') != std::string_view::npos ||
         a.find('$') != std::string_view::npos || a == "localhost";
}

}  // namespace classify_internal
}  // namespace rewardguard
