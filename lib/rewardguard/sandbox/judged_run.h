// rewardguard/sandbox/judged_run.h
//
// A call judged twice: by its text before it runs, then by what it does in
// the sandbox, all against one env's episode. The result has one verdict for
// the call: the text's merged with every observation's (strongest action
// wins, each rule counted once: eval/verdict.h's MergeVerdict).
//
//   Guard guard = *Guard::Create(policy, {.num_envs = 8, .audit_path = "audit.db"});
//   absl::StatusOr<JudgedRun> r = RunShellCommand(sandbox, guard, /*env=*/3, "python3 fetch.py");
//   if (Prevents(r->verdict.action)) ...; reward -= r->verdict.penalty;
//
// Through a Guard, the call and every observation are recorded at the env's
// current step (guard/guard.h); through a bare Evaluator nothing is recorded
// unless the caller passes the result to RecordJudgedRun.
#ifndef REWARDGUARD_SANDBOX_JUDGED_RUN_H_
#define REWARDGUARD_SANDBOX_JUDGED_RUN_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "rewardguard/audit/record.h"
#include "rewardguard/audit/sqlite_sink.h"
#include "rewardguard/eval/evaluator.h"
#include "rewardguard/guard/guard.h"
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

// One env of a Guard as a Judge: the same, and each observation is recorded
// in the guard's audit trail at the env's current step.
class GuardJudge final : public Judge {
 public:
  GuardJudge(Guard* guard, int env) : guard_(guard), env_(env) {}
  void JudgeObservation(const Observation& observation, Verdict* out) override;
  bool enforcing() const override { return guard_->mode() == Mode::kEnforce; }
  // The first error the audit sink reported, if any.
  const absl::Status& audit_status() const { return audit_; }

 private:
  Guard* guard_;
  int env_;
  absl::Status audit_;
};

struct JudgedRun {
  Verdict static_verdict;  // of the text alone
  Verdict verdict;         // the call's: text and observations merged
  bool ran = false;        // false when the text's verdict kept it from running
  RunResult run;           // empty unless `ran`
};

// Judges `command` as a call of `tool` (the policy's shell tool); unless
// that verdict prevents it (enforce mode), runs `/bin/sh -c command` in
// `sandbox` with every observation judged in `env`. An error only when the
// sandbox could not be set up, or (through a Guard) the audit sink failed.
absl::StatusOr<JudgedRun> RunShellCommand(const Sandbox& sandbox, Guard& guard, int env,
                                          std::string_view command,
                                          std::string_view tool = "shell");
absl::StatusOr<JudgedRun> RunShellCommand(const Sandbox& sandbox, Evaluator& evaluator, int env,
                                          std::string_view command,
                                          std::string_view tool = "shell");

// The same for a program and its arguments: the text judged is argv quoted
// as a shell command line (classify/observation.h's QuoteArgv).
absl::StatusOr<JudgedRun> RunProgram(const Sandbox& sandbox, Guard& guard, int env,
                                     absl::Span<const std::string> argv,
                                     std::string_view tool = "shell");
absl::StatusOr<JudgedRun> RunProgram(const Sandbox& sandbox, Evaluator& evaluator, int env,
                                     absl::Span<const std::string> argv,
                                     std::string_view tool = "shell");

// Runs argv with only what it does judged (the caller judged the text
// already, e.g. a Gymnasium wrapper in front of an env that runs commands):
// static_verdict stays `allow`, verdict merges the observations.
absl::StatusOr<JudgedRun> RunObserved(const Sandbox& sandbox, Guard& guard, int env,
                                      absl::Span<const std::string> argv);

// Records the call (its text's verdict, as `context` says: env, episode,
// step, tool, arguments) and then every kept observation with its own
// verdict (kind `observation`, tool `sandbox`, the observation as a JSON
// line) in `sink`, all under the same env/episode/step. For runs judged
// through a bare Evaluator; a Guard records as it judges.
absl::Status RecordJudgedRun(const CompiledPolicy& policy, const JudgedRun& run,
                             const RecordContext& context, AuditSink* sink);

}  // namespace rewardguard

#endif  // REWARDGUARD_SANDBOX_JUDGED_RUN_H_
