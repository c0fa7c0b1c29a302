#!/usr/bin/env bash
# Builds rewardguard (C++ library, tests, benchmarks, the `rewardguard`
# command) in build/ against the venv's LibTorch, and installs the command and
# the CMake package into .venv, so `.venv/bin/rewardguard` works; then the
# Python package (`pip install --no-build-isolation .`: rewardguard._C against
# the same torch, built incrementally in build/python; log in build-python.log).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh

torch_prefix=$(.venv/bin/python -c "import torch.utils; print(torch.utils.cmake_prefix_path)")
if [ ! -f build/build.ninja ]; then
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_PREFIX_PATH="$torch_prefix" -DCMAKE_INSTALL_PREFIX="$PWD/.venv" \
    -DPython3_EXECUTABLE="$PWD/.venv/bin/python" > build-configure.log 2>&1 \
    || { cat build-configure.log; exit 1; }
fi
cmake --build build -j "$(nproc)"
cmake --install build > /dev/null
CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc)}" \
  .venv/bin/python -m pip install --no-build-isolation --no-deps -v . > build-python.log 2>&1 \
  || { tail -50 build-python.log; exit 1; }
