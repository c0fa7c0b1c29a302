#include "rewardguard/classify/internal/signatures.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "rewardguard/core/capabilities.h"
#include "rewardguard/core/glob.h"
#include "rewardguard/core/net.h"
#include "rewardguard/core/strings.h"
#include "rewardguard/policies/embedded.h"
#include "yaml-cpp/yaml.h"

namespace rewardguard {
namespace classify_internal {

// "/etc" of "/etc/cron.d/x", "~/.ssh" of "~/.ssh/id_rsa", "/" of "/";
// empty for relative paths.
std::string_view LeadingSegment(std::string_view path) {
  if (path.starts_with("~/")) {
    size_t end = path.find('/', 2);
    return path.substr(0, end);
  }
  if (path == "~") return path;
  if (path.starts_with("/")) {
    if (path.size() == 1) return path;
    size_t end = path.find('/', 1);
    return path.substr(0, end);
  }
  return {};
}

namespace {

// The longest run of `pattern` without wildcards or '/': a text every path
// it matches contains, so that most paths are ruled out by one search.
std::string LongestLiteral(std::string_view pattern) {
  std::string_view best;
  for (size_t begin = 0; begin < pattern.size();) {
    size_t end = pattern.find_first_of("*?[/", begin);
    if (end == std::string_view::npos) end = pattern.size();
    if (end - begin > best.size()) best = pattern.substr(begin, end - begin);
    begin = end + 1;
  }
  return std::string(best);
}

}  // namespace

void NamePatterns::Add(const std::string& pattern) {
  size_t wild = pattern.find_first_of("*?[");
  if (wild == std::string::npos) {
    exact.insert(pattern);
  } else if (wild == 0 && pattern.find_first_of("*?[", 1) == std::string::npos) {
    suffixes.push_back(pattern.substr(1));
  } else if (wild == pattern.size() - 1 && pattern.back() == '*') {
    prefixes.push_back(pattern.substr(0, pattern.size() - 1));
  } else {
    globs.emplace_back(pattern, LongestLiteral(pattern));
  }
}

bool NamePatterns::Match(std::string_view name) const {
  if (exact.contains(AbslView(name))) return true;
  for (const std::string& s : suffixes)
    if (name.size() > s.size() && name.ends_with(s)) return true;
  for (const std::string& p : prefixes)
    if (name.size() > p.size() && name.starts_with(p)) return true;
  for (const auto& [glob, literal] : globs)
    if (StrContains(name, literal) && GlobMatch(glob, name)) return true;
  return false;
}

class SignatureLoader {
 public:
  explicit SignatureLoader(Signatures* sig) : sig_(sig) {}

  void Load() {
    try {
      LoadPrograms(Parse("signatures/programs.yaml"));
      LoadNetwork(Parse("signatures/network.yaml"));
      LoadPaths(Parse("signatures/paths.yaml"));
      LoadScripts(Parse("signatures/scripts.yaml"));
    } catch (const std::exception& e) {
      if (sig_->error_.empty()) sig_->error_ = e.what();
    }
  }

 private:
  [[noreturn]] static void Fail(const std::string& file, const YAML::Node& node,
                                const std::string& what) {
    throw std::runtime_error(StrCat(file, ":", std::to_string(node.Mark().line + 1), ":",
                                          std::to_string(node.Mark().column + 1), ": ", what));
  }

  YAML::Node Parse(const char* file) {
    file_ = file;
    std::optional<std::string_view> text = FindEmbeddedFile(file);
    if (!text) throw std::runtime_error(StrCat("missing embedded file `", file, "`"));
    YAML::Node root = YAML::Load(std::string(*text));
    if (!root.IsMap() || root["version"].as<int>(0) != 1)
      Fail(file_, root, "expected a map with `version: 1`");
    return root;
  }

  std::vector<std::string> List(const YAML::Node& node) {
    std::vector<std::string> out;
    if (!node) return out;
    if (node.IsScalar()) {
      out.push_back(node.as<std::string>());
      return out;
    }
    if (!node.IsSequence()) Fail(file_, node, "expected a list");
    for (const YAML::Node& item : node) out.push_back(item.as<std::string>());
    return out;
  }

  std::string Capability(const YAML::Node& node) {
    std::string cap = node.as<std::string>();
    bool builtin = false;
    for (const BuiltinCapability& b : BuiltinCapabilities()) builtin |= (b.name == cap);
    if (!builtin) Fail(file_, node, StrCat("unknown capability `", cap, "`"));
    return cap;
  }

