// rewardguard/audit/record.h
//
// A DecisionRecord is one row of the audit trail: an event (a tool call or a
// sandbox observation), where it happened (env, episode, step), the verdict it
// got and the reward it changed. It owns all its strings, so it outlives the
// policy and the verdict it was made from, and it can cross threads.
//
//   Verdict v = evaluator.Evaluate(env, call);
//   DecisionRecord r = MakeRecord(evaluator.policy(), v,
//                                 {.env = env, .episode = ep, .step = t,
//                                  .tool = call.tool, .arguments = call.arguments});
//   sink->Write(std::move(r));  // see sqlite_sink.h
#ifndef REWARDGUARD_AUDIT_RECORD_H_
#define REWARDGUARD_AUDIT_RECORD_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "absl/types/span.h"
#include "rewardguard/core/action.h"
#include "rewardguard/eval/verdict.h"
#include "rewardguard/policy/compiled_policy.h"
#include "rewardguard/policy/loader.h"

namespace rewardguard {

enum class EventKind : uint8_t {
  kCall,         // a tool call the agent made
  kObservation,  // an event the sandbox reported (see classify/observation.h)
};

// "call" / "observation".
std::string_view EventKindName(EventKind kind);
bool ParseEventKind(std::string_view name, EventKind* out);

// A rule, budget or flow that fired on the event, with its own action (an
// `allow` rule fires too: it is what allowed the event).
struct FiredRule {
  std::string id;
  Action action = Action::kAllow;

  friend bool operator==(const FiredRule&, const FiredRule&) = default;
};

struct DecisionRecord {
  // The run the record belongs to: set by the sink that stored it and by
  // replay; ignored when writing (a sink writes to its own run).
  int64_t run_id = 0;
  int64_t env = 0;
  int64_t episode = 0;
  int64_t step = 0;
  EventKind kind = EventKind::kCall;
  std::string tool;       // "sandbox" for observations
  std::string arguments;  // as received: JSON text, raw text or the event line
  Action action = Action::kAllow;
  float penalty = 0.0f;
  // Non-zero costs only, as (category name, cost), in category order.
  absl::InlinedVector<std::pair<std::string, float>, 2> costs;
  // The rules, budgets and flows that fired, in firing order.
  absl::InlinedVector<FiredRule, 2> rules;
  // Capability names classification found, in order.
  absl::InlinedVector<std::string, 2> capabilities;
  std::string reason;
  // The env's reward for the step before and after shaping, when the caller
  // knows them.
  std::optional<double> reward_before;
  std::optional<double> reward_after;
  // Microseconds since the Unix epoch (UTC) when the record was made.
  int64_t timestamp_us = 0;

  friend bool operator==(const DecisionRecord&, const DecisionRecord&) = default;
};

// Where and how an event happened: the part of a record a verdict lacks.
// The views are copied by MakeRecord.
struct RecordContext {
  int64_t env = 0;
  int64_t episode = 0;
  int64_t step = 0;
  EventKind kind = EventKind::kCall;
  std::string_view tool;
  std::string_view arguments;
  std::optional<double> reward_before;
  std::optional<double> reward_after;
  // 0: now.
  int64_t timestamp_us = 0;
};

// Turns `verdict`, produced with `policy`, into a record: rule ids, capability
// and category names are copied, so the record does not depend on either.
// Each fired rule's action is looked up in `policy` (kDefaultRuleId gets the
// policy default, kFailClosedRuleId `block`).
// Cheap enough for the step path (no formatting, a few small copies).
DecisionRecord MakeRecord(const CompiledPolicy& policy, const Verdict& verdict,
                          const RecordContext& context);
// Same, reusing `out`'s storage.
void MakeRecord(const CompiledPolicy& policy, const Verdict& verdict,
                const RecordContext& context, DecisionRecord* out);

// Microseconds since the Unix epoch, from the system clock.
int64_t NowMicros();

// The events of one training step (or any number of events), held compactly
// for the trip to a sink: the step path's way to record.
//
//   EventBatch batch(evaluator.shared_policy());
//   for (...) {                                   // the step loop
//     evaluator.EvaluateBatch(calls, env_ids, absl::MakeSpan(verdicts));
//     for (int i = 0; i < n; ++i)
//       batch.Add(verdicts[i], {.env = env_ids[i], .episode = ep[i], .step = t,
//                               .tool = calls[i].tool, .arguments = calls[i].arguments});
//     RETURN_IF_ERROR(sink->WriteBatch(&batch));  // takes the events; batch is empty again
//   }
//
// Add copies the text (tool, arguments, reason) into one buffer and the rest
// of the verdict as plain numbers: fired rules stay views of the policy's own
// ids (the batch holds the policy, so they remain valid) and are resolved to
// names and actions by whoever consumes the batch, off the step path. Events
// added with timestamp_us == 0 get the time of the batch's first such event
// (one clock read per batch, not per event).
class EventBatch {
 public:
  // `policy` produced the verdicts that will be added; must not be null.
  explicit EventBatch(PolicyPtr policy);

