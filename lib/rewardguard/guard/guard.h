// rewardguard/guard/guard.h
//
// The Guard is the object a trainer (or a sandbox, or the `eval` command)
// holds: a policy's Evaluator for `num_envs` envs, a clock per env (episode
// and step), an optional audit sink that records every event keyed by run,
// env, episode and step, the mode (enforce or shadow) and the per-category
// cost weights. Every front end (C++, Python, the command line) assembles
// this one object, so they judge, count and record the same way.
//
//   auto guard = Guard::Create(*LoadPolicy("coding-sandbox"),
//                              {.num_envs = 64, .audit_path = "audit.db", .run_name = "ppo-0412"});
//   if (!guard.ok()) return guard.status();
//   StepResult step;
//   for (...) {                                           // the step loop
//     RETURN_IF_ERROR(guard->EvaluateBatch(calls, env_ids, &step));
//     // step.envs.blocked[e]: do not forward env e's calls; step.envs.costs: [B, C]
//     ...
//     // the sandbox, while env e's calls run:
//     Verdict v = guard->Evaluate(e, Connection{"203.0.113.5", 22});
//     if (Prevents(v.action)) deny_the_connect();
//     ...
//     RETURN_IF_ERROR(guard->Reset(e));                   // env e's episode ended
//   }
//   RETURN_IF_ERROR(guard->CloseAudit());
//
// The clock. Each env is in an episode (0 at first, +1 at every Reset) and at
// a step of it (0 at the episode's start):
//  - EvaluateBatch is one step for every env with an event in it: when the
//    env's current step already holds events, the env first moves to the next
//    step. So consecutive batches are steps 0, 1, 2, ... of the episode.
//  - Evaluate (one event: a sandbox observation, or a caller judging one call
//    at a time) is recorded at the env's current step and does not move the
//    clock: what a sandbox sees while a step's calls run belongs to that step.
//    EndStep moves an env that holds events on to the next step.
//  - SetClock puts an env at a given episode and step, for callers whose
//    events carry their own clock (a recorded trace, the `eval` command).
//
// Observations (core/event.h: Connection, ProcessStart, GpuSample) are
// classified by classify/observation.h and judged as one call of the tool
// kSandboxTool ("sandbox"), against the same episode state as the env's tool
// calls; their audit records are of kind `observation` and keep the
// observation as a JSON line (docs/observations.md).
//
// Mode: in enforce mode an event whose action Prevents() (block, terminate)
// is `blocked`, and terminate ends the episode (`terminated`); in shadow mode
// nothing is blocked or terminated: verdicts are computed, penalized and
// recorded only.
//
// Errors: Create returns InvalidArgument for a null policy, num_envs < 1 or
// weights of the wrong size, and the sink's error when the audit database
// cannot be opened. Evaluation never throws and always fills its verdicts
// (an env out of range gets `block`); what it returns is the audit sink's
// error, which is sticky: once recording failed, nothing more is recorded and
// every later call that records returns that error (audit_status()).
//
// Thread safety: like Evaluator, different envs may be judged concurrently
// only through evaluator(); the Guard's own methods (the clock, the audit
// batch) must not be called concurrently with each other.
#ifndef REWARDGUARD_GUARD_GUARD_H_
#define REWARDGUARD_GUARD_GUARD_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "rewardguard/audit/record.h"
#include "rewardguard/audit/sqlite_sink.h"
#include "rewardguard/core/event.h"
#include "rewardguard/core/fact.h"
#include "rewardguard/core/tool_call.h"
#include "rewardguard/eval/evaluator.h"
#include "rewardguard/eval/step.h"
#include "rewardguard/eval/verdict.h"
#include "rewardguard/policy/loader.h"

namespace rewardguard {

struct GuardOptions {
  // Envs the guard tracks, ids 0..num_envs-1 (AddEnv adds more).
  int num_envs = 1;
  Mode mode = Mode::kEnforce;
  // Audit. With `audit_sink` set, records go there (the guard shares it, and
  // closes it in CloseAudit); else with `audit_path` set, an SqliteSink is
  // opened there for a new run named `run_name`; else nothing is recorded.
  std::shared_ptr<AuditSink> audit_sink;
  std::string audit_path;
  std::string run_name = "guard";
  SinkOptions sink_options;
  // Per-category cost weights w, indexed like CompiledPolicy::categories();
  // empty: all 1 (the weighted penalty is the verdict's penalty).
  std::vector<float> weights;
};

// One batch's verdicts, per event (input order, [N]) and per env ([B]).
struct StepResult {
  int num_envs = 0;
  int num_categories = 0;
  // Per event.
  std::vector<Verdict> verdicts;    // [N]
  std::vector<int8_t> actions;      // [N], an Action
  std::vector<float> penalties;     // [N]
  std::vector<float> costs;         // [N * num_categories], row-major
  std::vector<uint8_t> blocked;     // [N], Prevents(action) in enforce mode
  std::vector<int64_t> flagged;     // indices of the events whose action is not allow
  // Per env, summed over the env's events in the batch (an env without
  // events gets allow and zeros): action, penalty, costs [B, C], terminate
  // and blocked.
  StepColumns envs;