  void CheckKeys(const YAML::Node& node, std::initializer_list<std::string_view> keys) {
    for (const auto& kv : node) {
      std::string key = kv.first.as<std::string>();
      bool known = false;
      for (std::string_view k : keys) known |= (k == key);
      if (!known) Fail(file_, kv.first, StrCat("unknown key `", key, "`"));
    }
  }

  static FileArgs ParseFileArgs(const std::string& s) {
    if (s == "positionals") return FileArgs::kPositionals;
    if (s == "last") return FileArgs::kLast;
    if (s == "all_but_last") return FileArgs::kAllButLast;
    if (s == "first") return FileArgs::kFirst;
    return FileArgs::kNone;
  }

  void LoadPrograms(const YAML::Node& root) {
    CheckKeys(root, {"version", "programs", "decoders", "command_variables", "shell_setup_programs",
                     "proxy_variables"});
    for (const std::string& d : List(root["decoders"])) sig_->decoders_.insert(d);
    for (const std::string& v : List(root["command_variables"])) sig_->command_variables_.insert(v);
    for (const std::string& v : List(root["shell_setup_programs"])) sig_->shell_setup_programs_.insert(v);
    for (const std::string& v : List(root["proxy_variables"])) sig_->proxy_variables_.insert(v);
    for (const YAML::Node& entry : root["programs"]) {
      CheckKeys(entry, {"names", "role", "language", "capability", "detail", "short_value",
                        "long_value", "host", "port_option", "host_options", "probe", "reads",
                        "writes", "deletes", "write_options", "when", "skip", "assignments",
                        "string_option", "string_rest", "subcommand_first", "write_if_options",
                        "inspects_only", "stdin_upload", "editor_commands", "command_config",
                        "command_options", "command_args", "shell_escape", "destinations",
                        "remote_shell", "code_options"});
      auto p = std::make_unique<ProgramSig>();
      std::vector<std::string> names = List(entry["names"]);
      if (names.empty()) Fail(file_, entry, "expected `names`");
      p->name = names[0];
      if (entry["role"]) {
        static const std::pair<std::string_view, Role> kRoles[] = {
            {"launcher", Role::kLauncher}, {"shell", Role::kShell}, {"script", Role::kScript},
            {"find", Role::kFind},         {"xargs", Role::kXargs}, {"eval", Role::kEval},
            {"source", Role::kSource},     {"alias", Role::kAlias}, {"fetcher", Role::kFetcher},
            {"crontab", Role::kCrontab}};
        std::string role = entry["role"].as<std::string>();
        bool found = false;
        for (const auto& [n, r] : kRoles)
          if (n == role) p->role = r, found = true;
        if (!found) Fail(file_, entry["role"], StrCat("unknown role `", role, "`"));
      }
      if (entry["language"]) p->language = entry["language"].as<std::string>();
      p->code_options = List(entry["code_options"]);
      if (p->role == Role::kScript && p->code_options.empty() && p->language != "awk")
        Fail(file_, entry, "a script interpreter needs `code_options` (the options whose value is code)");
      if (entry["capability"]) p->capability = Capability(entry["capability"]);
      if (entry["detail"]) p->detail = entry["detail"].as<std::string>();
      if (entry["short_value"])
        for (char c : entry["short_value"].as<std::string>())
          if (static_cast<unsigned char>(c) < 128) p->short_value[static_cast<unsigned char>(c)] = true;
      for (const std::string& l : List(entry["long_value"])) p->long_value.insert(l);
      if (entry["host"]) {
        static const std::pair<std::string_view, HostMode> kModes[] = {
            {"urls", HostMode::kUrls},         {"userhost", HostMode::kUserHost},
            {"hostport", HostMode::kHostPort}, {"targets", HostMode::kTargets},
            {"remote_spec", HostMode::kRemoteSpec}, {"socat", HostMode::kSocat}};
        std::string mode = entry["host"].as<std::string>();
        bool found = false;
        for (const auto& [n, m] : kModes)
          if (n == mode) p->host = m, found = true;
        if (!found) Fail(file_, entry["host"], StrCat("unknown host mode `", mode, "`"));
      }
      if (entry["port_option"]) p->port_option = entry["port_option"].as<std::string>()[0];
      p->host_options = List(entry["host_options"]);
      p->probe = entry["probe"].as<bool>(false);
      if (entry["reads"]) p->reads = ParseFileArgs(entry["reads"].as<std::string>());
      if (entry["writes"]) p->writes = ParseFileArgs(entry["writes"].as<std::string>());
      if (entry["deletes"]) p->deletes = ParseFileArgs(entry["deletes"].as<std::string>());
      p->write_options = List(entry["write_options"]);
      p->write_if_options = List(entry["write_if_options"]);
      p->inspects_only = entry["inspects_only"].as<bool>(false);
      p->editor_commands = List(entry["editor_commands"]);
      p->command_config = List(entry["command_config"]);
      p->command_options = List(entry["command_options"]);
      p->command_args = List(entry["command_args"]);
      p->remote_shell = List(entry["remote_shell"]);
      p->shell_escape = entry["shell_escape"].as<bool>(true);
      p->destinations = entry["destinations"].as<bool>(false);
      p->stdin_upload = entry["stdin_upload"].as<bool>(false);
      p->skip = entry["skip"].as<int>(0);
      p->assignments = entry["assignments"].as<bool>(false);
      if (entry["string_option"]) p->string_option = entry["string_option"].as<std::string>();
      p->string_rest = entry["string_rest"].as<bool>(false);
      p->subcommand_first = entry["subcommand_first"].as<bool>(false);
      if (entry["when"]) {
        for (const YAML::Node& w : entry["when"]) {
          CheckKeys(w, {"options", "value_contains", "value_prefix", "subcommand",
                        "arg_contains", "arg_prefix", "arg_equals", "arg_octal_mask",
                        "min_positionals", "no_args", "no_positionals", "no_command",
                        "suppress", "capability", "detail", "host", "port", "host_options",
                        "without_options", "output_discarded", "urls", "arg_matches",
                        "value_matches"});
          Condition c;
          c.options = List(w["options"]);
          c.value_contains = List(w["value_contains"]);
          c.value_prefix = List(w["value_prefix"]);
          c.subcommands = List(w["subcommand"]);
          c.arg_contains = List(w["arg_contains"]);
          c.arg_prefix = List(w["arg_prefix"]);
          c.arg_equals = List(w["arg_equals"]);
          c.without_options = List(w["without_options"]);
          for (auto [key, field] : {std::pair{"arg_matches", &c.arg_matches},
                                    std::pair{"value_matches", &c.value_matches}}) {
            if (!w[key]) continue;
            auto re = std::make_shared<const re2::RE2>(w[key].as<std::string>(), re2::RE2::Quiet);
            if (!re->ok())
              Fail(file_, w[key], StrCat("`", key, "` is not an RE2 pattern: ", re->error()));
            *field = std::move(re);
          }
          c.output_discarded = w["output_discarded"].as<bool>(false);
          c.urls = w["urls"].as<bool>(false);
          p->urls_clause |= c.urls;
          if (w["arg_octal_mask"])
            c.arg_octal_mask = std::stoul(w["arg_octal_mask"].as<std::string>(), nullptr, 8);
          c.min_positionals = w["min_positionals"].as<int>(-1);
          c.no_args = w["no_args"].as<bool>(false);
          c.no_positionals = w["no_positionals"].as<bool>(false);
          c.no_command = w["no_command"].as<bool>(false);
          c.suppress = w["suppress"].as<bool>(false);
          if (w["capability"]) c.capability = Capability(w["capability"]);
          if (!c.suppress && c.capability.empty())
            Fail(file_, w, "a condition needs `capability` or `suppress: true`");
          if (w["detail"]) c.detail = w["detail"].as<std::string>();
          if (w["host"]) c.host = w["host"].as<std::string>();
          c.port = w["port"].as<int>(-1);
          c.host_options = List(w["host_options"]);
          p->when.push_back(std::move(c));
        }
      }
      for (const std::string& n : names) {
        if (!sig_->by_name_.emplace(n, p.get()).second)
          Fail(file_, entry["names"], StrCat("program `", n, "` listed twice"));
      }
      sig_->programs_.push_back(std::move(p));
    }
  }

