#include "rewardguard/policy/internal/compiler.h"

#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "rewardguard/core/capabilities.h"
#include "rewardguard/policy/internal/status.h"

namespace rewardguard {

using policy_internal::ConsequenceAst;
using policy_internal::ErrorAt;
using policy_internal::PolicyAst;
using policy_internal::Text;

namespace {

constexpr std::string_view kUnknownCapabilityHint =
    "expected a capability of the built-in taxonomy or one declared under "
    "`capabilities:`";

bool IsValidCategoryName(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
      return false;
    }
  }
  return true;
}

}  // namespace

absl::StatusOr<std::shared_ptr<const CompiledPolicy>> PolicyCompiler::Compile(
    PolicyAst ast, std::string_view source_name, std::string_view source_text) {
  std::shared_ptr<CompiledPolicy> policy(new CompiledPolicy());
  CompiledPolicy& p = *policy;
  auto error = [source_name](SourcePosition pos, std::string_view message) {
    return ErrorAt(source_name, pos, message);
  };

  p.name_ = std::move(ast.name);
  p.description_ = std::move(ast.description);
  p.source_name_ = std::string(source_name);
  p.source_text_ = std::string(source_text);
  p.version_ = ast.version;
  p.default_action_ = ast.default_action;
  p.default_penalty_ = ast.default_penalty;
  p.limits_ = ast.limits;

  // Categories: the built-ins, then the policy's own.
  for (std::string_view c : BuiltinCategories()) p.categories_.emplace_back(c);
  for (const Text& c : ast.categories) {
    if (!IsValidCategoryName(c.value)) {
      return error(c.position,
                   StrCat("invalid category name `", c.value,
                                "`; expected lowercase letters, digits and "
                                "`_`"));
    }
    if (p.FindCategory(c.value)) {
      return error(c.position, StrCat("duplicate category `", c.value,
                                            "`; it is already defined"));
    }
    if (static_cast<int>(p.categories_.size()) >= kMaxCategories) {
      return error(c.position,
                   StrCat("too many categories: ",
                                BuiltinCategories().size() + ast.categories.size(),
                                "; expected at most ", kMaxCategories,
                                " including the ", BuiltinCategories().size(),
                                " built-in ones"));
    }
    p.categories_.push_back(c.value);
  }
  auto category = [&](const Text& name) -> absl::StatusOr<int> {
    if (std::optional<int> i = p.FindCategory(name.value)) return *i;
    return error(name.position,
                 StrCat("unknown category `", name.value,
                              "`; expected one of: ",
                              StrJoin(p.categories_, ", ")));
  };
  p.default_category_ = *p.FindCategory("unknown");
  if (ast.default_category) {
    absl::StatusOr<int> c = category(*ast.default_category);
    if (!c.ok()) return c.status();
    p.default_category_ = *c;
  }

  // Capabilities: the built-in taxonomy (parents before children), then the
  // declared ones in file order.
  std::vector<int> parent;  // -1 for roots
  std::vector<SourcePosition> declared_at;
  auto intern = [&](std::string_view name, SourcePosition pos) -> absl::Status {
    if (p.capability_names_.size() >= static_cast<size_t>(kMaxCapabilities)) {
      return error(pos, StrCat("too many capabilities; expected at most ",
                                     kMaxCapabilities, " including the ",
                                     BuiltinCapabilities().size(),
                                     " built-in ones"));
    }
    auto id = static_cast<CapabilityId>(p.capability_names_.size());
    p.capability_names_.emplace_back(name);
    p.capability_ids_.emplace(std::string(name), id);
    parent.push_back(-1);
    declared_at.push_back(pos);
    return absl::OkStatus();
  };
  for (const BuiltinCapability& c : BuiltinCapabilities()) {
    RG_POLICY_RETURN_IF_ERROR(intern(c.name, {}));
    std::string_view up = ParentCapability(c.name);
    if (!up.empty()) parent.back() = *p.FindCapability(up);
  }
  const int num_builtin = static_cast<int>(p.capability_names_.size());
  for (const auto& [child, up] : ast.capabilities) {
    if (p.FindCapability(child.value)) {
      return error(child.position,
                   StrCat("capability `", child.value,
                                "` already exists; declare a new name"));
    }
    RG_POLICY_RETURN_IF_ERROR(intern(child.value, child.position));
  }
  for (size_t i = 0; i < ast.capabilities.size(); ++i) {
    const Text& up = ast.capabilities[i].second;
    std::optional<CapabilityId> id = p.FindCapability(up.value);
    if (!id) {
      return error(up.position,
                   StrCat("unknown parent capability `", up.value,
                                "` for `", ast.capabilities[i].first.value,
                                "`; ", kUnknownCapabilityHint));
    }
    parent[num_builtin + i] = *id;
  }
  // Every declared capability must reach a built-in one through its parents.
  const int num_caps = static_cast<int>(p.capability_names_.size());
  for (int start = num_builtin; start < num_caps; ++start) {
    std::vector<int> chain = {start};
    for (int id = parent[start]; id >= num_builtin; id = parent[id]) {
      bool loops = id == start;
      chain.push_back(id);
      if (loops) {
        std::vector<std::string> names;
        for (int c : chain) names.push_back(p.capability_names_[c]);
        return error(declared_at[start],
                     StrCat("capability cycle: `",
                                  StrJoin(names, "` -> `"),
                                  "`; every capability must descend from a "
                                  "built-in one"));
      }
      if (static_cast<int>(chain.size()) > num_caps) break;  // cycle above
    }
  }
  p.ancestors_.resize(num_caps);
  p.capability_category_.assign(num_caps, -1);
  // Parents may be declared after their children: resolve along the chain.
  for (int start = 0; start < num_caps; ++start) {
    std::vector<int> pending;
    int id = start;
    while (id >= 0 && p.capability_category_[id] < 0) {
      pending.push_back(id);
      id = parent[id];
    }
    for (auto it = pending.rbegin(); it != pending.rend(); ++it) {
      int c = *it;
      int up = parent[c];
      if (up >= 0) p.ancestors_[c] = p.ancestors_[up];
      p.ancestors_[c].set(c);
      p.capability_category_[c] =
          c < num_builtin
              ? *p.FindCategory(DefaultCategory(p.capability_names_[c]))
              : p.capability_category_[up];
    }
  }
  auto capability = [&](const Text& name,
                        std::string_view key) -> absl::StatusOr<CapabilityId> {
    if (std::optional<CapabilityId> id = p.FindCapability(name.value)) {
      return *id;
    }
    return error(name.position,
                 StrCat("unknown capability `", name.value, "` for `",
                              key, "`; ", kUnknownCapabilityHint));
  };

  // Harness commands, shared by every shell-analyzed tool.
  std::shared_ptr<const std::vector<HarnessCommand>> harness;
  if (!ast.harness.empty()) {
    auto commands = std::make_shared<std::vector<HarnessCommand>>();
    for (policy_internal::HarnessAst& h : ast.harness) {
      absl::StatusOr<CapabilityId> id = capability(h.capability, "capability");
      if (!id.ok()) return id.status();
      commands->push_back({h.name.value, h.capability.value, h.path_argument, h.until});
    }
    harness = std::move(commands);
  }

  // Tools.
  for (policy_internal::ToolAst& t : ast.tools) {
    ToolSpec spec = std::move(t.spec);
    spec.capability = std::string(cap::kToolCall);
    if (t.capability) {
      absl::StatusOr<CapabilityId> id = capability(*t.capability, "capability");
      if (!id.ok()) return id.status();
      spec.capability = t.capability->value;
    }
    if (spec.analyzer == Analyzer::kShell) spec.harness = harness;
    p.tool_index_.emplace(spec.name, static_cast<int>(p.tools_.size()));
    p.tools_.push_back(std::move(spec));
  }

  // Rules, budgets and flows share one id space.
  absl::flat_hash_map<std::string, SourcePosition> ids;
  auto consequence = [&](ConsequenceAst& in, CapabilityId fires_on,
                         Consequence* out) -> absl::Status {
    auto [it, inserted] = ids.emplace(in.id.value, in.id.position);
    if (!inserted) {
      return error(in.id.position,
                   StrCat("duplicate id `", in.id.value,
                                "`; first defined at ", it->second.line, ":",
                                it->second.column));
    }
    out->id = std::move(in.id.value);
    out->action = in.action;
    out->penalty = in.penalty;
    out->reason = std::move(in.reason);
    out->position = in.position;
    out->category = p.capability_category_[fires_on];
    if (in.category) {
      absl::StatusOr<int> c = category(*in.category);
      if (!c.ok()) return c.status();
      out->category = *c;
    }
    return absl::OkStatus();
  };
  if (ast.rules.size() > std::numeric_limits<uint16_t>::max()) {
    return error(ast.rules.back().position,
                 StrCat("too many rules; expected at most ",
                              std::numeric_limits<uint16_t>::max()));
  }
  for (policy_internal::RuleAst& in : ast.rules) {
    Rule& rule = p.rules_.emplace_back();
    absl::StatusOr<CapabilityId> match = capability(in.match, "match");
    if (!match.ok()) return match.status();
    rule.match = *match;
    RG_POLICY_RETURN_IF_ERROR(consequence(in, *match, &rule));
    if (in.when) rule.when = std::move(in.when->condition);
    if (in.unless) rule.unless = std::move(in.unless->condition);
  }
  p.rules_for_.resize(num_caps);
  for (int id = 0; id < num_caps; ++id) {
    for (size_t r = 0; r < p.rules_.size(); ++r) {
      if (p.ancestors_[id].test(p.rules_[r].match)) {
        p.rules_for_[id].push_back(static_cast<uint16_t>(r));
      }
    }
  }
  for (policy_internal::BudgetAst& in : ast.budgets) {
    Budget& budget = p.budgets_.emplace_back();
    absl::StatusOr<CapabilityId> match = capability(in.match, "match");
    if (!match.ok()) return match.status();
    budget.match = *match;
    RG_POLICY_RETURN_IF_ERROR(consequence(in, *match, &budget));
    if (in.when) budget.when = std::move(in.when->condition);
    budget.max_per_episode = in.max_per_episode;
  }
  for (policy_internal::FlowAst& in : ast.flows) {
    Flow& flow = p.flows_.emplace_back();
    absl::StatusOr<CapabilityId> after = capability(in.after, "after");
    if (!after.ok()) return after.status();
    absl::StatusOr<CapabilityId> then = capability(in.then, "then");
    if (!then.ok()) return then.status();
    flow.after = *after;
    flow.then = *then;
    RG_POLICY_RETURN_IF_ERROR(consequence(in, *then, &flow));
  }

  for (policy_internal::TestAst& in : ast.tests) {
    PolicyTest& test = p.tests_.emplace_back();
    test.tool = std::move(in.tool);
    test.arguments = std::move(in.arguments);
    test.expect = in.expect;
    test.position = in.position;
    for (Text& r : in.rules) {
      if (!ids.contains(r.value)) {
        return error(r.position,
                     StrCat("unknown id `", r.value,
                                  "` in test `rules`; expected the id of a "
                                  "rule, budget or flow"));
      }
      test.expect_rules.push_back(std::move(r.value));
    }
  }
  return std::shared_ptr<const CompiledPolicy>(std::move(policy));
}

}  // namespace rewardguard