  size_t size() const { return verdicts.size(); }
};

class Guard {
 public:
  static absl::StatusOr<Guard> Create(PolicyPtr policy, GuardOptions options = {});

  // Movable, not copyable. A sink the guard opened closes itself when the
  // last guard holding it goes (its error is lost then: call CloseAudit).
  Guard(Guard&&) = default;
  Guard& operator=(Guard&&) = default;

  // -- judging ---------------------------------------------------------------

  // Judges one event in `env` (a tool call, or an observation judged as tool
  // kSandboxTool), records it in the env's episode state and, with audit,
  // at the env's current step. Does not move the clock. An env out of range
  // gets `block` and is not recorded.
  Verdict Evaluate(int env, const Event& event);
  // Same, reusing `out`'s storage; returns the audit sink's error, if any.
  absl::Status Evaluate(int env, const Event& event, Verdict* out);
  // An observation given as one JSON line (classify/observation.h; a line
  // that cannot be read is `tool.malformed`: fail closed). The record keeps
  // the line as it is.
  absl::Status EvaluateObservationLine(int env, std::string_view json_line, Verdict* out);

  // One step: out->verdicts[i] judges events[i] in env env_ids[i], in order
  // (events of one env see each other's effects), and out's columns are
  // filled. Sizes must match; otherwise every event gets `block`, nothing is
  // recorded and InvalidArgument is returned. Reuses out's storage. Returns
  // the audit sink's error, if any.
  absl::Status EvaluateBatch(absl::Span<const ToolCall> calls, absl::Span<const int32_t> env_ids,
                             StepResult* out);
  absl::Status EvaluateBatch(absl::Span<const Event> events, absl::Span<const int32_t> env_ids,
                             StepResult* out);
  // Observations given as JSON lines, judged as one batch: like Evaluate per
  // line (recorded at the envs' current steps; the clock does not move), with
  // the columns of EvaluateBatch.
  absl::Status ObserveBatch(absl::Span<const std::string_view> json_lines,
                            absl::Span<const int32_t> env_ids, StepResult* out);

  // Records an event that was judged elsewhere (the sandbox decided on its
  // own, e.g. a process killed at a limit) with its verdict, at the env's
  // current step, without judging it or touching episode state. OK without
  // audit; InvalidArgument for an env out of range.
  absl::Status Record(int env, const Event& event, const Verdict& verdict);

  // -- the clock -------------------------------------------------------------

  // Starts a new episode in `env`: its episode number +1, step 0, and the
  // evaluator's episode state (budgets, flows, remembered files) cleared.
  // Asks the audit sink to commit what it has without waiting for it.
  // InvalidArgument for an env out of range (nothing changes then).
  absl::Status Reset(int env);
  // Reset for every env.
  absl::Status ResetAll();
  // Moves `env` to its next step if its current step holds events.
  void EndStep(int env);
  // EndStep for every env.
  void EndStep();
  // Puts `env` at `episode` and `step`. A different episode than the env's
  // clock shows starts a new episode (its state is cleared, as by Reset,
  // without asking the sink to commit). InvalidArgument for an env out of
  // range.
  absl::Status SetClock(int env, int64_t episode, int64_t step);
  int64_t episode(int env) const { return clocks_[env].episode; }
  int64_t step(int env) const { return clocks_[env].step; }
  // Episode numbers of every env, by env.
  std::vector<int64_t> episodes() const;

  // Appends an env on a fresh episode (episode 0, step 0) and returns its
  // index. Not while any env is being judged.
  int AddEnv();
  // The env id that `env`'s audit records carry: `env` itself unless set
  // (a global id across trainer processes, the id an input line named).
  // InvalidArgument for an env out of range.
  absl::Status SetRecordedEnvId(int env, int64_t id);
  int64_t recorded_env_id(int env) const { return clocks_[env].id; }

  // -- weights ---------------------------------------------------------------

