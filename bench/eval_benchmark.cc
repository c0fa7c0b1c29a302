// Evaluation cost: one structured call, and a step of many envs.
//
//   build/eval_benchmark --benchmark_min_time=0.2
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "rewardguard/eval/evaluator.h"

namespace rewardguard {
namespace {

PolicyPtr Sandbox() {
  static PolicyPtr policy = *LoadBuiltinPolicy("coding-sandbox");
  return policy;
}

// Baseline: parse the same arguments and do nothing else. The distance to
// it is what classification and rule matching cost.
void BM_BaselineCopyArguments(benchmark::State& state) {
  std::string args = R"({"path": "src/rewardguard/eval/evaluator.cc"})";
  for (auto _ : state) {
    std::string copy = args;
    benchmark::DoNotOptimize(copy.data());
  }
}
BENCHMARK(BM_BaselineCopyArguments);

void BM_EvaluateStructuredCall(benchmark::State& state) {
  Evaluator evaluator(Sandbox(), 1);
  const ToolCall calls[] = {
      {"read_file", R"({"path": "src/rewardguard/eval/evaluator.cc"})"},
      {"http_get", R"({"url": "https://example.com/index.html"})"},
  };
  const ToolCall& call = calls[state.range(0)];
  Verdict verdict;
  for (auto _ : state) {
    evaluator.Evaluate(0, call, &verdict);
    benchmark::DoNotOptimize(verdict.action);
  }
  state.SetLabel(state.range(0) == 0 ? "read_file (allow)" : "http_get (block, with reason)");
}
BENCHMARK(BM_EvaluateStructuredCall)->Arg(0)->Arg(1);

void BM_EvaluateBatch(benchmark::State& state) {
  const int num_envs = static_cast<int>(state.range(0));
  const int calls_per_env = 4;
  Evaluator evaluator(Sandbox(), num_envs);
  std::vector<std::string> args;
  std::vector<ToolCall> calls;
  std::vector<int32_t> env_ids;
  const char* tools[] = {"read_file", "write_file", "http_get", "finish"};
  for (int env = 0; env < num_envs; ++env) {
    for (int k = 0; k < calls_per_env; ++k) {
      args.push_back(k == 2 ? "{\"url\": \"https://host" + std::to_string(env) + ".example/\"}"
                            : "{\"path\": \"src/file" + std::to_string(env) + ".py\"}");
      env_ids.push_back(env);
    }
  }
  for (size_t i = 0; i < args.size(); ++i) calls.push_back({tools[i % 4], args[i]});
  std::vector<Verdict> out(calls.size());
  for (auto _ : state) {
    evaluator.EvaluateBatch(calls, env_ids, absl::MakeSpan(out));
    evaluator.ResetAll();
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * calls.size());
}
BENCHMARK(BM_EvaluateBatch)->Arg(1)->Arg(64)->Arg(1024);

}  // namespace
}  // namespace rewardguard

BENCHMARK_MAIN();
