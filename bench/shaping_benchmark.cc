// Reward shaping on the CPU: rewardguard::torch against the naive ATen chain a
// user would write, side by side. Ratio = naive time / rewardguard time.
// With a CUDA device (and the kernels built) the *Cuda cases run too: rewards
// on the device, the step's costs from the host, as a trainer calls it
// (scripts/gpu_check.sh counts the copies and kernels one step launches).
//   ninja -C build shaping_benchmark && build/bench/shaping_benchmark
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <benchmark/benchmark.h>

#include <cstring>

#include <torch/cuda.h>

#include "rewardguard/shaping/shaping.h"

namespace {

using rewardguard::shaping::ShapeStep;
using rewardguard::shaping::ShapeStep_;
using rewardguard::shaping::ShapeTokens;
using rewardguard::shaping::ShapeTokens_;
using rewardguard::shaping::TokenOptions;

constexpr int64_t kCategories = 4;

struct StepInputs {
  at::Tensor rewards, costs, weights;
  explicit StepInputs(int64_t b)
      : rewards(at::randn({b})),
        costs(at::randint(0, 3, {b, kCategories}).to(at::kFloat)),
        weights(at::rand({kCategories})) {}
};

void BM_StepRewardguard(benchmark::State& state) {
  StepInputs in(state.range(0));
  for (auto _ : state) {
    at::Tensor out = ShapeStep(in.rewards, in.costs, in.weights);
    benchmark::DoNotOptimize(out.data_ptr());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

void BM_StepNaive(benchmark::State& state) {
  StepInputs in(state.range(0));
  for (auto _ : state) {
    at::Tensor out = in.rewards - (in.costs * in.weights).sum(1);
    benchmark::DoNotOptimize(out.data_ptr());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

void BM_StepRewardguardInPlace(benchmark::State& state) {
  StepInputs in(state.range(0));
  for (auto _ : state) {
    ShapeStep_(in.rewards, in.costs, in.weights);
    benchmark::DoNotOptimize(in.rewards.data_ptr());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

void BM_StepNaiveInPlace(benchmark::State& state) {
  StepInputs in(state.range(0));
  for (auto _ : state) {
    in.rewards.sub_((in.costs * in.weights).sum(1));
    benchmark::DoNotOptimize(in.rewards.data_ptr());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

// B rows of T tokens; 2 tool calls per row, ending at random tokens.
struct TokenInputs {
  at::Tensor rewards, costs, weights, positions, rows, flat_index;
  TokenInputs(int64_t b, int64_t t)
      : rewards(at::randn({b, t})),
        costs(at::randint(0, 3, {2 * b, kCategories}).to(at::kFloat)),
        weights(at::rand({kCategories})),
        positions(at::randint(0, t, {2 * b}, at::kLong)),
        rows(at::arange(b, at::kLong).repeat_interleave(2)),
        flat_index(rows * t + positions) {}
};

void BM_TokensRewardguard(benchmark::State& state) {
  TokenInputs in(state.range(0), state.range(1));
  TokenOptions o;
  o.rows = in.rows;
  for (auto _ : state) {
    at::Tensor out = ShapeTokens(in.rewards, in.costs, in.weights, in.positions, o);
    benchmark::DoNotOptimize(out.data_ptr());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0) * state.range(1));
}

// What a user writes: penalties per call, scattered onto a zero tensor, then
// subtracted.
void BM_TokensNaive(benchmark::State& state) {
  TokenInputs in(state.range(0), state.range(1));
  for (auto _ : state) {
    at::Tensor penalty = (in.costs * in.weights).sum(1);
    at::Tensor dense = at::zeros_like(in.rewards).view(-1);
    dense.index_add_(0, in.flat_index, penalty);
    at::Tensor out = in.rewards - dense.view_as(in.rewards);
    benchmark::DoNotOptimize(out.data_ptr());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0) * state.range(1));
}

void BM_TokensRewardguardInPlace(benchmark::State& state) {
  TokenInputs in(state.range(0), state.range(1));
  TokenOptions o;
  o.rows = in.rows;
  for (auto _ : state) {
    ShapeTokens_(in.rewards, in.costs, in.weights, in.positions, o);
    benchmark::DoNotOptimize(in.rewards.data_ptr());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0) * state.range(1));
}

// In place: scatter the negated penalties straight into the rewards.
void BM_TokensNaiveInPlace(benchmark::State& state) {
  TokenInputs in(state.range(0), state.range(1));
  for (auto _ : state) {
    at::Tensor penalty = (in.costs * in.weights).sum(1);
    in.rewards.view(-1).index_add_(0, in.flat_index, penalty, /*alpha=*/-1);
    benchmark::DoNotOptimize(in.rewards.data_ptr());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0) * state.range(1));
}

// Physical limits: a memory-bound pass over the same reward tensor. Out of
// place, shaping must at least read the rewards and write a tensor of the
// same size (memcpy into a preallocated one; no allocation, no dispatcher);
// in place, at least read and write each reward once (a += loop).
void BM_StepLimitCopy(benchmark::State& state) {
  StepInputs in(state.range(0));
  at::Tensor out = at::empty_like(in.rewards);
  const size_t bytes = static_cast<size_t>(in.rewards.numel()) * sizeof(float);
  for (auto _ : state) {
    std::memcpy(out.data_ptr<float>(), in.rewards.data_ptr<float>(), bytes);
    benchmark::DoNotOptimize(out.data_ptr());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(2 * bytes));
}

void BM_StepLimitInPlace(benchmark::State& state) {
  StepInputs in(state.range(0));
  float* r = in.rewards.data_ptr<float>();
  const int64_t n = in.rewards.numel();
  for (auto _ : state) {
    for (int64_t i = 0; i < n; ++i) r[i] += 0.0f;
    benchmark::DoNotOptimize(r);
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

void BM_TokensLimitCopy(benchmark::State& state) {
  TokenInputs in(state.range(0), state.range(1));
  at::Tensor out = at::empty_like(in.rewards);
  const size_t bytes = static_cast<size_t>(in.rewards.numel()) * sizeof(float);
  for (auto _ : state) {
    std::memcpy(out.data_ptr<float>(), in.rewards.data_ptr<float>(), bytes);
    benchmark::DoNotOptimize(out.data_ptr());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * state.range(0) * state.range(1));
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(2 * bytes));
}

#define RG_STEP_SIZES Arg(1)->Arg(1024)->Arg(65536)
#define RG_TOKEN_SIZES Args({32, 1024})->Args({256, 4096})
BENCHMARK(BM_StepRewardguard)->RG_STEP_SIZES;
BENCHMARK(BM_StepNaive)->RG_STEP_SIZES;
BENCHMARK(BM_StepRewardguardInPlace)->RG_STEP_SIZES;
BENCHMARK(BM_StepNaiveInPlace)->RG_STEP_SIZES;
BENCHMARK(BM_StepLimitCopy)->RG_STEP_SIZES;
BENCHMARK(BM_StepLimitInPlace)->RG_STEP_SIZES;
BENCHMARK(BM_TokensRewardguard)->RG_TOKEN_SIZES;
BENCHMARK(BM_TokensNaive)->RG_TOKEN_SIZES;
BENCHMARK(BM_TokensRewardguardInPlace)->RG_TOKEN_SIZES;
BENCHMARK(BM_TokensNaiveInPlace)->RG_TOKEN_SIZES;
BENCHMARK(BM_TokensLimitCopy)->RG_TOKEN_SIZES;

// CUDA: rewards [B] on the device, costs [B, C] and weights in pinned host
// memory (what the Python Guard hands over), synchronized after every step so
// the time is the step's latency.
void BM_StepCuda(benchmark::State& state) {
  StepInputs in(state.range(0));
  const at::Tensor rewards = in.rewards.cuda();
  const at::Tensor costs = in.costs.pin_memory();
  const at::Tensor weights = in.weights.pin_memory();
  for (auto _ : state) {
    at::Tensor out = ShapeStep(rewards, costs, weights);
    torch::cuda::synchronize();
    benchmark::DoNotOptimize(out.data_ptr());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

void BM_StepNaiveCuda(benchmark::State& state) {
  StepInputs in(state.range(0));
  const at::Tensor rewards = in.rewards.cuda();
  const at::Tensor costs = in.costs.pin_memory();
  const at::Tensor weights = in.weights.pin_memory();
  for (auto _ : state) {
    at::Tensor out = rewards - (costs.to(rewards.device(), /*non_blocking=*/true) *
                                weights.to(rewards.device(), /*non_blocking=*/true)).sum(1);
    torch::cuda::synchronize();
    benchmark::DoNotOptimize(out.data_ptr());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

void BM_TokensCuda(benchmark::State& state) {
  TokenInputs in(state.range(0), state.range(1));
  const at::Tensor rewards = in.rewards.cuda();
  TokenOptions o;
  o.rows = in.rows.pin_memory();
  const at::Tensor costs = in.costs.pin_memory();
  const at::Tensor weights = in.weights.pin_memory();
  const at::Tensor positions = in.positions.pin_memory();
  for (auto _ : state) {
    at::Tensor out = ShapeTokens(rewards, costs, weights, positions, o);
    torch::cuda::synchronize();
    benchmark::DoNotOptimize(out.data_ptr());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0) * state.range(1));
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (torch::cuda::is_available() && rewardguard::shaping::HasCudaKernels()) {
    benchmark::RegisterBenchmark("BM_StepCuda", BM_StepCuda)->RG_STEP_SIZES;
    benchmark::RegisterBenchmark("BM_StepNaiveCuda", BM_StepNaiveCuda)->RG_STEP_SIZES;
    benchmark::RegisterBenchmark("BM_TokensCuda", BM_TokensCuda)->RG_TOKEN_SIZES;
  }
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
