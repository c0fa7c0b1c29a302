#include "rewardguard/cli/sandbox_command.h"

#include <ostream>
#include <type_traits>
#include <variant>

#include "absl/time/clock.h"
#include "fmt/format.h"
#include "rewardguard/guard/guard.h"
#include "rewardguard/classify/observation.h"
#include "rewardguard/cli/commands.h"
#include "rewardguard/core/capabilities.h"
#include "rewardguard/core/json.h"
#include "rewardguard/sandbox/judged_run.h"

namespace rewardguard {
namespace {

// The observation's own fields, as `"key":value,` pairs for one JSON object.
std::string ObservationFields(const Observation& observation) {
  std::string json = ObservationJson(observation);  // {"type":...,...}
  // Reuse the observation format, renaming "type" to "kind".
  return "\"kind\"" + json.substr(7, json.size() - 8) + ",";
}

// Whether `policy` lets a program use the GPU (compute.gpu allowed).
bool AllowsGpu(const PolicyPtr& policy) {
  Evaluator probe(policy, 1);
  Verdict v;
  probe.Evaluate(0, Event(GpuSample{}), &v);  // a GPU used by an unnamed process
  return v.action == Action::kAllow;
}

}  // namespace

int RunSandboxCommand(const SandboxCommandOptions& options, std::ostream& out,
                      std::ostream& err) {
  const PolicyPtr policy = LoadPolicyOrReport(options.policy, err);
  if (policy == nullptr) return 2;
  if (options.argv.empty()) {
    err << "error: name the program to run after `--`\n";
    return 2;
  }
  SandboxOptions sandbox_options;
  sandbox_options.workspace = options.workspace;
  sandbox_options.read_only_paths = options.read_only;
  sandbox_options.timeout = absl::Seconds(options.timeout_seconds);
  sandbox_options.max_output_bytes = options.max_output_bytes;
  sandbox_options.gpu = AllowsGpu(policy);
  absl::StatusOr<Sandbox> sandbox = Sandbox::Create(sandbox_options);
  if (!sandbox.ok()) {
    err << "error: " << sandbox.status().message() << "\n";
    return sandbox.status().code() == absl::StatusCode::kInvalidArgument ? 2 : 3;
  }

  GuardOptions guard_options;
  guard_options.mode = options.mode;
  guard_options.audit_path = options.audit_path;
  guard_options.run_name = options.run_name.empty()
                               ? fmt::format("sandbox-{}", absl::ToUnixSeconds(absl::Now()))
                               : options.run_name;
  absl::StatusOr<Guard> guard = Guard::Create(policy, std::move(guard_options));
  if (!guard.ok()) {
    err << "error: " << guard.status().message() << "\n";
    return 3;
  }
  absl::StatusOr<JudgedRun> judged = RunProgram(*sandbox, *guard, 0, options.argv);
  if (!judged.ok()) {
    err << "error: " << judged.status().message() << "\n";
    return 3;
  }
  const CompiledPolicy& p = *policy;
  const RunResult& r = judged->run;
  std::string verdict = VerdictJson(p, judged->verdict);
  std::string json = fmt::format(
      R"({{"exit_code":{},"signal":{},"timed_out":{},"terminated":{},"oom_killed":{},)"
      R"("pids_limit_hit":{},"ran":{},)",
      r.exit_code, r.signal, r.timed_out, r.terminated, r.oom_killed, r.pids_limit_hit,
      judged->ran);
  json += verdict.substr(1, verdict.size() - 2);  // action, penalty, rules, ..., reason
  json += ",\"static\":" + VerdictJson(p, judged->static_verdict) + ",\"observations\":[";
  for (size_t i = 0; i < r.observations.size(); ++i) {
    const Observed& o = r.observations[i];
    if (i) json += ",";
    const std::string v = VerdictJson(p, o.verdict);
    json += "{" + ObservationFields(o.observation) +
            fmt::format(R"("prevented":{},"pid":{},)", o.prevented, o.pid) +
            v.substr(1, v.size() - 1);
  }
  json += fmt::format(R"(],"observations_not_kept":{},"stdout":)", r.observations_not_kept);
  AppendJsonString(&json, r.stdout_text);
  json += ",\"stderr\":";
  AppendJsonString(&json, r.stderr_text);
  json += fmt::format(R"(,"stdout_bytes":{},"stderr_bytes":{},"limits":)", r.stdout_bytes,
                      r.stderr_bytes);
  AppendJsonString(&json, r.limits);
  json += fmt::format(R"(,"wall_ms":{:.3f}}})", absl::ToDoubleMilliseconds(r.wall));
  out << json << "\n";

  if (absl::Status closed = guard->CloseAudit(); !closed.ok()) {
    err << "error: " << closed.message() << "\n";
    return 3;
  }
  return 0;
}

}  // namespace rewardguard
