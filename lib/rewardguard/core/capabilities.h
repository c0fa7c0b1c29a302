// rewardguard/core/capabilities.h
//
// The built-in capability taxonomy and cost categories.
//
// A capability is a dotted, hierarchical name: `net.egress.ssh` is a child of
// `net.egress`, itself a child of `net`. Rules attached to a node apply to all
// of its descendants. Classification speaks these names; the compiled policy
// interns them into dense ids. Policy files may add nodes under any of them.
//
// Every top-level node carries a default cost category, inherited by its
// descendants, so that a rule without an explicit `category:` still lands in
// a sensible column of the cost matrix.
//
//   for (const BuiltinCapability& c : BuiltinCapabilities()) ...
//   ParentCapability("net.egress.ssh");  // "net.egress"
#ifndef REWARDGUARD_CORE_CAPABILITIES_H_
#define REWARDGUARD_CORE_CAPABILITIES_H_

#include <string_view>

#include "absl/types/span.h"
#include "rewardguard/core/limits.h"  // kMaxCategories

namespace rewardguard {

// Names classification emits for its own bookkeeping. Each is in the
// built-in taxonomy below.
namespace cap {
inline constexpr std::string_view kToolCall = "tool.call";          // a mapped tool with no capability of its own
inline constexpr std::string_view kToolUnknown = "tool.unknown";    // the policy maps no such tool
inline constexpr std::string_view kToolMalformed = "tool.malformed";  // arguments could not be read
inline constexpr std::string_view kShellExec = "shell.exec";
inline constexpr std::string_view kShellUnanalyzable = "shell.unanalyzable";
inline constexpr std::string_view kLimitExceeded = "limit.exceeded";  // input over a safety limit
// An interactive shell started by a program that is not a shell (vim's `:!sh`,
// `find -exec sh`, `awk 'BEGIN{system("sh")}'`).
inline constexpr std::string_view kShellEscape = "process.shell_escape";
// Capabilities the analyzers emit by name (the rest come from the signature
// tables under policies/signatures/). Each is in BuiltinCapabilities()
// (tests/cpp/core: every constant is checked).
inline constexpr std::string_view kFsRead = "fs.read";
inline constexpr std::string_view kFsWrite = "fs.write";
inline constexpr std::string_view kFsDelete = "fs.delete";
inline constexpr std::string_view kNetEgress = "net.egress";
inline constexpr std::string_view kNetEgressHttp = "net.egress.http";
inline constexpr std::string_view kNetEgressUpload = "net.egress.upload";
inline constexpr std::string_view kNetEgressSsh = "net.egress.ssh";
inline constexpr std::string_view kNetReverseShell = "net.reverse_shell";
inline constexpr std::string_view kNetListen = "net.listen";
inline constexpr std::string_view kNetScan = "net.scan";
inline constexpr std::string_view kNetMetadata = "net.metadata";
inline constexpr std::string_view kNetProxy = "net.proxy";
inline constexpr std::string_view kProcessRemoteCode = "process.remote_code";
inline constexpr std::string_view kProcessBackground = "process.background";
inline constexpr std::string_view kProcessEnvDump = "process.env_dump";
inline constexpr std::string_view kComputeBurn = "compute.burn";
inline constexpr std::string_view kComputeMining = "compute.mining";
inline constexpr std::string_view kComputeGpu = "compute.gpu";
inline constexpr std::string_view kEvasionLogTamper = "evasion.log_tamper";
// The constants above and the tool/shell/limit ones, for tests.
absl::Span<const std::string_view> NamedCapabilities();
}  // namespace cap

struct BuiltinCapability {
  std::string_view name;
  std::string_view description;
};

// The taxonomy, parents before children.
absl::Span<const BuiltinCapability> BuiltinCapabilities();

// The built-in cost categories, in column order. Policies may append more.
absl::Span<const std::string_view> BuiltinCategories();

// The default category of a capability: that of its top-level node
// ("network" for `net.*`, ...); "unknown" for names outside the taxonomy.
std::string_view DefaultCategory(std::string_view capability);

// "a.b.c" -> "a.b"; "a" -> "" (the root has no parent).
std::string_view ParentCapability(std::string_view capability);

// True if `ancestor` equals `name` or is one of its dotted prefixes.
bool IsSelfOrAncestor(std::string_view ancestor, std::string_view name);

// Syntax of a capability name: lowercase segments of [a-z0-9_], separated by
// single dots.
bool IsValidCapabilityName(std::string_view name);

// Capabilities that stand for "could not be analyzed". Fail closed: when no
// rule covers them, they get at least `block`, whatever the policy default.
bool IsFailClosedCapability(std::string_view capability);

}  // namespace rewardguard

#endif  // REWARDGUARD_CORE_CAPABILITIES_H_
