#!/usr/bin/env bash
# Builds everything (scripts/build.sh), runs the benchmarks and writes the
# report: out/bench/report.md (machine, every figure, every ratio to its
# baseline and to its physical limit, targets met or not).
#
#   scripts/bench.sh            # full run (a few minutes)
#   scripts/bench.sh --quick    # short runs: checks the pipeline, noisy figures
#
# Cases: the Google Benchmark suites build/bench/{eval,shell,shaping,audit}_benchmark
# (audit: the step loop's recording overhead), the pure-Python `re` baseline
# (bench/python_baseline.py), the Python-side step overhead
# (bench/python_overhead.py), and the invariant-ai baseline
# (bench/invariant_baseline.py) in a throwaway venv under /tmp
# (INVARIANT_VENV, default /tmp/rg-invariant-venv; never in .venv): if it
# cannot be installed, the report says why. Raw JSON and logs: out/bench/.
set -euo pipefail
cd "$(dirname "$0")/.."
quick=()
[ "${1:-}" = "--quick" ] && quick=(--quick)

echo "== build (scripts/build.sh; log: build.log)"
scripts/build.sh > build.log 2>&1 || { tail -50 build.log; exit 1; }
ninja -C build eval_benchmark shell_benchmark shaping_benchmark audit_benchmark > /dev/null

mkdir -p out/bench
venv=${INVARIANT_VENV:-/tmp/rg-invariant-venv}
export INVARIANT_PYTHON="" INVARIANT_SKIP_REASON=""
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import invariant.analyzer" 2>/dev/null; then
  echo "== invariant-ai 0.3.5 into $venv (constrained by requirements.txt; log: out/bench/invariant_install.log)"
  rm -rf "$venv"
  if python3 -m venv "$venv" > out/bench/invariant_install.log 2>&1 \
     && "$venv/bin/python" -m pip install --upgrade pip >> out/bench/invariant_install.log 2>&1 \
     && "$venv/bin/python" -m pip install invariant-ai==0.3.5 -c requirements.txt \
          >> out/bench/invariant_install.log 2>&1; then
    :
  else
    INVARIANT_SKIP_REASON="\`pip install invariant-ai==0.3.5 -c requirements.txt\` failed in a fresh venv; last lines of out/bench/invariant_install.log:

    $(tail -8 out/bench/invariant_install.log | sed 's/^/    /')"
  fi
fi
if [ -z "$INVARIANT_SKIP_REASON" ] && "$venv/bin/python" -c "import invariant.analyzer" 2>/dev/null; then
  INVARIANT_PYTHON="$venv/bin/python"
fi

echo "== benchmarks (load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores)"
BENCH_COMMAND="scripts/bench.sh${quick:+ --quick}" .venv/bin/python bench/report.py run "${quick[@]}"
echo "== report: out/bench/report.md"
