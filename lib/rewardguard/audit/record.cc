#include "rewardguard/audit/record.h"

#include <chrono>

namespace rewardguard {

std::string_view EventKindName(EventKind kind) {
  return kind == EventKind::kObservation ? "observation" : "call";
}

bool ParseEventKind(std::string_view name, EventKind* out) {
  if (name == "call") {
    *out = EventKind::kCall;
  } else if (name == "observation") {
    *out = EventKind::kObservation;
  } else {
    return false;
  }
  return true;
}

namespace {

// The action of the consequence `id` names. Verdicts view the policy's own id
// strings, so a pointer comparison finds it; names are compared as a fallback.
Action RuleAction(const CompiledPolicy& policy, std::string_view id) {
  if (id == kDefaultRuleId) return policy.default_action();
  if (id == kFailClosedRuleId) return Action::kBlock;
  auto find = [&](const auto& list, Action* out) {
    for (const Consequence& c : list)
      if (c.id.data() == id.data()) return *out = c.action, true;
    for (const Consequence& c : list)
      if (c.id == id) return *out = c.action, true;
    return false;
  };
  Action action = Action::kAllow;
  if (find(policy.rules(), &action) || find(policy.budgets(), &action) ||
      find(policy.flows(), &action))
    return action;
  return Action::kAllow;
}

}  // namespace

int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void MakeRecord(const CompiledPolicy& policy, const Verdict& verdict,
                const RecordContext& context, DecisionRecord* out) {
  out->run_id = 0;
  out->env = context.env;
  out->episode = context.episode;
  out->step = context.step;
  out->kind = context.kind;
  out->tool.assign(context.tool);
  out->arguments.assign(context.arguments);
  out->action = verdict.action;
  out->penalty = verdict.penalty;
  out->costs.clear();
  const auto categories = policy.categories();
  for (size_t c = 0; c < categories.size() && c < verdict.costs.size(); ++c) {
    if (verdict.costs[c] != 0.0f) out->costs.emplace_back(categories[c], verdict.costs[c]);
  }
  out->rules.clear();
  out->capabilities.clear();
  for (CapabilityId id : verdict.capabilities)
    out->capabilities.emplace_back(policy.capability_name(id));
  for (std::string_view rule : verdict.rules)
    out->rules.push_back(FiredRule{std::string(rule), RuleAction(policy, rule)});
  out->reason = verdict.reason;
  out->reward_before = context.reward_before;
  out->reward_after = context.reward_after;
  out->timestamp_us = context.timestamp_us != 0 ? context.timestamp_us : NowMicros();
}

DecisionRecord MakeRecord(const CompiledPolicy& policy, const Verdict& verdict,
                          const RecordContext& context) {
  DecisionRecord out;
  MakeRecord(policy, verdict, context, &out);
  return out;
}

}  // namespace rewardguard
