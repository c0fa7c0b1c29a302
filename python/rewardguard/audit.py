"""The audit trail from Python: violations over training steps, and their plot.

    from rewardguard import audit

    for series in audit.violations_over_steps("audit.db"):       # one per run
        print(series.name, series.steps, {c: len(s) for c, s in series.violations.items()})
    audit.plot("audit.db", "violations.png")

Databases written apart (one per rollout worker) are joined with the C++
``rewardguard audit merge OUT.db IN...``, also :func:`merge`.

From the command line (the one `rewardguard audit` command that lives here):

    rewardguard audit plot audit.db -o violations.png [--run RUN] [--bins 100]

The training step of an event is its env's step count since the run started:
the env's episodes laid end to end (episode lengths read from the trail), so
in vectorized training it is the vector step. A violation is an event whose
action is not ``allow``; it counts once for each cost category it was charged
to (``uncosted`` when none). The trail is read by the C++ reader
(audit/replay.h, bound as ``rewardguard._C.AuditReader``): the database
layout is known in one place.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import _C

__all__ = ["AuditError", "RunSeries", "main", "merge", "plot", "violations_over_steps"]

UNCOSTED = "uncosted"


class AuditError(Exception):
    """The database is missing, is not an audit database, or has no such run."""


@dataclass
class RunSeries:
    """One run's violations, by cost category, as training steps."""

    run_id: int
    name: str
    steps: int = 0    # training steps the run covers (the longest env's)
    events: int = 0
    violating: int = 0  # events whose action is not allow
    violations: dict[str, np.ndarray] = field(default_factory=dict)  # category -> steps


def _open(db: str | Path) -> _C.AuditReader:
    path = Path(db)
    if not path.is_file():
        raise AuditError(f"no audit database at `{path}`")
    try:
        return _C.AuditReader(str(path))
    except (OSError, RuntimeError, ValueError) as e:
        raise AuditError(str(e)) from None


def _find_runs(reader: _C.AuditReader, run: str | int | None) -> list[tuple[int, str, int]]:
    """Runs named `run` (or the run with that id), every run when None."""
    try:
        return reader.find_runs(None if run is None else str(run))
    except FileNotFoundError:
        raise AuditError(f"no run named or numbered `{run}`") from None


def _run_series(reader: _C.AuditReader, run_id: int, name: str, progress) -> RunSeries:
    series = RunSeries(run_id, name)
    columns = reader.event_columns(run_id)
    # env -> [episode, first training step of that episode, its length so far]
    envs: dict[int, list[int]] = {}
    violations: dict[str, list[int]] = defaultdict(list)
    categories = iter(columns["categories"])
    for env, episode, step, bad in zip(columns["env"].tolist(), columns["episode"].tolist(),
                                       columns["step"].tolist(), columns["violating"].tolist()):
        state = envs.get(env)
        if state is None:
            state = envs[env] = [episode, 0, 0]
        elif episode != state[0]:
            state[0], state[1], state[2] = episode, state[1] + state[2], 0
        state[2] = max(state[2], step + 1)
        if bad:
            series.violating += 1
            at = state[1] + step
            for category in set(next(categories)) or {UNCOSTED}:
                violations[category].append(at)
    series.events = len(columns["env"])
    progress.update(series.events)
    series.steps = max((s[1] + s[2] for s in envs.values()), default=0)
    series.violations = {c: np.asarray(v, dtype=np.int64) for c, v in violations.items()}
    return series


def merge(out: str | Path, inputs: list[str | Path]) -> str:
    """Copies every run of ``inputs`` into the audit database ``out`` (created
    if missing), runs renumbered, every record kept, runs ``out`` already
    holds skipped, all in one transaction: the C++ ``rewardguard audit
    merge``. Returns its summary line; AuditError when it refuses (an input
    or an existing ``out`` missing, not an audit database, of another schema
    version)."""
    from .cli import executable

    exe = executable()
    if not exe.is_file():
        raise AuditError(f"the C++ command is missing from the package ({exe})")
    done = subprocess.run([str(exe), "audit", "merge", os.fspath(out), *map(os.fspath, inputs)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        message = done.stderr.strip()
        raise AuditError(message.removeprefix("error: ") or f"audit merge exited {done.returncode}")
    return done.stdout.strip()


def violations_over_steps(db: str | Path, run: str | int | None = None) -> list[RunSeries]:
    """Every violation of `run` (a name or an id; every run if None) at its training step."""
    from tqdm import tqdm

    reader = _open(db)
    runs = _find_runs(reader, run)
    total = sum(events for _, _, events in runs)
    with tqdm(total=total, unit="event", unit_scale=True, desc="reading",
              file=sys.stderr, disable=None) as progress:
        return [_run_series(reader, i, n, progress) for i, n, _ in runs]


def plot(db: str | Path, out: str | Path, run: str | int | None = None,
         bins: int = 100) -> list[RunSeries]:
    """Writes violations per training step, by cost category, one panel per run."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    series = violations_over_steps(db, run)
    if len(series) > 12:
        raise AuditError(f"{len(series)} runs: choose one with --run")
    fig, axes = plt.subplots(len(series), 1, figsize=(9, 3.2 * len(series) + 0.6),
                             squeeze=False, sharex=False)
    for ax, s in zip(axes[:, 0], series):
        ax.set_title(f"{s.name} (run {s.run_id}): {s.violating:,} violations in "
                     f"{s.events:,} events, {s.steps:,} training steps")
        ax.set_ylabel("violations per step")
        ax.grid(alpha=0.3)
        if s.steps == 0 or not s.violations:
            ax.text(0.5, 0.5, "no violations", ha="center", va="center", transform=ax.transAxes)
            continue
        edges = np.linspace(0, s.steps, min(bins, s.steps) + 1)
        centers = (edges[:-1] + edges[1:]) / 2
        width = np.diff(edges)
        by_total = sorted(s.violations.items(), key=lambda kv: (-len(kv[1]), kv[0]))
        for category, steps in by_total:
            counts, _ = np.histogram(steps, bins=edges)
            ax.plot(centers, counts / width, label=f"{category} ({len(steps):,})", lw=1.6)
        ax.legend(loc="upper right", fontsize=8, title="cost category")
        ax.set_xlim(0, s.steps)
        ax.set_ylim(bottom=0)
    axes[-1, 0].set_xlabel("training step (each env's steps since the run started)")
    fig.tight_layout()
    fig.savefig(out, dpi=120)
    plt.close(fig)
    return series


def main(argv: list[str]) -> int:
    """`rewardguard audit plot DB -o FILE.png [--run RUN] [--bins N]`."""
    parser = argparse.ArgumentParser(
        prog="rewardguard audit plot",
        description="violations over training steps, by cost category (a PNG)")
    parser.add_argument("db", help="audit database")
    parser.add_argument("-o", "--output", required=True, help="image file (.png, .svg, .pdf)")
    parser.add_argument("--run", help="only this run (name or id)")
    parser.add_argument("--bins", type=int, default=100, help="points per line (default 100)")
    args = parser.parse_args(argv)
    if args.bins < 1:
        parser.error("--bins must be positive")
    try:
        series = plot(args.db, args.output, args.run, args.bins)
    except AuditError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(f"wrote {args.output}: {len(series)} run(s), "
          f"{sum(s.violating for s in series):,} violations")
    return 0
