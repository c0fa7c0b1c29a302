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