  void LoadNetwork(const YAML::Node& root) {
    CheckKeys(root, {"version", "schemes", "hosts", "ports", "wallets"});
    auto rule = [&](const YAML::Node& n) {
      auto r = std::make_unique<HostRule>();
      r->capability = Capability(n["capability"]);
      if (n["detail"]) r->detail = n["detail"].as<std::string>();
      const HostRule* raw = r.get();
      sig_->host_rules_.push_back(std::move(r));
      return raw;
    };
    for (const YAML::Node& n : root["schemes"]) {
      CheckKeys(n, {"schemes", "capability", "detail"});
      const HostRule* r = rule(n);
      for (const std::string& s : List(n["schemes"])) sig_->schemes_[AsciiLower(s)] = r;
    }
    for (const YAML::Node& n : root["hosts"]) {
      CheckKeys(n, {"hosts", "capability", "detail"});
      const HostRule* r = rule(n);
      for (std::string h : List(n["hosts"])) {
        h = AsciiLower(h);
        if (StartsWith(h, "*.")) sig_->suffix_hosts_[h.substr(2)] = r;
        else sig_->exact_hosts_[h] = r;
      }
    }
    for (const YAML::Node& n : root["ports"]) {
      CheckKeys(n, {"ports", "capability", "detail"});
      const HostRule* r = rule(n);
      for (const YAML::Node& p : n["ports"]) sig_->ports_[p.as<int>()] = r;
    }
    for (const YAML::Node& n : root["wallets"]) {
      CheckKeys(n, {"prefixes", "min_length", "max_length", "charset", "option_value_only",
                    "capability", "detail"});
      WalletRule w;
      w.prefixes = List(n["prefixes"]);
      w.min_length = n["min_length"].as<int>();
      w.max_length = n["max_length"].as<int>();
      std::string cs = n["charset"].as<std::string>();
      if (cs == "base58") w.charset = WalletRule::kBase58;
      else if (cs == "bech32") w.charset = WalletRule::kBech32;
      else if (cs == "hex") w.charset = WalletRule::kHex;
      else Fail(file_, n["charset"], "expected base58, bech32 or hex");
      w.option_value_only = n["option_value_only"].as<bool>(false);
      w.capability = Capability(n["capability"]);
      if (n["detail"]) w.detail = n["detail"].as<std::string>();
      sig_->wallets_.push_back(std::move(w));
    }
  }

