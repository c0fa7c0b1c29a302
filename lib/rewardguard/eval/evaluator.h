// rewardguard/eval/evaluator.h
//
// The Evaluator judges tool calls against a compiled policy, keeping the
// per-env episode state that budgets and flows need.
//
//   PolicyPtr policy = *LoadBuiltinPolicy("coding-sandbox");
//   Evaluator evaluator(policy, /*num_envs=*/64);
//   Verdict v = evaluator.Evaluate(/*env=*/3, ToolCall::Raw("shell", "ls"));
//   evaluator.EvaluateBatch(calls, env_ids, absl::MakeSpan(verdicts));
//   evaluator.Reset(3);  // env 3 started a new episode
//
// Semantics, per event (a tool call):
//  1. Classification turns the call into facts (capability + attributes).
//  2. A rule is considered for a fact when its `match` is the fact's
//     capability or an ancestor (rules are inherited down the tree). It fires
//     when `when` holds and `unless` does not. Where `unless` holds the rule
//     grants an exception: the fact is explicitly allowed by it.
//  3. A fact on which no rule fired and no rule granted an exception gets the
//     policy default (`default`, `default_penalty`). Fail closed: a fact that
//     could not be analyzed (`shell.unanalyzable`, `tool.malformed`,
//     `limit.exceeded`) gets at least `block` when no rule covers it.
//  4. Budgets count, per episode, the events that ran (not prevented) with a
//     matching fact; each such event beyond `max_per_episode` fires.
//  5. Flows fire on an event with a fact matching `then` when a fact
//     matching `after` ran earlier in the episode or is in the same event.
//  6. The verdict's action is the strongest of all that fired (allow < warn
//     < penalize < block < terminate); penalties of everything that fired add
//     up, each rule counted once per event, and are split into cost
//     categories.
//  7. Episode state (capabilities seen, budget counts, the files written:
//     classify/file_memory.h) records only events that ran: in enforce mode
//     those not blocked or terminated, in shadow mode all of them. A later
//     call that runs a written file is judged by what the file holds.
//
// Thread safety: the policy is shared and immutable. Different envs may be
// evaluated concurrently from different threads; one env must not be.
// The hot path never throws and never allocates for short attribute values.
#ifndef REWARDGUARD_EVAL_EVALUATOR_H_
#define REWARDGUARD_EVAL_EVALUATOR_H_

#include <cstdint>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "rewardguard/classify/file_memory.h"
#include "rewardguard/core/event.h"
#include "rewardguard/core/fact.h"
#include "rewardguard/core/tool_call.h"
#include "rewardguard/eval/verdict.h"
#include "rewardguard/policy/loader.h"

namespace rewardguard {
namespace internal {
class EvaluatorPeer;
}  // namespace internal

enum class Mode : uint8_t {
  kEnforce,  // blocked calls do not run; terminate ends the episode
  kShadow,   // nothing is blocked: verdicts are computed and recorded only
};

struct EvaluatorOptions {
  Mode mode = Mode::kEnforce;
};

class Evaluator {
 public:
  // No unguarded training: an Evaluator always holds a policy. Create()
  // returns InvalidArgument for a null `policy` or `num_envs` < 1 (use it
  // where the policy comes from elsewhere, e.g. a binding or a config).
  static absl::StatusOr<Evaluator> Create(PolicyPtr policy, int num_envs,
                                          EvaluatorOptions options = {});
  // Same contract, for callers that hold a policy they just loaded: a null
  // `policy` aborts the process with a message (it never evaluates without
  // one); `num_envs` < 1 is taken as 1.
  Evaluator(PolicyPtr policy, int num_envs, EvaluatorOptions options = {});

  Evaluator(Evaluator&&) = default;
  Evaluator& operator=(Evaluator&&) = default;

  // Judges `call` made in `env` and records it in that env's episode. An env
  // out of range yields a `block` verdict saying so.
  Verdict Evaluate(int env, const ToolCall& call);
  // Same, reusing `out`'s storage.
  void Evaluate(int env, const ToolCall& call, Verdict* out);

  // Judges an event in `env`: a tool call as above, or an observation (what a
  // sandbox saw: a connection, a process start, a GPU sample), classified by
  // classify/observation.h and judged as one call of the tool `sandbox`
  // (kSandboxTool) against the same episode state.
  void Evaluate(int env, const Event& event, Verdict* out);
  // An observation as a JSON line (docs/observations.md); one that cannot be
  // read is judged as tool.malformed (fail closed: it blocks).
  void EvaluateObservationLine(int env, std::string_view json_line, Verdict* out);

  // out[i] = Evaluate(env_ids[i], calls[i]), in order, so calls of one env
  // see each other's effects. Sizes must match (else every out[i] blocks).
  void EvaluateBatch(absl::Span<const ToolCall> calls,
                     absl::Span<const int32_t> env_ids,
                     absl::Span<Verdict> out);

  // Starts a new episode in `env`: clears its budgets, flow state and the
  // files it remembers.
  void Reset(int env);
  void ResetAll();

  // Appends an env on a fresh episode and returns its id (the old
  // num_envs()). Not while any env is being evaluated.
  int AddEnv();

  int num_envs() const { return static_cast<int>(envs_.size()); }
  Mode mode() const { return options_.mode; }
  const CompiledPolicy& policy() const { return *policy_; }
  const PolicyPtr& shared_policy() const { return policy_; }

  // Episode state, for tests and telemetry.
  bool Seen(int env, CapabilityId capability) const;
  int64_t BudgetCount(int env, int budget) const;

 private:
  friend class internal::EvaluatorPeer;  // tests: judges hand-made facts

  struct EnvState {
    CapabilitySet seen;
    std::vector<int64_t> budget_counts;
    FileMemory files;  // what this episode's calls wrote
  };

  // Judges the facts; returns whether the event runs (in enforce mode: not
  // prevented), which is when it counts towards the episode's state.
  bool Judge(int env, std::string_view tool, const FactList& facts, Verdict* out);

  PolicyPtr policy_;
  EvaluatorOptions options_;
  std::vector<EnvState> envs_;
};

}  // namespace rewardguard

#endif  // REWARDGUARD_EVAL_EVALUATOR_H_
