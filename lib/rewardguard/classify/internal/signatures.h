// rewardguard/classify/internal/signatures.h
//
// The signature tables of the shell analyzer, parsed once from the embedded
// YAML files (policies/signatures/*.yaml) into immutable lookup structures.
//
//   const Signatures& sig = GetSignatures();
//   if (!sig.ok()) ...                       // a broken table: fail closed
//   const ProgramSig* ssh = sig.FindProgram("ssh");
//
// Private to classify/. Thread-safe: built on first use (function-local
// static), never modified afterwards.
#ifndef REWARDGUARD_CLASSIFY_INTERNAL_SIGNATURES_H_
#define REWARDGUARD_CLASSIFY_INTERNAL_SIGNATURES_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/container/inlined_vector.h"
#include "re2/re2.h"
#include "rewardguard/core/strings.h"

namespace rewardguard {
namespace classify_internal {

enum class Role : uint8_t {
  kNone, kLauncher, kShell, kScript, kFind, kXargs, kEval, kSource, kAlias, kFetcher, kCrontab,
};

enum class HostMode : uint8_t { kNone, kUrls, kUserHost, kHostPort, kTargets, kRemoteSpec, kSocat };

enum class FileArgs : uint8_t { kNone, kPositionals, kLast, kAllButLast, kFirst };

// One `when:` clause set; all present clauses must hold.
struct Condition {
  std::vector<std::string> options;         // "-R", "--exec"
  std::vector<std::string> value_contains;  // value of a matched option contains
  std::vector<std::string> value_prefix;    // value of a matched option starts with
  // The value of a matched option has a match of this RE2 pattern (find's
  // -perm MODE); shared so that Condition stays copyable.
  std::shared_ptr<const re2::RE2> value_matches;
  std::vector<std::string> subcommands;
  std::vector<std::string> arg_contains;
  std::vector<std::string> arg_prefix;
  std::vector<std::string> arg_equals;
  // Some argument has a match of this RE2 pattern (sed's `1e CMD`); shared
  // so that Condition stays copyable.
  std::shared_ptr<const re2::RE2> arg_matches;
  std::vector<std::string> without_options;  // none of these options is present
  uint32_t arg_octal_mask = 0;  // a numeric mode argument with any of these bits
  int min_positionals = -1;
  bool no_args = false;
  bool no_positionals = false;
  bool no_command = false;  // launchers: nothing to run
  bool output_discarded = false;  // stdout goes to /dev/null (`yes > /dev/null`)
  // Some option value or positional is a URL beyond the loopback: one fact
  // per URL, with its host.
  bool urls = false;
  bool suppress = false;    // cancels the program's base capability
  std::string capability;
  std::string detail;
  std::string host;
  int port = -1;
  std::vector<std::string> host_options;
};

struct ProgramSig {
  std::string name;  // first listed name
  Role role = Role::kNone;
  std::string language;  // scripts: python, perl, ruby, node, php, lua, awk
  // Scripts: the options whose value is inline code, as written ("-c",
  // "--eval"); awk reads its first positional instead.
  std::vector<std::string> code_options;
  std::string capability;
  std::string detail;
  bool short_value[128] = {};  // short options that take a value
  absl::flat_hash_set<std::string> long_value;
  HostMode host = HostMode::kNone;
  char port_option = 0;
  std::vector<std::string> host_options;
  bool probe = false;
  FileArgs reads = FileArgs::kNone;
  FileArgs writes = FileArgs::kNone;
  FileArgs deletes = FileArgs::kNone;
  std::vector<std::string> write_options;
  std::vector<std::string> write_if_options;  // sed -i: positionals are written
  bool inspects_only = false;  // ls, stat: arguments are not read for content
  std::vector<std::string> editor_commands;  // vim -c: may hold a shell escape
  std::vector<std::string> command_config;   // git -c core.pager=CMD
  // Options whose value is a command the program runs: "-e" (rsync -e CMD),
  // "--to-command" (also --to-command=CMD), "--checkpoint-action=exec="
  // (the value after a prefix), "-o ProxyCommand=" (a setting given to an
  // option, key compared without case).
  std::vector<std::string> command_options;
  std::vector<std::string> command_args;  // socat exec:CMD: positionals with a prefix
  // Options whose value is the remote shell (rsync -e CMD, scp -S CMD): run
  // with the destination host as its argument, and analyzed so.
  std::vector<std::string> remote_shell;
  // A shell this program starts without a command is a shell escape
  // (false for shell builtins and for programs whose job is to start shells
  // elsewhere: containers, terminal multiplexers).
  bool shell_escape = true;
  bool urls_clause = false;  // some `when:` clause says `urls: true`
  // Its words are read for destinations by shape, as for a program the
  // tables do not know (a database client's host argument).
  bool destinations = false;
  bool stdin_upload = false;   // data fed to stdin is sent to the destination
  std::vector<Condition> when;
  // Launchers.
  int skip = 0;
  bool assignments = false;
  std::string string_option;
  bool string_rest = false;
  bool subcommand_first = false;

