#include "rewardguard/policy/compiled_policy.h"

#include <charconv>

#include "rewardguard/core/capabilities.h"
#include "rewardguard/core/glob.h"

namespace rewardguard {

bool Condition::empty() const {
  return hosts.empty() && cidrs.empty() && ports.empty() && paths.empty() &&
         programs.empty() && tools.empty() && regexes.empty();
}

bool Condition::Holds(const Fact& fact, std::string_view tool) const {
  if (!hosts.empty()) {
    if (fact.host.empty()) return false;
    bool any = false;
    for (const std::string& h : hosts) {
      if (HostMatch(h, fact.host)) {
        any = true;
        break;
      }
    }
    if (!any) return false;
  }
  if (!cidrs.empty()) {
    std::optional<IpAddress> ip = ParseIp(fact.host);
    if (!ip) return false;
    bool any = false;
    for (const Cidr& c : cidrs) {
      if (c.Contains(*ip)) {
        any = true;
        break;
      }
    }
    if (!any) return false;
  }
  if (!ports.empty()) {
    if (fact.port < 0) return false;
    bool any = false;
    for (const PortRange& r : ports) {
      if (r.Contains(fact.port)) {
        any = true;
        break;
      }
    }
    if (!any) return false;
  }
  if (!paths.empty()) {
    bool any = false;
    for (const std::string& g : paths) {
      if (GlobMatch(g, fact.path)) {
        any = true;
        break;
      }
    }
    if (!any) return false;
  }
  if (!programs.empty()) {
    bool any = false;
    for (const std::string& p : programs) {
      if (p == fact.program) {
        any = true;
        break;
      }
    }
    if (!any) return false;
  }
  if (!tools.empty()) {
    bool any = false;
    for (const std::string& t : tools) {
      if (t == tool) {
        any = true;
        break;
      }
    }
    if (!any) return false;
  }
  for (const Regex& r : regexes) {
    if (r.attribute == Attribute::kPort) {
      // As Fact::Get spells it ("" when unknown), without allocating.
      char buf[16];
      char* end = buf;
      if (fact.port >= 0) end = std::to_chars(buf, buf + sizeof(buf), fact.port).ptr;
      if (!RE2::PartialMatch(re2::StringPiece(buf, end - buf), *r.re)) {
        return false;
      }
      continue;
    }
    const std::string& text = r.attribute == Attribute::kProgram ? fact.program
                              : r.attribute == Attribute::kHost  ? fact.host
                              : r.attribute == Attribute::kPath  ? fact.path
                              : r.attribute == Attribute::kUrl   ? fact.url
                                                                 : fact.command;
    if (!RE2::PartialMatch(text, *r.re)) return false;
  }
  return true;
}

std::optional<CapabilityId> CompiledPolicy::FindCapability(
    std::string_view name) const {
  auto it = capability_ids_.find(absl::string_view(name.data(), name.size()));
  if (it == capability_ids_.end()) return std::nullopt;
  return it->second;
}

CapabilityId CompiledPolicy::ResolveCapability(std::string_view name) const {
  for (std::string_view n = name; !n.empty(); n = ParentCapability(n)) {
    if (std::optional<CapabilityId> id = FindCapability(n)) return *id;
  }
  return *FindCapability(cap::kToolUnknown);
}

std::optional<int> CompiledPolicy::FindCategory(std::string_view name) const {
  for (size_t i = 0; i < categories_.size(); ++i) {
    if (categories_[i] == name) return static_cast<int>(i);
  }
  return std::nullopt;
}

const ToolSpec* CompiledPolicy::FindTool(std::string_view name) const {
  auto it = tool_index_.find(absl::string_view(name.data(), name.size()));
  return it == tool_index_.end() ? nullptr : &tools_[it->second];
}

}  // namespace rewardguard
