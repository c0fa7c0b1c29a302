#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz (clang, ASan+UBSan, no LibTorch)
# in build-fuzz/ and runs each for SECONDS (default 60), one after the other.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]   # TARGET: policy_loader shell_analyzer
#                                           #         classify_call jsonl_eval
#
# Each target starts from its seeds (tests/fuzz/corpus/<target>/) and grows
# its own corpus in build-fuzz/corpus/<target>/ (kept between runs, not
# committed). Exit status 1 if any target found a crash, a leak, a sanitizer
# report, a broken invariant or an input slower than 10 s; the input is
# written to build-fuzz/artifacts/<target>/. After fixing it, keep it:
#   cp build-fuzz/artifacts/<target>/crash-... tests/fuzz/regressions/<target>/
# (fuzz_regression_test replays that folder in every build). FUZZ_JOBS sets
# the build's parallelism (default 2).
set -euo pipefail
cd "$(dirname "$0")/.."

secs=${1:-60}
shift || true
targets=("$@")
((${#targets[@]})) || targets=(policy_loader shell_analyzer classify_call jsonl_eval)

if [ ! -f build-fuzz/build.ninja ]; then
  CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DREWARDGUARD_BUILD_FUZZERS=ON -DREWARDGUARD_SANITIZE=address,undefined \
    -DREWARDGUARD_WITH_TORCH=OFF -DREWARDGUARD_BUILD_TESTS=OFF \
    -DREWARDGUARD_BUILD_BENCHMARKS=OFF > build-fuzz-configure.log 2>&1 \
    || { cat build-fuzz-configure.log; exit 1; }
fi
cmake --build build-fuzz -j "${FUZZ_JOBS:-2}" --target "${targets[@]/%/_fuzzer}"

failed=()
for t in "${targets[@]}"; do
  mkdir -p "build-fuzz/corpus/$t" "build-fuzz/artifacts/$t"
  echo "== fuzz $t for ${secs}s"
  # ASAN_OPTIONS: a leak or any report is a failure; UBSan is already fatal.
  if ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
     "build-fuzz/tests/fuzz/${t}_fuzzer" "build-fuzz/corpus/$t" "tests/fuzz/corpus/$t" \
       -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=16384 \
       -artifact_prefix="build-fuzz/artifacts/$t/" -print_final_stats=1 \
       > "build-fuzz/$t.log" 2>&1; then
    grep -E "^(#[0-9]+ +DONE|stat::number_of_executed_units|stat::peak_rss_mb)" "build-fuzz/$t.log" | tr '\n' ' '
    echo
  else
    tail -40 "build-fuzz/$t.log"
    echo "fuzz: $t FAILED (log: build-fuzz/$t.log, input: build-fuzz/artifacts/$t/)"
    failed+=("$t")
  fi
done
if ((${#failed[@]})); then
  echo "fuzz: ${#failed[@]} of ${#targets[@]} targets failed: ${failed[*]}"
  exit 1
fi
echo "fuzz: ${#targets[@]} targets ran ${secs}s each, nothing found"
