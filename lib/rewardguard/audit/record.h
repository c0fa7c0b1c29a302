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

#include "absl/container/inlined_vector.h"
#include "rewardguard/core/action.h"
#include "rewardguard/eval/verdict.h"
#include "rewardguard/policy/compiled_policy.h"

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

}  // namespace rewardguard

#endif  // REWARDGUARD_AUDIT_RECORD_H_
