// rewardguard/eval/verdict.h
//
// A Verdict is the evaluator's judgement of one event: the strongest action
// of every rule that fired, the sum of their penalties, that sum split by cost
// category, the rules that fired and a reason a human can read.
//
//   Verdict v = evaluator.Evaluate(env, call);
//   if (Prevents(v.action)) return BlockedObservation(v.reason);
//   reward -= v.penalty;
//
// `rules` views rule ids owned by the policy: valid while the policy lives
// (the Evaluator that produced the verdict keeps it alive).
#ifndef REWARDGUARD_EVAL_VERDICT_H_
#define REWARDGUARD_EVAL_VERDICT_H_

#include <array>
#include <string>
#include <string_view>

#include "absl/container/inlined_vector.h"
#include "rewardguard/core/action.h"
#include "rewardguard/core/capabilities.h"
#include "rewardguard/policy/compiled_policy.h"

namespace rewardguard {

// The id under which a fact that no rule covers is reported.
inline constexpr std::string_view kDefaultRuleId = "default";
// The id under which an uncovered fact that could not be analyzed is
// reported when the policy default is weaker than `block` (fail closed).
inline constexpr std::string_view kFailClosedRuleId = "fail-closed";

struct Verdict {
  Action action = Action::kAllow;
  float penalty = 0.0f;
  // Penalty per cost category, indexed like CompiledPolicy::categories();
  // sums to `penalty`.
  std::array<float, kMaxCategories> costs{};
  // Ids of the rules, budgets and flows that fired, in firing order, each
  // once; kDefaultRuleId when the policy default applied, kFailClosedRuleId
  // when a fact that could not be analyzed was raised to `block`.
  absl::InlinedVector<std::string_view, 4> rules;
  // The capabilities classification found, each once, in order.
  absl::InlinedVector<CapabilityId, 4> capabilities;
  // Empty for `allow`; otherwise which rule decided, why, and on what.
  std::string reason;

  void Clear();
};

// Folds `from` into `into` as if both had been one event: the stronger
// action wins, each rule, budget or flow counts once (a rule already in
// `into` adds no penalty again), and the reason is the one of the stronger
// verdict. Used to give a call that ran in the sandbox one verdict: its
// text's and those of everything it was seen doing.
void MergeVerdict(const CompiledPolicy& policy, const Verdict& from, Verdict* into);

}  // namespace rewardguard

#endif  // REWARDGUARD_EVAL_VERDICT_H_
