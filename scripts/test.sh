#!/usr/bin/env bash
# Builds everything and runs every test suite: GoogleTest through CTest (the
# C++ library, the CLI, the installed CMake package), then the policy's own
# inline tests, then the Python package's pytest suite (tests/python).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh

echo "== built-in policy inline tests"
.venv/bin/rewardguard policy test coding-sandbox

echo "== C++ test suites (ctest)"
ctest --test-dir build --output-on-failure -j "$(nproc)" --timeout 600

echo "== Python tests (pytest)"
.venv/bin/python -m pytest tests/python -q -p no:cacheprovider

# Hardening (docs/hardening.md): the core under ASan+UBSan and under TSan
# with its test suites, then a 20 s libFuzzer smoke run of every target.
# Each part runs even if another failed; the last line is their summary.
hardening_passed=0 hardening_failed=0
for part in "scripts/sanitize.sh asan" "scripts/sanitize.sh tsan" "scripts/fuzz.sh 20"; do
  echo "== $part"
  if $part; then hardening_passed=$((hardening_passed + 1)); else hardening_failed=$((hardening_failed + 1)); fi
done
echo "== hardening (sanitizers, fuzz smoke)"
echo "$hardening_passed passed, $hardening_failed failed"
((hardening_failed == 0))
