#include "rewardguard/eval/verdict.h"

#include <algorithm>

namespace rewardguard {

void Verdict::Clear() {
  action = Action::kAllow;
  penalty = 0.0f;
  costs.fill(0.0f);
  rules.clear();
  capabilities.clear();
  reason.clear();
}

namespace {

// The penalty and cost column of the consequence named `id`.
std::pair<float, int> PenaltyOf(const CompiledPolicy& policy, std::string_view id) {
  for (const Rule& r : policy.rules())
    if (r.id == id) return {r.penalty, r.category};
  for (const Budget& b : policy.budgets())
    if (b.id == id) return {b.penalty, b.category};
  for (const Flow& f : policy.flows())
    if (f.id == id) return {f.penalty, f.category};
  return {policy.default_penalty(), policy.default_category()};  // default, fail-closed
}

}  // namespace

void MergeVerdict(const CompiledPolicy& policy, const Verdict& from, Verdict* into) {
  for (std::string_view id : from.rules) {
    if (std::find(into->rules.begin(), into->rules.end(), id) != into->rules.end()) continue;
    into->rules.push_back(id);
    auto [penalty, category] = PenaltyOf(policy, id);
    into->penalty += penalty;
    if (category >= 0 && category < kMaxCategories) into->costs[category] += penalty;
  }
  for (CapabilityId c : from.capabilities)
    if (std::find(into->capabilities.begin(), into->capabilities.end(), c) ==
        into->capabilities.end())
      into->capabilities.push_back(c);
  if (from.action > into->action || into->reason.empty()) {
    if (from.action > into->action) into->action = from.action;
    if (!from.reason.empty()) into->reason = from.reason;
  }
}

}  // namespace rewardguard
