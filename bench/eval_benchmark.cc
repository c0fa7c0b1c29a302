// Evaluation cost: one structured call, and a step of many envs.
//
//   build/eval_benchmark --benchmark_min_time=0.2
#include <cstdint>
#include <string>
#include <vector>

#include "alloc_counter.h"
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
  evaluator.Evaluate(0, call, &verdict);  // warm: the verdict's storage exists
  const uint64_t allocations = rewardguard_bench::Allocations();
  for (auto _ : state) {
    evaluator.Evaluate(0, call, &verdict);
    benchmark::DoNotOptimize(verdict.action);
  }
  state.counters["allocs/call"] = rewardguard_bench::AllocationsPerIteration(state, allocations);
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

// Physical limit of one structured call: reading its tool name and JSON
// arguments once (a byte sum, so every byte is touched).
void BM_StructuredScanLimit(benchmark::State& state) {
  const std::string tool = state.range(0) == 0 ? "read_file" : "http_get";
  const std::string args = state.range(0) == 0 ? R"({"path": "src/rewardguard/eval/evaluator.cc"})"
                                               : R"({"url": "https://example.com/index.html"})";
  for (auto _ : state) {
    uint32_t sum = 0;
    for (unsigned char c : tool) sum += c;
    for (unsigned char c : args) sum += c;
    benchmark::DoNotOptimize(sum);
  }
  state.SetLabel(state.range(0) == 0 ? "read_file bytes" : "http_get bytes");
}
BENCHMARK(BM_StructuredScanLimit)->Arg(0)->Arg(1);

// One training step of a coding agent: B envs, 4 calls each, mixed like a
// real trace: a typical shell command, a file read, a file write, a short
// shell command; every 16th env also tries an outbound request (blocked).
// Arguments vary per env (nothing is shared or cached across envs). The
// episode state is reset between steps so budgets never saturate.
struct MixedStep {
  std::vector<std::string> tools, args;
  std::vector<ToolCall> calls;
  std::vector<int32_t> env_ids;
  int64_t bytes = 0;
  explicit MixedStep(int num_envs) {
    for (int env = 0; env < num_envs; ++env) {
      const std::string e = std::to_string(env);
      auto add = [&](std::string tool, std::string a) {
        tools.push_back(std::move(tool));
        args.push_back(std::move(a));
        env_ids.push_back(env);
      };
      add("shell", "{\"command\": \"cd /workspace/repo && python -m pytest -q tests/test_" + e +
                       ".py 2>&1 | tail -n 20\"}");
      add("read_file", "{\"path\": \"src/module" + e + ".py\"}");
      add("write_file", "{\"path\": \"src/module" + e + ".py\", \"content\": \"def f():\\n    return " + e +
                            "\\n\"}");
      add("shell", env % 16 == 15 ? "{\"command\": \"curl -s https://example.com/" + e + "\"}"
                                  : "{\"command\": \"git diff --stat HEAD~" + std::to_string(env % 5 + 1) +
                                        "\"}");
    }
    for (size_t i = 0; i < args.size(); ++i) {
      calls.push_back({tools[i], args[i]});
      bytes += static_cast<int64_t>(tools[i].size() + args[i].size());
    }
  }
};

void BM_StepMixed(benchmark::State& state) {
  const int num_envs = static_cast<int>(state.range(0));
  Evaluator evaluator(Sandbox(), num_envs);
  MixedStep step(num_envs);
  std::vector<Verdict> out(step.calls.size());
  evaluator.EvaluateBatch(step.calls, step.env_ids, absl::MakeSpan(out));  // warm
  evaluator.ResetAll();
  const uint64_t allocations = rewardguard_bench::Allocations();
  for (auto _ : state) {
    evaluator.EvaluateBatch(step.calls, step.env_ids, absl::MakeSpan(out));
    evaluator.ResetAll();
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["allocs/call"] =
      rewardguard_bench::AllocationsPerIteration(state, allocations) / static_cast<double>(step.calls.size());
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(step.calls.size()));
  state.SetBytesProcessed(state.iterations() * step.bytes);
  state.counters["calls"] = static_cast<double>(step.calls.size());
}
BENCHMARK(BM_StepMixed)->Arg(1)->Arg(64)->Arg(1024);

// Physical limit of the same step: every byte of every call read once.
void BM_StepScanLimit(benchmark::State& state) {
  MixedStep step(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    uint32_t sum = 0;
    for (const ToolCall& c : step.calls) {
      for (unsigned char ch : c.tool) sum += ch;
      for (unsigned char ch : c.arguments) sum += ch;
    }
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(step.calls.size()));
  state.SetBytesProcessed(state.iterations() * step.bytes);
  state.counters["calls"] = static_cast<double>(step.calls.size());
}
BENCHMARK(BM_StepScanLimit)->Arg(1)->Arg(64)->Arg(1024);

}  // namespace
}  // namespace rewardguard

BENCHMARK_MAIN();