  EventBatch(EventBatch&&) noexcept = default;
  EventBatch& operator=(EventBatch&&) noexcept = default;

  void Add(const Verdict& verdict, const RecordContext& context);

  size_t size() const { return events_.size(); }
  bool empty() const { return events_.empty(); }
  // Forgets the events, keeping the storage.
  void Clear();
  // Clear, and take `policy` (not null) for the events added from now on.
  void Reset(PolicyPtr policy);

  const CompiledPolicy& policy() const { return *policy_; }
  const PolicyPtr& shared_policy() const { return policy_; }

  // Event `i` as a self-contained record (what MakeRecord would have made).
  DecisionRecord Record(size_t i) const;

  // Read access for sinks.
  struct Event {
    int64_t env = 0;
    int64_t episode = 0;
    int64_t step = 0;
    int64_t timestamp_us = 0;
    double reward_before = 0.0;
    double reward_after = 0.0;
    float penalty = 0.0f;
    Action action = Action::kAllow;
    EventKind kind = EventKind::kCall;
    bool has_reward_before = false;
    bool has_reward_after = false;
    uint32_t text_begin = 0;  // tool, then arguments, then reason, in text()
    uint32_t tool_size = 0;
    uint32_t arguments_size = 0;
    uint32_t reason_size = 0;
    uint32_t rules_begin = 0;  // [rules_begin, rules_begin + num_rules) of rule_ids()
    uint16_t num_rules = 0;
    uint16_t num_capabilities = 0;
    uint32_t capabilities_begin = 0;
    uint32_t costs_begin = 0;
    uint16_t num_costs = 0;
  };
  struct Cost {
    uint16_t category = 0;  // index into policy().categories()
    float cost = 0.0f;
  };
  const Event& event(size_t i) const { return events_[i]; }
  std::string_view tool(const Event& e) const {
    return std::string_view(text_).substr(e.text_begin, e.tool_size);
  }
  std::string_view arguments(const Event& e) const {
    return std::string_view(text_).substr(e.text_begin + e.tool_size, e.arguments_size);
  }
  std::string_view reason(const Event& e) const {
    return std::string_view(text_).substr(e.text_begin + e.tool_size + e.arguments_size,
                                          e.reason_size);
  }
  // Views of the policy's rule ids (or kDefaultRuleId / kFailClosedRuleId).
  absl::Span<const std::string_view> rules(const Event& e) const {
    return absl::MakeConstSpan(rule_ids_).subspan(e.rules_begin, e.num_rules);
  }
  absl::Span<const CapabilityId> capabilities(const Event& e) const {
    return absl::MakeConstSpan(capabilities_).subspan(e.capabilities_begin, e.num_capabilities);
  }
  absl::Span<const Cost> costs(const Event& e) const {
    return absl::MakeConstSpan(costs_).subspan(e.costs_begin, e.num_costs);
  }

 private:
  PolicyPtr policy_;
  std::vector<Event> events_;
  std::string text_;
  std::vector<std::string_view> rule_ids_;
  std::vector<CapabilityId> capabilities_;
  std::vector<Cost> costs_;
  int64_t now_us_ = 0;  // the batch's clock reading; 0: not read yet
};

// The action of the rule, budget or flow `id` names in `policy`
// (kDefaultRuleId: the policy default, kFailClosedRuleId: block; unknown:
// allow). Views of the policy's own ids are found by address.
Action FiredRuleAction(const CompiledPolicy& policy, std::string_view id);

}  // namespace rewardguard

#endif  // REWARDGUARD_AUDIT_RECORD_H_
