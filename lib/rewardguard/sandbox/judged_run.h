// rewardguard/sandbox/judged_run.h
//
// A call judged twice: by its text before it runs, then by what it does in
// the sandbox, all against one env's episode of an Evaluator. The result has
// one verdict for the call: the text's merged with every observation's
// (strongest action wins, each rule counted once: eval/verdict.h).
//
//   Evaluator evaluator(policy, num_envs);
//   absl::StatusOr<JudgedRun> r =
//       RunShellCommand(sandbox, evaluator, /*env=*/0, "python3 fetch.py");
//   if (Prevents(r->verdict.action)) reward -= r->verdict.penalty;
#ifndef REWARDGUARD_SANDBOX_JUDGED_RUN_H_
#define REWARDGUARD_SANDBOX_JUDGED_RUN_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "rewardguard/audit/record.h"
#include "rewardguard/audit/sqlite_sink.h"
#include "rewardguard/eval/evaluator.h"
#include "rewardguard/sandbox/sandbox.h"

namespace rewardguard {

// One env of an Evaluator as a Judge: each observation is classified
// (classify/observation.h) and judged under the tool name `sandbox`, in the
// env's episode (budgets and flows see it), enforcing unless the evaluator
// is in shadow mode.
class EvaluatorJudge final : public Judge {
 public:
  EvaluatorJudge(Evaluator* evaluator, int env) : evaluator_(evaluator), env_(env) {}
  void JudgeObservation(const Observation& observation, Verdict* out) override;
  bool enforcing() const override { return evaluator_->mode() == Mode::kEnforce; }

 private:
  Evaluator* evaluator_;
  int env_;
};

struct JudgedRun {
  Verdict static_verdict;  // of the text alone
  Verdict verdict;         // the call's: text and observations merged
  bool ran = false;        // false when the text's verdict kept it from running
  RunResult run;           // empty unless `ran`
};

// Judges `command` as a call of `tool` (the policy's shell tool); unless
// that verdict prevents it (enforce mode), runs `/bin/sh -c command` in
// `sandbox` with every observation judged in `env`.
absl::StatusOr<JudgedRun> RunShellCommand(const Sandbox& sandbox, Evaluator& evaluator, int env,
                                          std::string_view command,
                                          std::string_view tool = "shell");

// The same for a program and its arguments: the text judged is argv quoted
// as a shell command line (classify/observation.h's QuoteArgv).
absl::StatusOr<JudgedRun> RunProgram(const Sandbox& sandbox, Evaluator& evaluator, int env,
                                     absl::Span<const std::string> argv,
                                     std::string_view tool = "shell");

// Records the call (its text's verdict, as `context` says: env, episode,
// step, tool, arguments) and then every kept observation with its own
// verdict (kind `observation`, tool `sandbox`, the observation as a JSON
// line) in `sink`, all under the same env/episode/step.
absl::Status RecordJudgedRun(const CompiledPolicy& policy, const JudgedRun& run,
                             const RecordContext& context, AuditSink* sink);

}  // namespace rewardguard

#endif  // REWARDGUARD_SANDBOX_JUDGED_RUN_H_
