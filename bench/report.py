"""Runs rewardguard's benchmarks and writes the markdown report (scripts/bench.sh calls it).

    .venv/bin/python bench/report.py run    [--out out/bench] [--quick]   # run every case, then render
    .venv/bin/python bench/report.py render [--out out/bench]             # render from the JSON already there

`run` goes through the cases with a progress bar: the Google Benchmark suites
(build/bench/*_benchmark, `--benchmark_format=json --benchmark_out=...`), the
pure-Python baseline, the Python-side overhead, and the invariant-ai baseline
in its own venv (INVARIANT_PYTHON, made by scripts/bench.sh; skipped with the
reason written down when it is missing). Each writes OUT/<case>.json (or
OUT/<case>.error with the reason); `render` reads them, with OUT/machine.json,
and writes OUT/report.md: the machine, every figure, every ratio to its
baseline and to its physical limit, and the targets, met or not.

C++ figures are CPU time per iteration (the median of repetitions): on a
shared, loaded machine wall time counts other processes' time slices; wall
times are in the full table. Python figures are wall time, best of N passes.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# --- Google Benchmark JSON -------------------------------------------------------

_UNIT_NS = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}


def load_gbench(path: Path) -> dict[str, dict]:
    """name -> {cpu_ns, real_ns, label, counters...}: the median aggregate, else the single run."""
    data = json.loads(path.read_text())
    runs: dict[str, dict] = {}
    medians: dict[str, dict] = {}
    for b in data.get("benchmarks", []):
        if b.get("error_occurred"):
            runs[b.get("run_name", b["name"])] = {"error": b.get("error_message", "error")}
            continue
        unit = _UNIT_NS[b.get("time_unit", "ns")]
        row = dict(b)
        row["cpu_ns"] = b["cpu_time"] * unit
        row["real_ns"] = b["real_time"] * unit
        name = b.get("run_name", b["name"])
        if b.get("run_type") == "aggregate":
            if b.get("aggregate_name") == "median":
                medians[name] = row
        elif name not in runs:
            runs[name] = row
    runs.update(medians)
    return runs


def gbench_context(path: Path) -> dict:
    try:
        return json.loads(path.read_text()).get("context", {})
    except (OSError, ValueError):
        return {}


# --- formatting ---------------------------------------------------------------------


def fmt_ns(ns: float | None) -> str:
    if ns is None:
        return "—"
    if ns < 1e3:
        return f"{ns:.1f} ns" if ns < 100 else f"{ns:.0f} ns"
    if ns < 1e6:
        return f"{ns / 1e3:.2f} µs" if ns < 1e4 else f"{ns / 1e3:.1f} µs"
    return f"{ns / 1e6:.2f} ms"


def fmt_x(r: float | None) -> str:
    if r is None:
        return "—"
    return f"{r:.1f}x" if r < 100 else f"{r:.0f}x"


def met(ok: bool | None) -> str:
    return "—" if ok is None else ("**met**" if ok else "**not met**")


class Report:
    def __init__(self, out: Path):
        self.out = out
        self.g: dict[str, dict] = {}
        for suite in ("eval", "shell", "shaping", "audit"):
            p = out / f"{suite}.json"
            if p.exists():
                self.g.update({f"{suite}:{k}": v for k, v in load_gbench(p).items()})
        self.py = self._json("python_baseline")
        self.inv = self._json("invariant_baseline")
        self.ovh = self._json("python_overhead")
        self.machine = self._json("machine") or {}
        self.targets: list[tuple[str, str, str, bool | None]] = []
        self.lines: list[str] = []

    def _json(self, name: str):
        p = self.out / f"{name}.json"
        return json.loads(p.read_text()) if p.exists() else None

    def error(self, name: str) -> str | None:
        p = self.out / f"{name}.error"
        return p.read_text().strip() if p.exists() else None

    def cpu(self, key: str) -> float | None:
        row = self.g.get(key)
        return None if row is None or "error" in row else row["cpu_ns"]

    def real(self, key: str) -> float | None:
        row = self.g.get(key)
        return None if row is None or "error" in row else row["real_ns"]

    def w(self, *lines: str) -> None:
        self.lines.extend(lines)

    def target(self, what: str, goal: str, got: str, ok: bool | None) -> str:
        self.targets.append((what, goal, got, ok))
        return met(ok)

    # -- sections ----------------------------------------------------------------
    def header(self) -> None:
        m = self.machine
        self.w("# rewardguard benchmark report", "",
               f"Generated {m.get('date', datetime.datetime.now().isoformat(timespec='seconds'))} by "
               f"`{m.get('command', 'scripts/bench.sh')}` at commit `{m.get('commit', '?')}`"
               f"{' (working tree modified)' if m.get('dirty') else ''}.", "",
               "## Machine", "",
               "| | |", "|---|---|",
               f"| CPU | {m.get('cpu_model', platform.processor() or '?')} |",
               f"| cores (logical) | {m.get('cores', os.cpu_count())} |",
               f"| load average at start (1/5/15 min) | {m.get('load_start', '?')} |",
               f"| load average at end | {m.get('load_end', '?')} |",
               f"| memory | {m.get('memory', '?')} |",
               f"| OS / kernel | {m.get('os', platform.platform())} |",
               f"| compiler | {m.get('compiler', '?')} |",
               f"| Google Benchmark | {m.get('gbench', '?')} (build type of the library: "
               f"{m.get('gbench_build_type', '?')}) |",
               f"| Python | {m.get('python', platform.python_version())} |",
               f"| torch / numpy / gymnasium | {m.get('torch', '?')} / {m.get('numpy', '?')} / "
               f"{m.get('gymnasium', '?')} |",
               f"| GPU | {m.get('gpu', '?')} |", "")
        if m.get("load_note"):
            self.w(m["load_note"], "")
        self.w("C++ figures: CPU time per operation, median of the repetitions (wall time is in the full "
               "table at the end; on a loaded machine it includes other processes' time slices). "
               "Python figures: wall time, best of N passes. Every ratio compares two figures of this "
               "same run. *Limit* is the physical floor of the case: reading the same bytes once (a "
               "memchr + byte-sum pass) or a memory-bound pass over the same reward tensor; "
               "*x limit* is how many times slower than that floor the figure is.", "")

    def structured(self) -> None:
        self.w("## One structured call", "",
               "| case | time | limit (read the bytes once) | x limit | target ≤ 0.5 µs |",
               "|---|---:|---:|---:|---|")
        for i, label in ((0, "read_file (allow)"), (1, "http_get (block, with reason)")):
            t = self.cpu(f"eval:BM_EvaluateStructuredCall/{i}")
            lim = self.cpu(f"eval:BM_StructuredScanLimit/{i}")
            ok = None if t is None else t <= 500
            self.w(f"| {label} | {fmt_ns(t)} | {fmt_ns(lim)} | {fmt_x(t / lim if t and lim else None)} | "
                   f"{self.target(f'one structured call: {label}', '≤ 0.5 µs', fmt_ns(t), ok)} |")
        self.w("")

    def shell(self) -> None:
        self.w("## One shell command", "",
               "`analyze`: AnalyzeShell alone; `evaluate`: the whole `shell` call judged by coding-sandbox "
               "(analysis, rules, verdict).", "",
               "| command | bytes | analyze | evaluate | limit (read the bytes once) | evaluate x limit | "
               "target ≤ 3 µs (typical) |",
               "|---|---:|---:|---:|---:|---:|---|")
        labels = ["short (`git status --short`)", "typical (cd, pytest, pipe, redirect)",
                  "2 KB heredoc into python3", "2 KB heredoc into a file (`cat > f <<'EOF'`)"]
        for i, label in enumerate(labels):
            a = self.cpu(f"shell:BM_ShellCaseAnalyze/case:{i}")
            e = self.cpu(f"shell:BM_ShellCaseEvaluate/case:{i}")
            lim = self.cpu(f"shell:BM_ShellCaseScanLimit/case:{i}")
            row = self.g.get(f"shell:BM_ShellCaseEvaluate/case:{i}", {})
            nbytes = row.get("bytes/cmd")
            tgt = "—"
            if i == 1:
                tgt = self.target("typical shell command, evaluated", "≤ 3 µs", fmt_ns(e),
                                  None if e is None else e <= 3000)
            self.w(f"| {label} | {nbytes:.0f} | {fmt_ns(a)} | {fmt_ns(e)} | {fmt_ns(lim)} | "
                   f"{fmt_x(e / lim if e and lim else None)} | {tgt} |" if nbytes is not None else
                   f"| {label} | — | {fmt_ns(a)} | {fmt_ns(e)} | {fmt_ns(lim)} | — | {tgt} |")
        self.w("")

    def step(self) -> None:
        self.w("## One step of B envs (C++ `EvaluateBatch`)", "",
               "4 calls per env: a typical shell command, a file read, a file write, a short shell command "
               "(every 16th env: an outbound `curl`, blocked); arguments differ per env.", "",
               "| B | calls | time per step | per call | limit (read the bytes once) | x limit |",
               "|---:|---:|---:|---:|---:|---:|")
        for b in (1, 64, 1024):
            t = self.cpu(f"eval:BM_StepMixed/{b}")
            lim = self.cpu(f"eval:BM_StepScanLimit/{b}")
            n = self.g.get(f"eval:BM_StepMixed/{b}", {}).get("calls", 4 * b)
            self.w(f"| {b} | {n:.0f} | {fmt_ns(t)} | {fmt_ns(t / n if t else None)} | {fmt_ns(lim)} | "
                   f"{fmt_x(t / lim if t and lim else None)} |")
        self.w("")

    def shaping(self) -> None:
        self.w("## Reward shaping (CPU)", "",
               f"CUDA: {self.machine.get('cuda_note', 'no GPU on this machine: CUDA cases not run.')}", "",
               "Baseline: the naive ATen chain (`rewards - (costs * weights).sum(1)`; tokens: `index_add_` "
               "into zeros then subtract, or `index_add_(alpha=-1)` in place). Limit: memcpy of the reward "
               "tensor into a preallocated one (out of place), one read-modify-write pass (in place). "
               f"ATen intra-op threads: {self.machine.get('shaping_threads', 'default')} (on a small shared "
               "machine the thread pool's spinning workers otherwise dominate the naive chain's large ops "
               "and inflate its CPU time; the shaping ops themselves are single-threaded on the CPU).", "",
               "| case | rewardguard | naive ATen | naive / rewardguard | limit | x limit | "
               "target: faster than naive |",
               "|---|---:|---:|---:|---:|---:|---|")
        rows = []
        for b in (1, 1024, 65536):
            rows.append((f"[B] B={b}", f"BM_StepRewardguard/{b}", f"BM_StepNaive/{b}", f"BM_StepLimitCopy/{b}"))
            rows.append((f"[B] B={b}, in place", f"BM_StepRewardguardInPlace/{b}", f"BM_StepNaiveInPlace/{b}",
                         f"BM_StepLimitInPlace/{b}"))
        sizes = sorted({tuple(int(x) for x in k.split("/")[1:3]) for k in self.g
                        if k.startswith("shaping:BM_TokensRewardguard/")})
        for b, t in sizes:
            rows.append((f"[B,T] B={b} T={t}", f"BM_TokensRewardguard/{b}/{t}", f"BM_TokensNaive/{b}/{t}",
                         f"BM_TokensLimitCopy/{b}/{t}"))
            rows.append((f"[B,T] B={b} T={t}, in place", f"BM_TokensRewardguardInPlace/{b}/{t}",
                         f"BM_TokensNaiveInPlace/{b}/{t}", None))
        for label, rg_, naive, lim_ in rows:
            r = self.cpu(f"shaping:{rg_}")
            n = self.cpu(f"shaping:{naive}")
            lim = self.cpu(f"shaping:{lim_}") if lim_ else None
            ok = None if r is None or n is None else r < n
            tgt = self.target(f"shaping {label}", "faster than naive ATen", fmt_x(n / r) if r and n else "—", ok)
            self.w(f"| {label} | {fmt_ns(r)} | {fmt_ns(n)} | {fmt_x(n / r if r and n else None)} | "
                   f"{fmt_ns(lim) if lim_ else 'n/a (touches only the event tokens)'} | "
                   f"{fmt_x(r / lim if r and lim else None)} | {tgt} |")
        self.w("")

    def audit(self) -> None:
        plain = self.g.get("audit:BM_StepLoop/0/real_time")
        if plain is None or "error" in plain:
            return
        self.w("## Audit recording (1,000 events per step, SQLite sink)", "",
               "A training step of 1,000 envs x 1 call (~5% violations), evaluated in one batch, without "
               "and with recording; an episode ends every 100 steps. The writer thread works beside the "
               "step loop: wall time is the figure, step-thread and process CPU say where it went "
               "(docs/audit.md).", "",
               "| recording | wall per step | wall | step-thread CPU | process CPU (writer included) | "
               "bytes written per event |",
               "|---|---:|---:|---:|---:|---:|")
        self.w(f"| none (evaluate only) | {fmt_ns(plain['real_ns'])} | | | | |")
        for mode in (1, 2, 3, 4, 5):
            row = self.g.get(f"audit:BM_StepLoop/{mode}/real_time")
            if row is None or "error" in row:
                continue

            def pct(a: float | None, b: float | None) -> str:
                return "—" if not a or not b else f"{100 * (a / b - 1):+.1f}%"

            wall = pct(row["real_ns"], plain["real_ns"])
            if mode == 1:
                ok = row["real_ns"] < 1.10 * plain["real_ns"]
                wall += " " + self.target("audit recording at 1,000 events/step (EventBatch, RequestFlush)",
                                          "< +10% wall", wall, ok)
            written = row.get("written_B_per_event")
            self.w(f"| {row.get('label', mode)} | {fmt_ns(row['real_ns'])} | {wall} | "
                   f"{pct(row['cpu_ns'], plain['cpu_ns'])} | "
                   f"{pct(row.get('process_cpu_ms'), plain.get('process_cpu_ms'))} | "
                   f"{'—' if not written else f'{written:.0f}'} |")
        self.w("")

    def python_step(self) -> None:
        self.w("## A full Python step (64 envs, `rewardguard/ToolSandbox-v0`, SyncVectorEnv)", "")
        o = self.ovh
        if not o:
            self.w(f"Not measured: {self.error('python_overhead') or 'no python_overhead.json'}", "")
            self.target("Python-side overhead, 64-env vector step", "≤ 50 µs", "—", None)
            return
        b = o["bare_us"]
        self.w(f"{o['steps']} steps, best of {o['repeats']}; allowed actions only, so both sides do the same "
               f"env work.", "",
               "| measure | µs per step | µs per env-step | relative to the bare step |",
               "|---|---:|---:|---:|",
               f"| bare `SyncVectorEnv.step` (baseline) | {b:.1f} | {b / o['envs']:.2f} | 1.000 |",
               f"| through `GuardVectorWrapper` | {o['wrapper_us']:.1f} | {o['wrapper_us'] / o['envs']:.2f} | "
               f"{o['wrapper_us'] / b:.3f} |",
               f"| bare step + `Guard.evaluate_columns` + `Guard.shape` | {o['guard_step_us']:.1f} | "
               f"{o['guard_step_us'] / o['envs']:.2f} | {o['guard_step_us'] / b:.3f} |",
               f"| wrapper overhead (wrapper - bare) | {o['overhead_us']:.1f} | {o['overhead_us'] / o['envs']:.2f} | |",
               f"| of which C++ evaluation (timed around `_C`, GIL released) | {o['cpp_us']:.1f} | "
               f"{o['cpp_us'] / o['envs']:.2f} | |",
               f"| of which Python side | {o['python_side_us']:.1f} | {o['python_side_us'] / o['envs']:.2f} | |",
               f"| `json.dumps` of 64 dict arguments (not in the above) | {o['json_dumps_us']:.1f} | "
               f"{o['json_dumps_us'] / o['envs']:.2f} | |", "")
        ok = o["python_side_us"] <= 50
        got = f"{o['python_side_us']:.1f} µs"
        verdict = self.target("Python-side overhead, 64-env vector step", "≤ 50 µs", got, ok)
        self.w(f"Python-side overhead {got} per 64-env step (target ≤ 50 µs): {verdict}. It is a difference "
               "of noisy wall times (wrapper minus bare minus the timed C++ call), so small or negative "
               "values mean \"below the noise\".", "")

    def baselines(self) -> None:
        self.w("## Baselines on the same trace", "")
        p = self.py
        if not p:
            self.w(f"Pure-Python baseline not measured: {self.error('python_baseline') or 'no JSON'}", "")
            self.target("vs pure-Python `re` baseline", "≥ 100x", "—", None)
        else:
            self.w("(a) **Pure Python with `re`** (bench/python_baseline.py): coding-sandbox's main checks as a "
                   "user writes them in a reward function (JSON parse, precompiled regexes per rule, strongest "
                   "action wins, the secret-then-egress flow and the egress budget). rewardguard through the "
                   "Python binding (`Guard.evaluate_columns`, one call per step). Both get the same columns of "
                   "JSON-text arguments, one 64-env step at a time.", "",
                   "| trace | calls | bytes | blocked | pure Python `re` | rewardguard (Python binding) | "
                   "speedup | block/allow agreement | target ≥ 100x |",
                   "|---|---:|---:|---:|---:|---:|---:|---:|---|")
            for name, label in (("agent_mix", "agent mix (with 2.5 KB heredocs)"),
                                ("one_liners", "one-liners only (heredoc swapped for `git status`)")):
                t = p["traces"].get(name)
                if not t:
                    continue
                tgt = self.target(f"vs pure-Python `re`, {label}", "≥ 100x", fmt_x(t["speedup"]),
                                  t["speedup"] >= 100)
                self.w(f"| {label} | {t['calls']} | {t['bytes']} | {t['blocked_share']:.0%} | "
                       f"{t['python_re_us_per_call']:.2f} µs/call | {t['rewardguard_us_per_call']:.3f} µs/call | "
                       f"{fmt_x(t['speedup'])} | {t['agreement_block_or_not']:.1%} | {tgt} |")
            dis = {k: v for t in p["traces"].values() for k, v in t.get("disagreements", {}).items()}
            self.w("")
            if dis:
                self.w("Calls where the baseline and rewardguard disagree (blocked or not):", "")
                self.w(*[f"- {k} (x{v})" for k, v in dis.items()], "")
        inv = self.inv
        self.w("(b) **invariant-ai** guardrails analyzer (pip `invariant-ai`), same rules as (a) in its policy "
               "language (bench/invariant_baseline.py), in a throwaway venv under /tmp.", "")
        if inv:
            self.w(f"invariant-ai {inv['version']} installed cleanly next to the pinned packages "
                   f"(`pip install invariant-ai==0.3.5 -c requirements.txt`) and ran in-process "
                   f"(`{inv['policy_class']}`, LOCAL_POLICY=1); network connection attempts during the run: "
                   f"{len(inv.get('network_attempts', []))}. Most favourable use: a batch of an env's calls "
                   "analyzed in one `analyze` call (a live reward function would re-analyze the growing "
                   "history every step). The egress budget has no direct equivalent and is left out. "
                   "Speedup: invariant-ai time per call / rewardguard time per call.", "")
            fe = inv.get("full_episode")
            if fe and not fe.get("ok"):
                self.w(f"A whole {fe['calls']}-call episode cannot be analyzed: `{fe['error']}` (the "
                       "secret-read-then-egress rule pairs every two calls). So each episode is cut into "
                       f"windows of {inv.get('window', '?')} calls, analyzed separately: the flow is only "
                       "checked inside a window, which makes Invariant's job easier, not harder.", "")
            self.w("| trace | invariant-ai | rewardguard (Python binding) | speedup | violations raised "
                   "(invariant) | rule hits (pure-Python baseline) |",
                   "|---|---:|---:|---:|---:|---:|")
            for name, t in inv["traces"].items():
                rgt = (p or {}).get("traces", {}).get(name, {}).get("rewardguard_us_per_call")
                self.w(f"| {name} | {t['us_per_call']:.1f} µs/call | "
                       f"{f'{rgt:.3f} µs/call' if rgt else '—'} | {fmt_x(t['us_per_call'] / rgt if rgt else None)} | "
                       f"{t['errors_raised']} | {t.get('python_baseline_rule_hits', '—')} |")
            self.w("")
        else:
            self.w(f"Not measured: {self.error('invariant_baseline') or 'no invariant_baseline.json'}", "")
        self.w("(c) **Naive ATen chain** for shaping: in the shaping table above.", "")

    def summary(self) -> None:
        self.w("## Targets", "", "| target | goal | measured | |", "|---|---|---:|---|")
        for what, goal, got, ok in self.targets:
            self.w(f"| {what} | {goal} | {got} | {met(ok)} |")
        n_met = sum(1 for t in self.targets if t[3])
        self.w("", f"{n_met} of {len(self.targets)} met.", "")

    def all_figures(self) -> None:
        self.w("## Every Google Benchmark figure", "",
               "| suite | benchmark | CPU time | wall time | iterations | label / counters |",
               "|---|---|---:|---:|---:|---|")
        skip = {"name", "run_name", "run_type", "repetitions", "repetition_index", "threads", "iterations",
                "real_time", "cpu_time", "time_unit", "family_index", "per_family_instance_index",
                "aggregate_name", "aggregate_unit", "cpu_ns", "real_ns", "label", "error_occurred"}
        for key, row in self.g.items():
            suite, name = key.split(":", 1)
            if "error" in row:
                self.w(f"| {suite} | {name} | error: {row['error']} | | | |")
                continue
            extra = ", ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}"
                              for k, v in row.items() if k not in skip)
            label = row.get("label", "")
            self.w(f"| {suite} | {name} | {fmt_ns(row['cpu_ns'])} | {fmt_ns(row['real_ns'])} | "
                   f"{row.get('iterations', '')} | {'; '.join(x for x in (label, extra) if x)} |")
        self.w("")

    def render(self) -> str:
        self.header()
        self.structured()
        self.shell()
        self.step()
        self.shaping()
        self.audit()
        self.python_step()
        self.baselines()
        body, self.lines = self.lines, []
        self.summary()
        summary, self.lines = self.lines, []
        self.all_figures()
        notes = self.machine.get("notes", [])
        tail = self.lines + (["## Notes", ""] + [f"- {n}" for n in notes] + [""] if notes else [])
        # Targets right after the machine section: the first thing a reader wants.
        cut = body.index("## One structured call")
        return "\n".join(body[:cut] + summary + body[cut:] + tail)


def render(out: Path) -> Path:
    path = out / "report.md"
    path.write_text(Report(out).render())
    return path


# --- running ------------------------------------------------------------------------


def _sh(cmd: str) -> str:
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True, timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def machine_info(command: str) -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor()) if Path("/proc/cpuinfo").exists() else "?"
    info = {
        "date": datetime.datetime.now().isoformat(timespec="seconds"),
        "command": command,
        "commit": _sh(f"git -C {ROOT} rev-parse --short HEAD"),
        "dirty": bool(_sh(f"git -C {ROOT} status --porcelain --untracked-files=no")),
        "cpu_model": cpu,
        "cores": os.cpu_count(),
        "load_start": " / ".join(f"{x:.2f}" for x in os.getloadavg()),
        "memory": _sh("free -h | awk '/^Mem:/ {print $2 \" total, \" $7 \" available\"}'"),
        "os": f"{_sh('. /etc/os-release && echo $PRETTY_NAME')} / Linux {platform.release()}",
        "compiler": _sh("c++ --version | head -1"),
        "gbench": _sh("dpkg-query -W -f='libbenchmark-dev ${Version}' libbenchmark-dev 2>/dev/null"),
        "python": platform.python_version(),
    }
    try:
        import gymnasium
        import numpy
        import torch
        info.update(torch=torch.__version__, numpy=numpy.__version__, gymnasium=gymnasium.__version__)
        if torch.cuda.is_available():
            info["gpu"] = torch.cuda.get_device_name(0)
            info["cuda_note"] = ("a GPU is present, but the shaping benchmark times CPU tensors only; "
                                 "CUDA shaping is not measured by this suite yet.")
        else:
            info["gpu"] = "none (torch.cuda.is_available() is False)"
            info["cuda_note"] = "no GPU on this machine: the CUDA shaping cases were not run."
    except ImportError as e:
        info["gpu"] = f"unknown ({e})"
    return info


def run(out: Path, quick: bool) -> Path:
    from tqdm import tqdm

    out.mkdir(parents=True, exist_ok=True)
    for p in out.glob("*.json"):
        p.unlink()
    for p in out.glob("*.error"):
        p.unlink()
    machine = machine_info(os.environ.get("BENCH_COMMAND", "scripts/bench.sh"))
    (out / "machine.json").write_text(json.dumps(machine, indent=2))

    bench = ROOT / "build" / "bench"
    min_time = "0.05" if quick else "0.2"
    reps = "1" if quick else "3"
    gb = [f"--benchmark_min_time={min_time}", f"--benchmark_repetitions={reps}",
          "--benchmark_report_aggregates_only=true", "--benchmark_format=json"]
    py = sys.executable
    inv_py = os.environ.get("INVARIANT_PYTHON", "")
    steps = "500" if quick else "5000"
    cases = [
        ("eval", [str(bench / "eval_benchmark"), *gb]),
        ("shell", [str(bench / "shell_benchmark"), *gb]),
        ("shaping", [str(bench / "shaping_benchmark"), *gb]),
        ("python_baseline", [py, "bench/python_baseline.py", "--repeats", "2" if quick else "5"]),
        ("python_overhead", [py, "bench/python_overhead.py", "--steps", steps, "--repeats", "2" if quick else "5"]),
        ("invariant_baseline", [inv_py, "bench/invariant_baseline.py", "--repeats", "1" if quick else "2"]),
    ]
    # Interleaved repetitions: the recording overhead is a ratio of two runs.
    cases.append(("audit", [str(bench / "audit_benchmark"), "--benchmark_filter=StepLoop/",
                            f"--benchmark_min_time={'0.2' if quick else '1'}",
                            f"--benchmark_repetitions={'3' if quick else '12'}",
                            "--benchmark_enable_random_interleaving=true",
                            "--benchmark_report_aggregates_only=true", "--benchmark_format=json"]))
    bar = tqdm(cases, desc="benchmarks", unit="case", file=sys.stderr)
    for name, cmd in bar:
        bar.set_postfix_str(name)
        target = out / f"{name}.json"
        err = out / f"{name}.error"
        if name == "invariant_baseline" and not inv_py:
            err.write_text(os.environ.get("INVARIANT_SKIP_REASON", "INVARIANT_PYTHON is not set (no venv)"))
            continue
        if cmd[0].startswith(str(bench)) and not Path(cmd[0]).exists():
            err.write_text(f"{cmd[0]} was not built")
            continue
        cmd = cmd + ([f"--benchmark_out={target}", "--benchmark_out_format=json"] if cmd[0].startswith(str(bench))
                     else ["--json", str(target)])
        env = dict(os.environ, LOCAL_POLICY="1")
        if name == "shaping":
            threads = os.environ.get("BENCH_SHAPING_THREADS", "1")
            env.update(OMP_NUM_THREADS=threads, MKL_NUM_THREADS=threads)
            machine["shaping_threads"] = threads
        with open(out / f"{name}.log", "w") as log:
            rc = subprocess.run(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=env).returncode
        if rc != 0 or not target.exists():
            tail = (out / f"{name}.log").read_text().splitlines()[-15:]
            err.write_text(f"`{' '.join(cmd)}` failed (exit {rc}); last lines of {name}.log:\n\n    "
                           + "\n    ".join(tail))
            target.unlink(missing_ok=True)
    bar.close()

    machine["load_end"] = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    ctx = gbench_context(out / "eval.json")
    machine["gbench_build_type"] = ctx.get("library_build_type", "?") + \
        " (that of Debian's libbenchmark itself; rewardguard and the benchmarks are built Release)"
    if ctx.get("cpu_scaling_enabled"):
        machine.setdefault("notes", []).append("Google Benchmark reports CPU frequency scaling enabled.")
    machine.setdefault("notes", []).extend(
        [f"`{os.environ.get('INVARIANT_NOTE')}`"] if os.environ.get("INVARIANT_NOTE") else [])
    if float(machine["load_start"].split(" / ")[0]) > (machine["cores"] or 1) * 0.5:
        machine["load_note"] = (f"**The machine was loaded** (1-minute load {machine['load_start'].split(' / ')[0]} "
                                f"on {machine['cores']} cores at the start): absolute figures are pessimistic "
                                "and noisy; ratios come from the same run and are the robust part.")
    (out / "machine.json").write_text(json.dumps(machine, indent=2))
    return render(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("mode", choices=["run", "render"])
    ap.add_argument("--out", default=str(ROOT / "out" / "bench"))
    ap.add_argument("--quick", action="store_true", help="short runs (smoke test of the whole pipeline)")
    args = ap.parse_args()
    out = Path(args.out)
    path = run(out, args.quick) if args.mode == "run" else render(out)
    print(path)


if __name__ == "__main__":
    main()
