#!/usr/bin/env bash
# Builds everything and runs every test suite: GoogleTest through CTest (the
# C++ library, the CLI, the installed CMake package), then the policy's own
# inline tests.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh

echo "== built-in policy inline tests"
.venv/bin/rewardguard policy test coding-sandbox

echo "== C++ test suites (ctest)"
ctest --test-dir build --output-on-failure -j "$(nproc)" --timeout 600