  void LoadPaths(const YAML::Node& root) {
    CheckKeys(root, {"version", "read", "write", "delete"});
    const char* kKeys[3] = {"read", "write", "delete"};
    for (int access = 0; access < 3; ++access) {
      for (const YAML::Node& n : root[kKeys[access]]) {
        CheckKeys(n, {"capability", "detail", "globs", "basenames", "exclude"});
        PathRule r;
        r.capability = Capability(n["capability"]);
        if (n["detail"]) r.detail = n["detail"].as<std::string>();
        for (std::string& g : List(n["globs"])) {
          PathRule::Glob glob;
          glob.prefix = g.substr(0, g.find_first_of("*?"));
          for (char c : g)
            if (c != '*' && c != '?') glob.example.push_back(c);
          glob.literal = LongestLiteral(g);
          glob.pattern = std::move(g);
          r.globs.push_back(std::move(glob));
        }
        r.basenames = List(n["basenames"]);
        r.exclude = List(n["exclude"]);
        sig_->paths_[access].rules.push_back(std::move(r));
      }
      PathIndex& index = sig_->paths_[access];
      for (uint32_t i = 0; i < index.rules.size(); ++i) {
        const PathRule& r = index.rules[i];
        for (const PathRule::Glob& g : r.globs) {
          std::string_view seg = LeadingSegment(g.prefix);
          // The key must be literal in the pattern, and complete.
          bool complete = !seg.empty() && (g.pattern.size() == seg.size() ||
                                           (g.pattern.size() > seg.size() &&
                                            g.pattern[seg.size()] == '/' &&
                                            g.prefix.size() > seg.size()));
          if (complete) index.by_segment[std::string(seg)].push_back({i, &g});
          else index.unindexed.push_back({i, &g});
        }
        NamePatterns names, excludes;
        for (const std::string& b : r.basenames) names.Add(b);
        for (const std::string& e : r.exclude) excludes.Add(e);
        index.names.push_back(std::move(names));
        index.excludes.push_back(std::move(excludes));
      }
    }
  }

