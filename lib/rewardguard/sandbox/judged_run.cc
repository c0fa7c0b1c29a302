#include "rewardguard/sandbox/judged_run.h"

#include <variant>
#include <vector>

#include "rewardguard/classify/observation.h"
#include "rewardguard/core/tool_call.h"

namespace rewardguard {
namespace {

// What both forms share: the text first, then the run, then the merge.
template <typename JudgeText, typename MakeJudge>
absl::StatusOr<JudgedRun> JudgeThenRun(const Sandbox& sandbox, const CompiledPolicy& policy,
                                       Mode mode, JudgeText judge_text, MakeJudge make_judge,
                                       absl::Span<const std::string> argv) {
  JudgedRun out;
  if (absl::Status s = judge_text(&out.static_verdict); !s.ok()) return s;
  out.verdict = out.static_verdict;
  if (mode == Mode::kEnforce && Prevents(out.static_verdict.action)) return out;
  auto judge = make_judge();
  absl::StatusOr<RunResult> run = sandbox.Run(argv, judge);
  if (!run.ok()) return run.status();
  out.ran = true;
  out.run = *std::move(run);
  for (const Observed& o : out.run.observations) MergeVerdict(policy, o.verdict, &out.verdict);
  if constexpr (std::is_same_v<decltype(judge), GuardJudge>) {
    if (!judge.audit_status().ok()) return judge.audit_status();
  }
  return out;
}

absl::StatusOr<JudgedRun> ViaGuard(const Sandbox& sandbox, Guard& guard, int env,
                                   std::string_view text, std::string_view tool,
                                   absl::Span<const std::string> argv) {
  return JudgeThenRun(
      sandbox, guard.policy(), guard.mode(),
      [&](Verdict* v) { return guard.Evaluate(env, Event(ToolCall::Raw(tool, text)), v); },
      [&] { return GuardJudge(&guard, env); }, argv);
}

absl::StatusOr<JudgedRun> ViaEvaluator(const Sandbox& sandbox, Evaluator& evaluator, int env,
                                       std::string_view text, std::string_view tool,
                                       absl::Span<const std::string> argv) {
  return JudgeThenRun(
      sandbox, evaluator.policy(), evaluator.mode(),
      [&](Verdict* v) {
        evaluator.Evaluate(env, ToolCall::Raw(tool, text), v);
        return absl::OkStatus();
      },
      [&] { return EvaluatorJudge(&evaluator, env); }, argv);
}

std::vector<std::string> ShellArgv(std::string_view command) {
  return {"/bin/sh", "-c", std::string(command)};
}

}  // namespace

void EvaluatorJudge::JudgeObservation(const Observation& observation, Verdict* out) {
  const Event event = std::visit([](const auto& o) { return Event(o); }, observation);
  evaluator_->Evaluate(env_, event, out);
}

void GuardJudge::JudgeObservation(const Observation& observation, Verdict* out) {
  const Event event = std::visit([](const auto& o) { return Event(o); }, observation);
  absl::Status s = guard_->Evaluate(env_, event, out);
  if (audit_.ok() && !s.ok()) audit_ = s;
}

absl::StatusOr<JudgedRun> RunShellCommand(const Sandbox& sandbox, Guard& guard, int env,
                                          std::string_view command, std::string_view tool) {
  return ViaGuard(sandbox, guard, env, command, tool, ShellArgv(command));
}

absl::StatusOr<JudgedRun> RunShellCommand(const Sandbox& sandbox, Evaluator& evaluator, int env,
                                          std::string_view command, std::string_view tool) {
  return ViaEvaluator(sandbox, evaluator, env, command, tool, ShellArgv(command));
}

absl::StatusOr<JudgedRun> RunProgram(const Sandbox& sandbox, Guard& guard, int env,
                                     absl::Span<const std::string> argv, std::string_view tool) {
  if (argv.empty()) return absl::InvalidArgumentError("argv must name a program");
  return ViaGuard(sandbox, guard, env, QuoteArgv(argv), tool, argv);
}

absl::StatusOr<JudgedRun> RunProgram(const Sandbox& sandbox, Evaluator& evaluator, int env,
                                     absl::Span<const std::string> argv, std::string_view tool) {
  if (argv.empty()) return absl::InvalidArgumentError("argv must name a program");
  return ViaEvaluator(sandbox, evaluator, env, QuoteArgv(argv), tool, argv);
}

absl::StatusOr<JudgedRun> RunObserved(const Sandbox& sandbox, Guard& guard, int env,
                                      absl::Span<const std::string> argv) {
  if (argv.empty()) return absl::InvalidArgumentError("argv must name a program");
  return JudgeThenRun(
      sandbox, guard.policy(), guard.mode(), [](Verdict*) { return absl::OkStatus(); },
      [&] { return GuardJudge(&guard, env); }, argv);
}

absl::Status RecordJudgedRun(const CompiledPolicy& policy, const JudgedRun& run,
                             const RecordContext& context, AuditSink* sink) {
  std::vector<DecisionRecord> records;
  records.push_back(MakeRecord(policy, run.static_verdict, context));
  for (const Observed& o : run.run.observations) {
    const std::string line = ObservationJson(o.observation);
    RecordContext c = context;
    c.kind = EventKind::kObservation;
    c.tool = kSandboxTool;
    c.arguments = line;
    c.reward_before.reset();
    c.reward_after.reset();
    records.push_back(MakeRecord(policy, o.verdict, c));
  }
  return sink->WriteBatch(absl::MakeSpan(records));
}

}  // namespace rewardguard
