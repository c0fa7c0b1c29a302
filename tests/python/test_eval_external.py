"""The third-party corpus (tests/corpus_external) and its evaluation script.

These tests check that the corpus is what its README says (every command cited
to a repository and commit, labelled, split by the documented rule, nothing
from a reserved source, no command in both halves) and that
scripts/eval_external.py runs over all of it and writes its table. Detection
rates are measurements, reported in docs/benchmarks.md; nothing here asserts
them.
"""
from __future__ import annotations

import collections
import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CORPUS_DIR = ROOT / "tests" / "corpus_external"
CORPUS = CORPUS_DIR / "commands.jsonl"
SCRIPT = ROOT / "scripts" / "eval_external.py"


def _module(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


make_corpus = _module("make_corpus", CORPUS_DIR / "make_corpus.py")


@pytest.fixture(scope="module")
def entries() -> list[dict]:
    with open(CORPUS, encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def test_corpus_file_is_what_the_generator_writes():
    assert CORPUS.read_text(encoding="utf-8") == make_corpus.dumps(make_corpus.build())


def test_every_entry_is_cited_and_labelled(entries):
    assert len(entries) >= 2000
    for e in entries:
        assert e["command"].strip() == e["command"] and e["command"], e
        assert e["kind"] in make_corpus.KINDS, e
        if e["kind"] == "malicious":
            assert e["category"] in make_corpus.CATEGORIES, e
        else:
            assert "category" not in e, e
        assert re.fullmatch(r"[0-9a-f]{40}", e["commit"]), e
        assert re.fullmatch(r"[\w.-]+/[\w.-]+", e["repo"]), e
        assert e["path"] and e["source"] == f"{e['repo']}:{e['path']}", e
    assert [e["id"] for e in entries] == list(range(1, len(entries) + 1))


def test_split_follows_the_documented_rule(entries):
    by_repo = collections.defaultdict(set)
    for e in entries:
        assert e["split"] == make_corpus.split_of(e["repo"]), e
        by_repo[e["repo"]].add(e["split"])
    assert all(len(s) == 1 for s in by_repo.values())  # one split per source
    assert {e["split"] for e in entries} == {"tune", "holdout"}
    # The rule itself: a hash of the lower-cased repository name, not a choice.
    assert make_corpus.split_of("Owner/Repo") == make_corpus.split_of("owner/repo")


def test_no_reserved_source(entries):
    reserved = ("gtfobins", "atomic-red-team", "atomic_red_team", "tldr", "swe-agent",
                "mini-swe-agent", "openhands", "all-hands-ai")
    for e in entries:
        assert not any(r in e["repo"].lower() for r in reserved), e


def test_no_command_twice_and_none_from_the_in_sample_corpus(entries):
    import yaml

    commands = [e["command"] for e in entries]
    assert len(commands) == len(set(commands))
    with open(ROOT / "tests" / "corpus" / "commands.yaml", encoding="utf-8") as f:
        in_sample = {c["command"] for c in yaml.safe_load(f)["commands"]}
    assert not in_sample & set(commands)


def test_eval_script_runs_and_writes_the_table(entries, tmp_path):
    proc = subprocess.run([sys.executable, str(SCRIPT), "--out", str(tmp_path)],
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    report = (tmp_path / "report.md").read_text(encoding="utf-8")
    for title in ("tuning half", "never-tuned half (the truth)"):
        assert title in report
    for name in ("malicious (all categories but shell escapes)", "shell escapes",
                 "reach a public host", "ordinary development commands"):
        assert report.count(f"| {name} |") == 2
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    kinds = collections.Counter((e["split"], e["kind"]) for e in entries)
    for split in ("tune", "holdout"):
        assert summary[f"{split}/shell escapes"]["n"] == kinds[(split, "escape")]
        assert summary[f"{split}/ordinary development commands"]["n"] == kinds[(split, "ordinary")]
        assert summary[f"{split}/reach a public host"]["n"] == kinds[(split, "public_host")]
        assert (summary[f"{split}/malicious (all categories but shell escapes)"]["n"]
                == kinds[(split, "malicious")])
    # Every miss or false alarm is one corpus entry, with its source.
    by_id = {e["id"]: e for e in entries}
    with open(tmp_path / "misses.jsonl", encoding="utf-8") as f:
        for line in f:
            m = json.loads(line)
            e = by_id[m["id"]]
            assert (m["command"], m["source"], m["commit"]) == (e["command"], e["source"],
                                                                e["commit"])
