#!/usr/bin/env bash
# Builds the core (no LibTorch, no benchmarks) with sanitizers and runs its
# test suites (docs/hardening.md):
#   build-asan/  AddressSanitizer + UndefinedBehaviorSanitizer, every report fatal
#                (-fno-sanitize-recover=all, leaks included)
#   build-tsan/  ThreadSanitizer
#
#   scripts/sanitize.sh [asan|tsan]...   # default: both
#
# Under TSan, the audit durability tests (fork, then SIGKILL of the child
# mid-write) are excluded: TSan does not support fork() from a process with
# threads, which is exactly what they do; so are the sandbox tests (the
# sandbox's init runs after clone() from a process with threads). ASan runs
# them. Under ASan a test
# that fails is run once more (timing tests such as the audit sink's
# back-pressure bound run slower there); under TSan never, so that an
# intermittent race report is not retried away.
set -euo pipefail
cd "$(dirname "$0")/.."

kinds=("$@")
((${#kinds[@]})) || kinds=(asan tsan)
jobs=${SANITIZE_JOBS:-2}

for kind in "${kinds[@]}"; do
  case "$kind" in
    asan) sanitize=address,undefined; exclude='install_consumer'; repeat=(--repeat until-pass:2) ;;
    tsan) sanitize=thread; exclude='install_consumer|audit\.Durability|SandboxTest'; repeat=() ;;
    *) echo "sanitize: unknown kind \`$kind\`; expected asan or tsan" >&2; exit 2 ;;
  esac
  dir=build-$kind
  if [ ! -f "$dir/build.ninja" ]; then
    cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DREWARDGUARD_SANITIZE="$sanitize" -DREWARDGUARD_WITH_TORCH=OFF \
      -DREWARDGUARD_BUILD_BENCHMARKS=OFF > "$dir-configure.log" 2>&1 \
      || { cat "$dir-configure.log"; exit 1; }
  fi
  echo "== $kind: build ($dir)"
  cmake --build "$dir" -j "$jobs" > "$dir.log" 2>&1 || { tail -60 "$dir.log"; exit 1; }
  echo "== $kind: ctest"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
    ctest --test-dir "$dir" --output-on-failure -j "$jobs" --timeout 900 -E "$exclude" "${repeat[@]}"
done