  void LoadScripts(const YAML::Node& root) {
    CheckKeys(root, {"version", "socket", "spawn", "listen", "http", "http_calls", "upload",
                     "decode", "eval", "env", "mining", "burn", "probe", "shell_calls"});
    ScriptSigs& s = sig_->scripts_;
    s.socket = List(root["socket"]);
    s.spawn = List(root["spawn"]);
    s.listen = List(root["listen"]);
    s.http = List(root["http"]);
    s.http_calls = List(root["http_calls"]);
    s.upload = List(root["upload"]);
    s.decode = List(root["decode"]);
    s.eval = List(root["eval"]);
    s.env = List(root["env"]);
    s.mining = List(root["mining"]);
    s.burn = List(root["burn"]);
    s.probe = List(root["probe"]);
    for (const YAML::Node& n : root["shell_calls"]) {
      CheckKeys(n, {"calls", "languages"});
      std::vector<std::string> langs = List(n["languages"]);
      for (std::string& c : List(n["calls"])) s.shell_calls.push_back({std::move(c), langs});
    }
  }

  Signatures* sig_;
  std::string file_;
};

const Signatures& GetSignatures() {
  static const Signatures* const kSignatures = [] {
    auto* s = new Signatures();
    SignatureLoader(s).Load();
    return s;
  }();
  return *kSignatures;
}

const ProgramSig* Signatures::FindProgram(std::string_view program) const {
  auto it = by_name_.find(AbslView(program));
  if (it != by_name_.end()) return it->second;
  // "nc.exe", "python3.EXE": the Windows file of the same program.
  if (program.size() > 4 && absl::EqualsIgnoreCase(AbslView(program.substr(program.size() - 4)), ".exe"))
    return FindProgram(absl::AsciiStrToLower(AbslView(program.substr(0, program.size() - 4))));
  // "python3.11" -> "python3" -> "python"; "pip3" -> "pip".
  size_t end = program.size();
  while (end > 0 && (std::isdigit(static_cast<unsigned char>(program[end - 1])) ||
                     program[end - 1] == '.' || program[end - 1] == '-'))
    --end;
  if (end == program.size() || end == 0) return nullptr;
  it = by_name_.find(AbslView(program.substr(0, end)));
  return it != by_name_.end() ? it->second : nullptr;
}

bool Signatures::IsDecoder(std::string_view program) const {
  return decoders_.contains(AbslView(program));
}

const HostRule* Signatures::FindScheme(std::string_view scheme) const {
  auto it = schemes_.find(AbslView(scheme));
  return it != schemes_.end() ? it->second : nullptr;
}

const HostRule* Signatures::FindHost(std::string_view host) const {
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);
  auto it = exact_hosts_.find(AbslView(host));
  if (it != exact_hosts_.end()) return it->second;
  for (size_t dot = host.find('.'); dot != std::string_view::npos;
       dot = host.find('.', dot + 1)) {
    auto s = suffix_hosts_.find(AbslView(host.substr(dot + 1)));
    if (s != suffix_hosts_.end()) return s->second;
  }
  return nullptr;
}

const HostRule* Signatures::FindPort(int port) const {
  auto it = ports_.find(port);
  return it != ports_.end() ? it->second : nullptr;
}

namespace {

bool InCharset(char c, WalletRule::Charset cs) {
  switch (cs) {
    case WalletRule::kBase58:
      return absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '0' && c != 'O' &&
             c != 'I' && c != 'l';
    case WalletRule::kBech32:
      return (c >= 'a' && c <= 'z' && c != 'b' && c != 'i' && c != 'o') ||
             (c >= '0' && c <= '9' && c != '1');
    case WalletRule::kHex:
      return absl::ascii_isxdigit(static_cast<unsigned char>(c));
  }
  return false;
}

}  // namespace

const WalletRule* Signatures::FindWallet(std::string_view arg, bool as_option_value) const {
  if (arg.size() < 34) return nullptr;
  // Pool logins are WALLET.worker or WALLET+diff.
  size_t cut = arg.find_first_of(".+/:");
  if (cut != std::string_view::npos) arg = arg.substr(0, cut);
  for (const WalletRule& w : wallets_) {
    if (w.option_value_only && !as_option_value) continue;
    if (static_cast<int>(arg.size()) < w.min_length || static_cast<int>(arg.size()) > w.max_length)
      continue;
    for (const std::string& p : w.prefixes) {
      if (!StartsWith(arg, p)) continue;
      bool all = true;
      for (size_t i = p.size(); i < arg.size() && all; ++i) all = InCharset(arg[i], w.charset);
      if (all) return &w;
    }
  }
  return nullptr;
}

const PathRule* Signatures::FindPath(int access, std::string_view path) const {
  if (access < 0 || access > 2) return nullptr;
  const PathIndex& index = paths_[access];
  size_t slash = path.rfind('/');
  std::string_view base = slash == std::string_view::npos ? path : path.substr(slash + 1);
  // Candidate rules as a bitmask (tables hold fewer than 64 rules per access).
  uint64_t hits = 0;
  auto check = [&](const std::vector<PathIndex::Ref>& refs) {
    for (const PathIndex::Ref& ref : refs) {
      if (hits & (uint64_t{1} << ref.rule)) continue;
      const PathRule::Glob& g = *ref.glob;
      if (!path.starts_with(g.prefix)) continue;
      bool m = g.prefix.size() == g.pattern.size()
                   ? path == g.pattern
                   : StrContains(path, g.literal) && GlobMatch(g.pattern, path);
      if (m) hits |= uint64_t{1} << ref.rule;
    }
  };
  std::string_view seg = LeadingSegment(path);
  if (!seg.empty()) {
    auto it = index.by_segment.find(AbslView(seg));
    if (it != index.by_segment.end()) check(it->second);
  }
  check(index.unindexed);
  for (uint32_t i = 0; i < index.rules.size() && i < 64; ++i)
    if (!(hits & (uint64_t{1} << i)) && !index.names[i].empty() && index.names[i].Match(base))
      hits |= uint64_t{1} << i;
  for (uint32_t i = 0; hits && i < index.rules.size() && i < 64; ++i) {
    if (!(hits & (uint64_t{1} << i))) continue;
    if (!index.excludes[i].empty() && index.excludes[i].Match(base)) continue;
    return &index.rules[i];
  }
  return nullptr;
}

const PathRule* Signatures::FindPathByPattern(int access, std::string_view pattern) const {
  if (access < 0 || access > 2) return nullptr;
  const PathIndex& index = paths_[access];
  size_t slash = pattern.rfind('/');
  std::string_view base = slash == std::string_view::npos ? pattern : pattern.substr(slash + 1);
  // A relative pattern (`$DIR`, `dist/*`) is under the working directory,
  // not any of the table's absolute or home paths; a basename of wildcards
  // alone (`*`) names nothing in particular.
  const bool rooted = pattern.starts_with('/') || pattern.starts_with('~');
  const bool named = std::any_of(base.begin(), base.end(), [](char c) {
    return absl::ascii_isalnum(static_cast<unsigned char>(c));
  });
  for (uint32_t i = 0; i < index.rules.size(); ++i) {
    if (rooted)
      for (const PathRule::Glob& g : index.rules[i].globs)
        if (GlobMatch(pattern, g.example)) return &index.rules[i];
    if (named)
      for (const std::string& name : index.names[i].exact)
        if (GlobMatch(base, name)) return &index.rules[i];
  }
  return nullptr;
}

absl::InlinedVector<const HostRule*, 3> Signatures::MatchDestination(
    std::string_view scheme, std::string_view host, int port) const {
  absl::InlinedVector<const HostRule*, 3> found;
  if (!scheme.empty())
    if (const HostRule* r = FindScheme(scheme)) found.push_back(r);
  if (host.empty()) return found;
  if (const HostRule* r = FindHost(host)) {
    found.push_back(r);
  } else if (std::optional<IpAddress> ip = ParseIp(host)) {
    // The metadata address in other spellings (0xa9fea9fe, 2852039166).
    static const IpAddress kMetadata = *ParseIp("169.254.169.254");
    static const HostRule kMetadataRule{std::string(cap::kNetMetadata), "cloud instance metadata service"};
    if (ip->bytes == kMetadata.bytes) found.push_back(&kMetadataRule);
  }
  if (port > 0 && !IsLoopback(host))
    if (const HostRule* r = FindPort(port)) found.push_back(r);
  return found;
}

bool IsLoopback(std::string_view host) {
  if (host == "localhost" || host == "ip6-localhost" || EndsWith(host, ".localhost"))
    return true;
  std::optional<IpAddress> ip = ParseIp(host);
  if (!ip) return false;
  if (ip->is_v4) return ip->bytes[12] == 127 || (ip->bytes[12] == 0 && ip->bytes[15] == 0);
  static const uint8_t kLoop6[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  return std::memcmp(ip->bytes.data(), kLoop6, 16) == 0;
}

}  // namespace classify_internal
}  // namespace rewardguard
