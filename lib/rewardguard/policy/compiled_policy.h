// rewardguard/policy/compiled_policy.h
//
// A policy compiled once into an immutable object: interned capability ids,
// ancestor bitsets, rules indexed by capability, compiled conditions. It is
// thread-safe (all methods are const and touch no mutable state) and shared
// by every evaluator that uses it.
//
//   absl::StatusOr<std::shared_ptr<const CompiledPolicy>> policy =
//       LoadPolicyFile("policy.yaml");      // see loader.h
//   CapabilityId id = (*policy)->ResolveCapability("net.egress.http");
//   for (uint16_t r : (*policy)->rules_for(id)) { ... }
#ifndef REWARDGUARD_POLICY_COMPILED_POLICY_H_
#define REWARDGUARD_POLICY_COMPILED_POLICY_H_

#include <bitset>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/types/span.h"
#include "re2/re2.h"
#include "rewardguard/core/action.h"
#include "rewardguard/core/fact.h"
#include "rewardguard/core/limits.h"
#include "rewardguard/core/net.h"
#include "rewardguard/core/tool_spec.h"

namespace rewardguard {

using CapabilityId = uint16_t;
inline constexpr int kMaxCapabilities = 1024;
using CapabilitySet = std::bitset<kMaxCapabilities>;

// A position in a policy file, 1-based, for error messages and `policy test`.
struct SourcePosition {
  int line = 0;
  int column = 0;
};

struct PortRange {
  int lo = 0, hi = 65535;
  bool Contains(int port) const { return port >= lo && port <= hi; }
};

// A rule's `when:` or `unless:` block. Every key that is present must hold
// (AND); a key holds if any of its items does (OR). An empty condition holds.
struct Condition {
  struct Regex {
    Attribute attribute;
    std::unique_ptr<RE2> re;  // partial match (RE2::PartialMatch)
  };
  std::vector<std::string> hosts;       // HostMatch patterns
  std::vector<Cidr> cidrs;              // tested against `host` when it is an IP
  std::vector<PortRange> ports;
  std::vector<std::string> paths;       // GlobMatch patterns
  std::vector<std::string> programs;    // exact program names
  std::vector<std::string> tools;       // exact tool names
  std::vector<Regex> regexes;           // every regex must match its attribute

  bool empty() const;
  // True if every present key holds for `fact`, called through `tool`.
  bool Holds(const Fact& fact, std::string_view tool) const;
};

// The verdict-producing part shared by rules, budgets and flows.
struct Consequence {
  std::string id;
  Action action = Action::kBlock;
  float penalty = 0.0f;
  int category = 0;     // column in the cost matrix (see categories())
  std::string reason;   // human-readable; may be empty
  SourcePosition position;
};

// Fires on a fact whose capability is `match` or a descendant, when `when`
// holds and `unless` does not. Where `unless` holds, the rule grants an
// exception: the fact counts as explicitly allowed by this rule (that is how
// an allow-list is written: `match: net.egress, unless: {host: [...]}`).
struct Rule : Consequence {
  CapabilityId match = 0;
  Condition when;
  std::optional<Condition> unless;
};

// Counts the events with a matching fact in one episode; every event beyond
// `max_per_episode` fires the budget's consequence.
struct Budget : Consequence {
  CapabilityId match = 0;
  Condition when;
  int64_t max_per_episode = 0;
};

// Fires on a fact matching `then` once a fact matching `after` has been seen
// earlier in the episode (or earlier in the same event).
struct Flow : Consequence {
  CapabilityId after = 0;
  CapabilityId then = 0;
};

// An inline test: `rewardguard policy test` evaluates `call` on a fresh
// episode and compares the action (and, if given, the fired rules).
struct PolicyTest {
  std::string tool;
  std::string arguments;  // JSON text
  Action expect = Action::kAllow;
  std::vector<std::string> expect_rules;  // empty: not checked
  SourcePosition position;
};

class CompiledPolicy {
 public:
  CompiledPolicy(const CompiledPolicy&) = delete;
  CompiledPolicy& operator=(const CompiledPolicy&) = delete;

  const std::string& name() const { return name_; }
  // The file's `description:`; empty if none.
  const std::string& description() const { return description_; }
  int version() const { return version_; }
  // The file it came from ("<builtin:coding-sandbox>" for built-ins) and its
  // text, kept for the audit trail.
  const std::string& source_name() const { return source_name_; }
  const std::string& source_text() const { return source_text_; }

  // What a fact gets when no rule fires on it and no rule exempts it.
  Action default_action() const { return default_action_; }
  float default_penalty() const { return default_penalty_; }
  int default_category() const { return default_category_; }

  int num_capabilities() const { return static_cast<int>(capability_names_.size()); }
  const std::string& capability_name(CapabilityId id) const { return capability_names_[id]; }
  // Exact lookup.
  std::optional<CapabilityId> FindCapability(std::string_view name) const;
  // Exact, else the nearest ancestor the taxonomy knows; a name with no known
  // ancestor resolves to `tool.unknown`.
  CapabilityId ResolveCapability(std::string_view name) const;
  // The id itself and all its ancestors.
  const CapabilitySet& self_and_ancestors(CapabilityId id) const { return ancestors_[id]; }
  // Default cost category of the capability (see core/capabilities.h).
  int capability_category(CapabilityId id) const { return capability_category_[id]; }

  absl::Span<const Rule> rules() const { return rules_; }
  // Indices into rules() of the rules whose `match` is `id` or an ancestor
  // of it, in file order.
  absl::Span<const uint16_t> rules_for(CapabilityId id) const { return rules_for_[id]; }
  absl::Span<const Budget> budgets() const { return budgets_; }
  absl::Span<const Flow> flows() const { return flows_; }

  // Cost-matrix columns: the built-in categories, then the policy's own.
  absl::Span<const std::string> categories() const { return categories_; }
  std::optional<int> FindCategory(std::string_view name) const;

  // nullptr for a tool the policy does not map.
  const ToolSpec* FindTool(std::string_view name) const;
  absl::Span<const ToolSpec> tools() const { return tools_; }

  absl::Span<const PolicyTest> tests() const { return tests_; }
  const Limits& limits() const { return limits_; }

 private:
  friend class PolicyCompiler;  // the only writer; see loader.cc
  CompiledPolicy() = default;

  std::string name_, description_, source_name_, source_text_;
  int version_ = 1;
  Action default_action_ = Action::kBlock;
  float default_penalty_ = 0.0f;
  int default_category_ = 0;

  std::vector<std::string> capability_names_;
  absl::flat_hash_map<std::string, CapabilityId> capability_ids_;
  std::vector<CapabilitySet> ancestors_;
  std::vector<int> capability_category_;

  std::vector<Rule> rules_;
  std::vector<std::vector<uint16_t>> rules_for_;
  std::vector<Budget> budgets_;
  std::vector<Flow> flows_;
  std::vector<std::string> categories_;
  std::vector<ToolSpec> tools_;
  absl::flat_hash_map<std::string, int> tool_index_;
  std::vector<PolicyTest> tests_;
  Limits limits_;
};

}  // namespace rewardguard

#endif  // REWARDGUARD_POLICY_COMPILED_POLICY_H_
