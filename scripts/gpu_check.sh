#!/usr/bin/env bash
# The GPU path, proven on a machine with an NVIDIA GPU and the CUDA toolkit
# (nvcc): builds rewardguard with its CUDA kernels required
# (REWARDGUARD_WITH_CUDA=ON, in build-gpu/), runs the CUDA shaping tests (C++
# ShapingCuda.*, and every Python test on a CUDA device: opcheck of each op,
# shaping on CUDA), the shaping benchmark's CUDA cases, and counts what one
# shaping step launches (bench/gpu_launches.py), then prints a short table.
# About 5 minutes on one GPU after scripts/setup.sh; exits non-zero if any
# check fails or a CUDA test was skipped. Results also in build-gpu/gpu_check/.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v nvidia-smi > /dev/null && nvidia-smi -L \
  || { echo "gpu_check: no NVIDIA GPU on this machine" >&2; exit 2; }
REWARDGUARD_SKIP_TRAINERS=1 scripts/build.sh   # the Python package (its _C finds nvcc: CUDA kernels)
out=build-gpu/gpu_check
mkdir -p "$out"

torch_prefix=$(.venv/bin/python -c "import torch.utils; print(torch.utils.cmake_prefix_path)")
cmake -S . -B build-gpu -G Ninja -DCMAKE_BUILD_TYPE=Release -DREWARDGUARD_WITH_CUDA=ON \
  -DCMAKE_PREFIX_PATH="$torch_prefix" -DPython3_EXECUTABLE="$PWD/.venv/bin/python" \
  > "$out/configure.log" 2>&1 || { cat "$out/configure.log"; exit 1; }
cmake --build build-gpu --target shaping_test shaping_benchmark -j "$(nproc)" > "$out/build.log" 2>&1 \
  || { tail -40 "$out/build.log"; exit 1; }

echo "== C++ CUDA shaping tests"
build-gpu/tests/cpp/shaping/shaping_test --gtest_filter='ShapingCuda.*' 2>&1 | tee "$out/cpp_tests.log"
if grep -q "SKIPPED" "$out/cpp_tests.log"; then echo "gpu_check: a CUDA test was skipped" >&2; exit 1; fi

echo "== Python tests on CUDA (opcheck of every op, shaping on the device)"
.venv/bin/python -m pytest tests/python/test_ops.py -q -p no:cacheprovider \
  -k "cuda" -rs 2>&1 | tee "$out/python_tests.log"
if grep -qi "skipped" "$out/python_tests.log"; then echo "gpu_check: a CUDA test was skipped" >&2; exit 1; fi

echo "== shaping benchmark, CUDA cases (rewards on the device, costs from pinned host memory)"
build-gpu/bench/shaping_benchmark --benchmark_filter='Cuda' --benchmark_min_time=0.2 \
  --benchmark_out="$out/shaping_cuda.json" --benchmark_out_format=json | tee "$out/benchmark.txt"

echo "== launches per shaping step"
.venv/bin/python bench/gpu_launches.py --json "$out/launches.json" | tee "$out/launches.md"

echo "== summary"
.venv/bin/python - "$out" <<'PY'
import json, sys
out = sys.argv[1]
runs = {b["name"]: b for b in json.load(open(f"{out}/shaping_cuda.json"))["benchmarks"]}
print("| benchmark | real time per step | naive / rewardguard |")
print("| --- | ---: | ---: |")
for name, b in runs.items():
    naive = runs.get(name.replace("BM_StepCuda", "BM_StepNaiveCuda")) if "StepCuda" in name else None
    ratio = f"{naive['real_time'] / b['real_time']:.2f}x" if naive else ""
    print(f"| {name} | {b['real_time']:.1f} {b['time_unit']} | {ratio} |")
PY
cat "$out/launches.md"
