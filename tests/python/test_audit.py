"""rewardguard.audit: violations over training steps, `rewardguard audit plot`."""

import json
import subprocess
import sys

import pytest

import rewardguard as rg
from rewardguard import audit

from conftest import MINER, TUNNEL

RG = [sys.executable, "-m", "rewardguard"]


@pytest.fixture()
def trail(policy, tmp_path):
    """A run of 2 envs: env 0 runs episodes of 5 and 3 steps, env 1 one of 8.

    Violations: env 1 at its step 2 (a miner), env 0 at step 1 of its second
    episode (a tunnel): training step 5 + 1 = 6.
    """
    db = tmp_path / "audit.db"
    g = rg.Guard(policy, 2, audit=db, run_name="train")
    for t in range(8):
        if t == 5:
            g.reset([0])
        calls = [(0, "shell", TUNNEL if t == 6 else "ls"), (1, "shell", MINER if t == 2 else "ls")]
        g.evaluate(calls)
    g.close()
    return db


def test_violations_sit_at_their_training_steps(trail):
    (series,) = audit.violations_over_steps(trail)
    assert series.name == "train"
    assert series.events == 16
    assert series.steps == 8
    assert series.violating == 2
    steps = sorted(int(s) for v in series.violations.values() for s in v)
    assert set(steps) == {2, 6}
    # The categories are the cost categories the C++ export reports.
    out = subprocess.run([*RG, "audit", "export", str(trail), "--format", "jsonl"],
                         capture_output=True, text=True, check=True)
    exported = {c for line in out.stdout.splitlines()
                for row in [json.loads(line)] if row["action"] != "allow"
                for c in row["costs"]} or {audit.UNCOSTED}
    assert set(series.violations) == exported


def test_plot_command_writes_a_png(trail, tmp_path):
    png = tmp_path / "violations.png"
    out = subprocess.run([*RG, "audit", "plot", str(trail), "-o", str(png), "--run", "train"],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "2 violations" in out.stdout
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert png.stat().st_size > 10_000


def test_plot_errors_are_clear(trail, tmp_path):
    missing = subprocess.run([*RG, "audit", "plot", str(tmp_path / "none.db"), "-o", "x.png"],
                             capture_output=True, text=True)
    assert missing.returncode == 2 and "no audit database" in missing.stderr
    no_run = subprocess.run([*RG, "audit", "plot", str(trail), "-o", str(tmp_path / "x.png"),
                             "--run", "nope"], capture_output=True, text=True)
    assert no_run.returncode == 2 and "no run named or numbered `nope`" in no_run.stderr
    not_db = tmp_path / "text.db"
    not_db.write_text("not a database, just text " * 10)
    with pytest.raises(audit.AuditError, match="not a rewardguard audit database"):
        audit.violations_over_steps(not_db)
