"""bench/report.py renders a report from synthetic benchmark JSON (no benchmark is run)."""

import importlib.util
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _load_report_module():
    spec = importlib.util.spec_from_file_location("bench_report", ROOT / "bench" / "report.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _gb(rows):
    """Google Benchmark JSON with one median aggregate per (name, cpu ns, extra)."""
    benchmarks = []
    for name, cpu, extra in rows:
        b = {"name": name + "_median", "run_name": name, "run_type": "aggregate", "aggregate_name": "median",
             "iterations": 3, "real_time": cpu * 1.5, "cpu_time": cpu, "time_unit": "ns"}
        b.update(extra)
        benchmarks.append(b)
        # An iteration row the renderer must not prefer over the median.
        benchmarks.append({"name": name, "run_name": name, "run_type": "iteration", "iterations": 10,
                           "real_time": 9e9, "cpu_time": 9e9, "time_unit": "ns"})
    return {"context": {"library_build_type": "release", "num_cpus": 2}, "benchmarks": benchmarks}


def test_report_from_synthetic_json(tmp_path):
    report = _load_report_module()
    (tmp_path / "eval.json").write_text(json.dumps(_gb([
        ("BM_EvaluateStructuredCall/0", 400.0, {"label": "read_file (allow)"}),
        ("BM_EvaluateStructuredCall/1", 600.0, {}),
        ("BM_StructuredScanLimit/0", 5.0, {}),
        ("BM_StructuredScanLimit/1", 4.0, {}),
        ("BM_StepMixed/64", 256_000.0, {"calls": 256.0}),
        ("BM_StepScanLimit/64", 1_000.0, {"calls": 256.0}),
    ])))
    (tmp_path / "shell.json").write_text(json.dumps(_gb([
        ("BM_ShellCaseEvaluate/case:1", 2_500.0, {"bytes/cmd": 94.0}),
        ("BM_ShellCaseAnalyze/case:1", 2_000.0, {"bytes/cmd": 94.0}),
        ("BM_ShellCaseScanLimit/case:1", 10.0, {"bytes/cmd": 94.0}),
    ])))
    (tmp_path / "shaping.json").write_text(json.dumps(_gb([
        ("BM_StepRewardguard/1024", 1_500.0, {}),
        ("BM_StepNaive/1024", 7_000.0, {}),
        ("BM_StepLimitCopy/1024", 50.0, {}),
        ("BM_TokensRewardguard/256/4096", 80_000.0, {}),
        ("BM_TokensNaive/256/4096", 70_000.0, {}),
    ])))
    # _gb's wall time is 1.5x the CPU time: 0.9 ms -> 1.35 ms wall.
    (tmp_path / "audit.json").write_text(json.dumps(_gb([
        ("BM_StepLoop/0/real_time", 800_000.0, {"label": "evaluate only", "process_cpu_ms": 0.8}),
        ("BM_StepLoop/1/real_time", 840_000.0,
         {"label": "+ record (EventBatch, RequestFlush)", "process_cpu_ms": 1.2,
          "written_B_per_event": 341.6}),
        ("BM_StepLoop/2/real_time", 900_000.0, {"label": "+ record (EventBatch, Flush)"}),
    ])))
    (tmp_path / "python_baseline.json").write_text(json.dumps({"repeats": 1, "traces": {"agent_mix": {
        "envs": 64, "steps": 2, "calls": 128, "bytes": 1000, "blocked_share": 0.1,
        "python_re_us_per_call": 200.0, "rewardguard_us_per_call": 1.0, "python_re_us_per_step": 1.0,
        "rewardguard_us_per_step": 1.0, "speedup": 200.0, "agreement_block_or_not": 1.0,
        "disagreements": {}}}}))
    (tmp_path / "python_overhead.json").write_text(json.dumps({
        "envs": 64, "steps": 10, "repeats": 1, "mix": False, "bare_us": 100.0, "wrapper_us": 160.0,
        "guard_step_us": 150.0, "overhead_us": 60.0, "cpp_us": 20.0, "python_side_us": 40.0,
        "guard_step_overhead_us": 50.0, "json_dumps_us": 80.0}))
    (tmp_path / "invariant_baseline.error").write_text("pip install failed: no network")
    (tmp_path / "machine.json").write_text(json.dumps({"cpu_model": "Synthetic CPU", "cores": 2,
                                                       "load_start": "3.00 / 2.00 / 1.00"}))

    text = report.render(tmp_path).read_text()
    assert "Synthetic CPU" in text and "3.00 / 2.00 / 1.00" in text
    # Medians, not the 9 s iteration rows.
    assert "400 ns" in text and "9000" not in text.split("## Every")[0]
    assert "| one structured call: read_file (allow) | ≤ 0.5 µs | 400 ns | **met** |" in text
    assert "| one structured call: http_get (block, with reason) | ≤ 0.5 µs | 600 ns | **not met** |" in text
    assert "| typical shell command, evaluated | ≤ 3 µs | 2.50 µs | **met** |" in text
    assert "| shaping [B] B=1024 | faster than naive ATen | 4.7x | **met** |" in text
    assert "| shaping [B,T] B=256 T=4096 | faster than naive ATen | 0.9x | **not met** |" in text
    assert "200x" in text  # pure-Python speedup
    assert "Python-side overhead, 64-env vector step | ≤ 50 µs | 40.0 µs | **met**" in text
    assert "pip install failed: no network" in text  # invariant-ai: why it is missing
    assert "256x" in text  # step x limit: 256 µs / 1 µs
    assert "250x" in text  # shell evaluate x limit: 2.5 µs / 10 ns
    assert "| audit recording at 1,000 events/step (EventBatch, RequestFlush) | < +10% wall | +5.0% | **met** |" \
        in text
    assert "| + record (EventBatch, Flush) | 1.35 ms | +12.5% | +12.5% | — | — |" in text
    assert "| + record (EventBatch, RequestFlush) | 1.26 ms | +5.0% **met** | +5.0% | +50.0% | 342 |" \
        in text
    assert "## Every Google Benchmark figure" in text
