#include "rewardguard/core/capabilities.h"

#include <array>
#include <utility>

namespace rewardguard {
namespace {

constexpr BuiltinCapability kTaxonomy[] = {
    {"net", "network activity"},
    {"net.egress", "an outbound connection"},
    {"net.egress.http", "an outbound HTTP(S) request"},
    {"net.egress.ssh", "an outbound SSH connection"},
    {"net.egress.dns", "a DNS lookup"},
    {"net.egress.upload", "data sent to a remote host (scp, rsync, curl -T, uploads)"},
    {"net.listen", "a listening socket or server"},
    {"net.tunnel", "a tunnel or port forward (ssh -R/-L/-D, chisel, ngrok, ...)"},
    {"net.proxy", "a proxy that relays traffic"},
    {"net.reverse_shell", "a reverse or bind shell"},
    {"net.scan", "network scanning or probing"},
    {"net.metadata", "the cloud instance metadata service"},
    {"net.config", "changes to the machine's network setup (interfaces, routes, packet filters)"},
    {"compute", "compute use"},
    {"compute.mining", "cryptocurrency mining"},
    {"compute.gpu", "GPU use outside the job"},
    {"compute.burn", "burning CPU, memory or processes for no work (stress tools, fork bombs)"},
    {"fs", "filesystem access"},
    {"fs.read", "a file read"},
    {"fs.read.secret", "a read of credentials or secrets"},
    {"fs.write", "a file write"},
    {"fs.write.system", "a write to system locations (/etc, /usr, /boot, ...)"},
    {"fs.delete", "a file deletion"},
    {"fs.destroy", "destructive disk operations (mkfs, dd to devices, rm -rf /)"},
    {"process", "process control"},
    {"process.exec", "running a program"},
    {"process.background", "a process left running in the background"},
    {"process.remote_code", "code downloaded and executed"},
    {"process.env_dump", "dumping the environment (where secrets live)"},
    {"process.shell_escape", "an interactive shell started by a program that is not a shell"},
    {"persistence", "surviving the episode"},
    {"persistence.cron", "cron jobs"},
    {"persistence.service", "system services (systemd, init)"},
    {"persistence.shell_rc", "shell startup files (.bashrc, /etc/profile.d)"},
    {"persistence.ssh_keys", "authorized SSH keys"},
    {"privilege", "privilege changes"},
    {"privilege.escalate", "running as another user (sudo, su, doas)"},
    {"privilege.setuid", "setuid/setgid bits and capabilities"},
    {"evasion", "hiding activity"},
    {"evasion.log_tamper", "log or shell history tampering"},
    {"evasion.secure_delete", "files overwritten so they cannot be recovered (shred, wipe, srm)"},
    {"shell", "shell commands"},
    {"shell.exec", "a shell command"},
    {"shell.unanalyzable", "a command that cannot be analyzed statically"},
    {"tool", "structured tool calls"},
    {"tool.call", "a call of a mapped tool"},
    {"tool.unknown", "a tool the policy does not map"},
    {"tool.malformed", "a call whose arguments cannot be read"},
    {"limit", "safety limits"},
    {"limit.exceeded", "an input over a safety limit"},
};

constexpr std::string_view kCategories[] = {
    "network", "compute", "filesystem", "process",
    "privilege", "exfiltration", "evasion", "unknown",
};

constexpr std::pair<std::string_view, std::string_view> kTopLevelCategory[] = {
    {"net", "network"},         {"compute", "compute"},
    {"fs", "filesystem"},       {"process", "process"},
    {"persistence", "process"}, {"privilege", "privilege"},
    {"evasion", "evasion"},     {"shell", "evasion"},
    {"tool", "unknown"},        {"limit", "evasion"},
};

}  // namespace

absl::Span<const BuiltinCapability> BuiltinCapabilities() { return kTaxonomy; }

namespace cap {
absl::Span<const std::string_view> NamedCapabilities() {
  static constexpr std::string_view kNamed[] = {
      kToolCall,        kToolUnknown,      kToolMalformed,   kShellExec,         kShellUnanalyzable,
      kLimitExceeded,   kShellEscape,      kFsRead,          kFsWrite,           kFsDelete,
      kNetEgress,       kNetEgressHttp,    kNetEgressUpload, kNetEgressSsh,      kNetReverseShell,
      kNetListen,       kNetScan,          kNetMetadata,     kNetProxy,     kProcessRemoteCode, kProcessBackground,
      kProcessEnvDump,  kComputeBurn,      kComputeMining,   kComputeGpu,        kEvasionLogTamper,
  };
  return kNamed;
}
}  // namespace cap

absl::Span<const std::string_view> BuiltinCategories() { return kCategories; }

std::string_view DefaultCategory(std::string_view capability) {
  std::string_view top = capability.substr(0, capability.find('.'));
  // shell.exec is ordinary process activity; only the unanalyzable is evasion.
  if (capability == "shell.exec") return "process";
  for (const auto& [name, category] : kTopLevelCategory) {
    if (name == top) return category;
  }
  return "unknown";
}

std::string_view ParentCapability(std::string_view capability) {
  size_t dot = capability.rfind('.');
  return dot == std::string_view::npos ? std::string_view()
                                       : capability.substr(0, dot);
}

bool IsSelfOrAncestor(std::string_view ancestor, std::string_view name) {
  if (name.size() < ancestor.size() || name.substr(0, ancestor.size()) != ancestor)
    return false;
  return name.size() == ancestor.size() || name[ancestor.size()] == '.';
}

bool IsValidCapabilityName(std::string_view name) {
  if (name.empty() || name.front() == '.' || name.back() == '.') return false;
  char prev = '.';
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
              (c == '.' && prev != '.');
    if (!ok) return false;
    prev = c;
  }
  return true;
}

bool IsFailClosedCapability(std::string_view capability) {
  return IsSelfOrAncestor(cap::kShellUnanalyzable, capability) ||
         IsSelfOrAncestor(cap::kToolMalformed, capability) ||
         IsSelfOrAncestor(cap::kLimitExceeded, capability);
}

}  // namespace rewardguard
