#include "rewardguard/sandbox/judged_run.h"

#include "rewardguard/classify/observation.h"
#include "rewardguard/core/tool_call.h"

namespace rewardguard {
namespace {

absl::StatusOr<JudgedRun> JudgeThenRun(const Sandbox& sandbox, Evaluator& evaluator, int env,
                                       std::string_view text, std::string_view tool,
                                       absl::Span<const std::string> argv) {
  JudgedRun out;
  evaluator.Evaluate(env, ToolCall::Raw(tool, text), &out.static_verdict);
  out.verdict = out.static_verdict;
  if (evaluator.mode() == Mode::kEnforce && Prevents(out.static_verdict.action)) return out;
  EvaluatorJudge judge(&evaluator, env);
  absl::StatusOr<RunResult> run = sandbox.Run(argv, judge);
  if (!run.ok()) return run.status();
  out.ran = true;
  out.run = *std::move(run);
  for (const Observed& o : out.run.observations)
    MergeVerdict(evaluator.policy(), o.verdict, &out.verdict);
  return out;
}

}  // namespace

void EvaluatorJudge::JudgeObservation(const Observation& observation, Verdict* out) {
  thread_local FactList facts;
  facts.clear();
  ClassifyObservation(observation, evaluator_->policy().limits(), &facts);
  evaluator_->EvaluateFacts(env_, kSandboxTool, facts, out);
}

absl::StatusOr<JudgedRun> RunShellCommand(const Sandbox& sandbox, Evaluator& evaluator, int env,
                                          std::string_view command, std::string_view tool) {
  const std::vector<std::string> argv = {"/bin/sh", "-c", std::string(command)};
  return JudgeThenRun(sandbox, evaluator, env, command, tool, argv);
}

absl::StatusOr<JudgedRun> RunProgram(const Sandbox& sandbox, Evaluator& evaluator, int env,
                                     absl::Span<const std::string> argv, std::string_view tool) {
  if (argv.empty()) return absl::InvalidArgumentError("argv must name a program");
  return JudgeThenRun(sandbox, evaluator, env, QuoteArgv(argv), tool, argv);
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
