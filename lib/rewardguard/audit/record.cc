#include "rewardguard/audit/record.h"

#include <algorithm>
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

Action FiredRuleAction(const CompiledPolicy& policy, std::string_view id) {
  return RuleAction(policy, id);
}

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

EventBatch::EventBatch(PolicyPtr policy) : policy_(std::move(policy)) {}

void EventBatch::Clear() {
  events_.clear();
  text_.clear();
  rule_ids_.clear();
  capabilities_.clear();
  costs_.clear();
  now_us_ = 0;
}

void EventBatch::Reset(PolicyPtr policy) {
  Clear();
  policy_ = std::move(policy);
}

void EventBatch::Add(const Verdict& verdict, const RecordContext& context) {
  Event& e = events_.emplace_back();
  e.env = context.env;
  e.episode = context.episode;
  e.step = context.step;
  if (context.timestamp_us != 0) {
    e.timestamp_us = context.timestamp_us;
  } else {
    if (now_us_ == 0) now_us_ = NowMicros();
    e.timestamp_us = now_us_;
  }
  e.has_reward_before = context.reward_before.has_value();
  e.has_reward_after = context.reward_after.has_value();
  e.reward_before = context.reward_before.value_or(0.0);
  e.reward_after = context.reward_after.value_or(0.0);
  e.penalty = verdict.penalty;
  e.action = verdict.action;
  e.kind = context.kind;
  e.text_begin = static_cast<uint32_t>(text_.size());
  e.tool_size = static_cast<uint32_t>(context.tool.size());
  e.arguments_size = static_cast<uint32_t>(context.arguments.size());
  e.reason_size = static_cast<uint32_t>(verdict.reason.size());
  text_.append(context.tool).append(context.arguments).append(verdict.reason);
  e.rules_begin = static_cast<uint32_t>(rule_ids_.size());
  e.num_rules = static_cast<uint16_t>(verdict.rules.size());
  rule_ids_.insert(rule_ids_.end(), verdict.rules.begin(), verdict.rules.end());
  e.capabilities_begin = static_cast<uint32_t>(capabilities_.size());
  e.num_capabilities = static_cast<uint16_t>(verdict.capabilities.size());
  capabilities_.insert(capabilities_.end(), verdict.capabilities.begin(),
                       verdict.capabilities.end());
  e.costs_begin = static_cast<uint32_t>(costs_.size());
  // Costs are non-negative and sum to the penalty: none without one.
  if (verdict.penalty != 0.0f) {
    const size_t n = std::min(policy_->categories().size(), verdict.costs.size());
    for (size_t c = 0; c < n; ++c)
      if (verdict.costs[c] != 0.0f)
        costs_.push_back(Cost{static_cast<uint16_t>(c), verdict.costs[c]});
  }
  e.num_costs = static_cast<uint16_t>(costs_.size() - e.costs_begin);
}

DecisionRecord EventBatch::Record(size_t i) const {
  const Event& e = events_[i];
  DecisionRecord r;
  r.env = e.env;
  r.episode = e.episode;
  r.step = e.step;
  r.kind = e.kind;
  r.tool = tool(e);
  r.arguments = arguments(e);
  r.action = e.action;
  r.penalty = e.penalty;
  const auto categories = policy_->categories();
  for (const Cost& c : costs(e)) r.costs.emplace_back(categories[c.category], c.cost);
  for (std::string_view id : rules(e))
    r.rules.push_back(FiredRule{std::string(id), RuleAction(*policy_, id)});
  for (CapabilityId id : capabilities(e)) r.capabilities.emplace_back(policy_->capability_name(id));
  r.reason = reason(e);
  if (e.has_reward_before) r.reward_before = e.reward_before;
  if (e.has_reward_after) r.reward_after = e.reward_after;
  r.timestamp_us = e.timestamp_us;
  return r;
}

}  // namespace rewardguard