  // w, one per cost category.
  absl::Span<const float> weights() const { return weights_; }
  // True when every weight is 1 (the weighted penalty is the penalty).
  bool unit_weights() const { return unit_weights_; }
  // InvalidArgument unless `weights` has one entry per cost category.
  absl::Status SetWeights(absl::Span<const float> weights);
  // The weighted penalty per row of a cost matrix `costs` [n, C] (row-major,
  // C = the policy's categories): out[e] = sum_c costs[e, c] * w[c]
  // (core/penalty.h, the formula the shaping ops use). With unit weights it
  // is `unit_penalties[e]`, the evaluator's own sum. Fills min(n, out.size()).
  void WeightedPenalties(absl::Span<const float> costs, absl::Span<const float> unit_penalties,
                         absl::Span<float> out) const;
  // The same for a step's per-env columns; `out` holds step.num_envs entries.
  void WeightedPenalties(const StepResult& step, absl::Span<float> out) const {
    WeightedPenalties(step.envs.costs, step.envs.penalty, out);
  }
  // rewards[e] = clip(scale * (rewards[e] - costs[e, :] @ w)), in place, for
  // the first rewards.size() rows of `costs` [n, C]: the arithmetic of the
  // shape_step op (core/penalty.h, accumulated in T), for callers that hold
  // plain arrays rather than tensors. clip <= 0: no clipping. T: float, double.
  template <typename T>
  void ShapeRewards(absl::Span<T> rewards, absl::Span<const float> costs, double scale,
                    double clip) const;

  // -- audit -----------------------------------------------------------------

  bool has_audit() const { return sink_ != nullptr; }
  AuditSink* audit_sink() const { return sink_.get(); }
  // The first error of the audit sink, OK if none (or without audit).
  const absl::Status& audit_status() const { return audit_status_; }
  // Returns once everything recorded so far is durable (OK without audit).
  absl::Status FlushAudit();
  // Asks for a commit without waiting (what Reset does).
  absl::Status RequestFlushAudit();
  // Flushes and closes the sink; the guard records nothing afterwards.
  absl::Status CloseAudit();

  // -- introspection ---------------------------------------------------------

  int num_envs() const { return evaluator_.num_envs(); }
  int num_categories() const { return static_cast<int>(evaluator_.policy().categories().size()); }
  Mode mode() const { return evaluator_.mode(); }
  const CompiledPolicy& policy() const { return evaluator_.policy(); }
  const PolicyPtr& shared_policy() const { return evaluator_.shared_policy(); }
  // The evaluator, for episode state (Seen, BudgetCount) and for judging
  // envs concurrently without the clock or audit.
  const Evaluator& evaluator() const { return evaluator_; }
  Evaluator& evaluator() { return evaluator_; }

 private:
  struct Clock {
    int64_t id = 0;  // what records carry as `env`
    int64_t episode = 0;
    int64_t step = 0;
    bool has_events = false;  // the current step holds events
  };

  Guard(Evaluator evaluator, std::shared_ptr<AuditSink> sink);

  bool InRange(int env) const { return env >= 0 && env < num_envs(); }
  // Judges one event into `out`; for observations also sets `observation_json_`
  // when audit is on (the record's arguments).
  void Judge(int env, const Event& event, Verdict* out);
  void JudgeLine(int env, std::string_view json_line, Verdict* out);
  // The batch forms: judge(i, &verdict) for every event, the columns, then
  // record(i, verdict) for those in range. `is_step`: the envs in the batch
  // begin a step first.
  template <typename JudgeFn, typename RecordFn>
  absl::Status Batch(size_t n, absl::Span<const int32_t> env_ids, bool is_step, StepResult* out,
                     JudgeFn judge, RecordFn record);
  // Adds a record of `event` in `env` at its current step to batch_.
  void AddRecord(int env, const Event& event, const Verdict& verdict);
  void AddRecord(int env, EventKind kind, std::string_view tool, std::string_view arguments,
                 const Verdict& verdict);
  // Sends batch_ to the sink; the sticky status.
  absl::Status WriteRecords();
  // Fills out's columns from out->verdicts.
  void Collect(absl::Span<const int32_t> env_ids, StepResult* out) const;
  absl::Status Mismatch(size_t events, size_t env_ids, StepResult* out);
  // Moves env on when its current step holds events (the start of a batch).
  void BeginStep(int env);

  Evaluator evaluator_;
  std::vector<Clock> clocks_;
  std::shared_ptr<AuditSink> sink_;
  absl::Status audit_status_;
  std::vector<float> weights_;
  bool unit_weights_ = true;
  // Reused between calls.
  EventBatch batch_;
  std::string observation_json_;
};

}  // namespace rewardguard

#endif  // REWARDGUARD_GUARD_GUARD_H_
