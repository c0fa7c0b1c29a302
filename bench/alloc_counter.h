// Heap allocations made by this process, counted by the replacement global
// operator new of bench/alloc_counter.cc (linked into the benchmarks that
// report allocations per call). A relaxed atomic increment per allocation:
// a nanosecond beside malloc's own cost.
//
//   const uint64_t before = rewardguard_bench::Allocations();
//   ... the timed loop ...
//   state.counters["allocs/call"] = AllocationsPerIteration(state, before);
#ifndef REWARDGUARD_BENCH_ALLOC_COUNTER_H_
#define REWARDGUARD_BENCH_ALLOC_COUNTER_H_

#include <cstdint>

#include "benchmark/benchmark.h"

namespace rewardguard_bench {

uint64_t Allocations();

// Allocations since `before`, per iteration of `state`'s loop.
inline double AllocationsPerIteration(const benchmark::State& state, uint64_t before) {
  const auto n = static_cast<double>(state.iterations());
  return n > 0 ? static_cast<double>(Allocations() - before) / n : 0.0;
}

}  // namespace rewardguard_bench

#endif  // REWARDGUARD_BENCH_ALLOC_COUNTER_H_