  bool TakesValue(char c) const {
    return static_cast<unsigned char>(c) < 128 && short_value[static_cast<unsigned char>(c)];
  }
};

struct HostRule {
  std::string capability;
  std::string detail;
};

struct WalletRule {
  std::vector<std::string> prefixes;
  int min_length = 0;
  int max_length = 0;
  enum Charset : uint8_t { kBase58, kBech32, kHex } charset = kBase58;
  bool option_value_only = false;
  std::string capability;
  std::string detail;
};

struct PathRule {
  std::string capability;
  std::string detail;
  struct Glob {
    std::string pattern;
    std::string prefix;   // literal part before the first wildcard
    std::string example;  // the pattern without its wildcards: a path it matches
    std::string literal;  // its longest run without wildcards or '/': in every match
  };
  std::vector<Glob> globs;
  std::vector<std::string> basenames;
  std::vector<std::string> exclude;
};

// Basename patterns split by shape, so most checks are a hash lookup or a
// suffix/prefix compare rather than a glob match.
struct NamePatterns {
  absl::flat_hash_set<std::string> exact;
  std::vector<std::string> suffixes;  // "*.pem"
  std::vector<std::string> prefixes;  // ".env.*"
  std::vector<std::pair<std::string, std::string>> globs;  // anything else, and its literal
  void Add(const std::string& pattern);
  bool Match(std::string_view name) const;
  bool empty() const {
    return exact.empty() && suffixes.empty() && prefixes.empty() && globs.empty();
  }
};

// The path rules of one access kind, indexed by the leading path segment
// ("/etc", "~/.ssh"); rules keep their order (first match wins).
struct PathIndex {
  std::vector<PathRule> rules;
  struct Ref {
    uint32_t rule;
    const PathRule::Glob* glob;
  };
  absl::flat_hash_map<std::string, std::vector<Ref>> by_segment;
  std::vector<Ref> unindexed;
  std::vector<NamePatterns> names, excludes;  // per rule
};

// Indicators for inline code (scripts.yaml).
struct ScriptSigs {
  std::vector<std::string> socket, spawn, listen, http, http_calls, upload, decode, eval, env,
      mining, burn, probe;
  struct ShellCall {
    std::string call;
    std::vector<std::string> languages;
  };
  std::vector<ShellCall> shell_calls;
};

class Signatures {
 public:
  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }

  // The signature of `program` (a basename), trying "python3.11" as "python3"
  // and "python"; nullptr if none.
  const ProgramSig* FindProgram(std::string_view program) const;
  bool IsDecoder(std::string_view program) const;
  // GIT_SSH_COMMAND, PAGER...: a variable whose value programs run as a command.
  bool IsCommandVariable(std::string_view name) const {
    return command_variables_.contains(AbslView(name));
  }
  // ssh-agent, pyenv...: a program whose output is shell setup meant for
  // `eval "$(program ...)"`, so that eval runs what the program prints.
  bool IsShellSetupProgram(std::string_view name) const {
    return shell_setup_programs_.contains(AbslView(name));
  }
  // http_proxy, ALL_PROXY...: a variable that routes programs' traffic through a proxy.
  bool IsProxyVariable(std::string_view name) const {
    return proxy_variables_.contains(AbslView(name));
  }
  const HostRule* FindScheme(std::string_view scheme) const;
  // Lowercase host or IP literal.
  const HostRule* FindHost(std::string_view host) const;
  const HostRule* FindPort(int port) const;
  // Every finding for a network destination, in order: its scheme, its host
  // (exact, suffix, or the metadata address in any spelling), its port
  // (unless the host is loopback). `host` must be lowercase.
  absl::InlinedVector<const HostRule*, 3> MatchDestination(std::string_view scheme,
                                                           std::string_view host,
                                                           int port) const;
  // A wallet-like `arg`; `as_option_value` says whether it was an option's value.
  const WalletRule* FindWallet(std::string_view arg, bool as_option_value) const;
  // First matching rule for a normalized path, or nullptr.
  const PathRule* FindPath(int access, std::string_view normalized) const;
  // First rule with a path that the normalized glob `pattern` (an argument
  // the shell expands: `/etc/sh*w`) can name, or nullptr. Tried on each
  // rule's globs with their wildcards dropped (`~/.ssh/id_*` as `~/.ssh/id_`)
  // and on its exact basenames.
  const PathRule* FindPathByPattern(int access, std::string_view pattern) const;
  const ScriptSigs& scripts() const { return scripts_; }

 private:
  friend const Signatures& GetSignatures();
  friend class SignatureLoader;
  std::string error_;
  std::vector<std::unique_ptr<ProgramSig>> programs_;
  absl::flat_hash_map<std::string, const ProgramSig*> by_name_;
  absl::flat_hash_set<std::string> decoders_;
  absl::flat_hash_set<std::string> command_variables_;
  absl::flat_hash_set<std::string> shell_setup_programs_;
  absl::flat_hash_set<std::string> proxy_variables_;
  std::vector<std::unique_ptr<HostRule>> host_rules_;
  absl::flat_hash_map<std::string, const HostRule*> schemes_;
  absl::flat_hash_map<std::string, const HostRule*> exact_hosts_;
  absl::flat_hash_map<std::string, const HostRule*> suffix_hosts_;  // "corp.example"
  absl::flat_hash_map<int, const HostRule*> ports_;
  std::vector<WalletRule> wallets_;
  PathIndex paths_[3];  // by FileAccess
  ScriptSigs scripts_;
};

// The tables; if the embedded files are broken, ok() is false and the shell
// analyzer reports every command as unanalyzable.
const Signatures& GetSignatures();

// localhost, *.localhost, 127.0.0.0/8, 0.0.0.0 and ::1 (in any spelling).
bool IsLoopback(std::string_view host);

}  // namespace classify_internal
}  // namespace rewardguard

#endif  // REWARDGUARD_CLASSIFY_INTERNAL_SIGNATURES_H_
