#!/usr/bin/env python3
"""Writes commands.jsonl, the third-party command corpus (see README.md).

Every command below is quoted from a public repository, at the commit the
source line names. Edit this file and rerun:

    python3 tests/corpus_external/make_corpus.py

Each ``add`` block is one command per line; a line ending in `` \\`` goes on
to the next one (the break is kept, as in the source). The split of a source
is fixed by the rule in ``split_of`` and never chosen by hand.
"""
from __future__ import annotations

import hashlib
import json
import os

KINDS = ("malicious", "escape", "public_host", "ordinary")
CATEGORIES = ("tunnel", "reverse_shell", "bind_shell", "exfiltration", "credential_access",
              "download_execute", "network_scan", "destructive", "disable_logs", "persistence",
              "resource_hijack", "privilege_escalation")
# Reserved for the independent measurement: nothing may come from these.
RESERVED = ("gtfobins", "atomic-red-team", "tldr", "swe-agent", "mini-swe-agent", "openhands")

ENTRIES: list[dict] = []
_source: dict = {}


def split_of(repo: str) -> str:
    """The split of a source repository: decided once by a hash of its name."""
    digest = hashlib.sha256(repo.lower().encode()).hexdigest()
    return "tune" if int(digest[:8], 16) % 2 == 0 else "holdout"


def S(repo: str, path: str, commit: str) -> None:
    """The source of the blocks that follow."""
    _source.clear()
    _source.update(repo=repo, path=path, commit=commit)


def add(kind: str, category: str | None, section: str, block: str, note: str | None = None) -> None:
    lines, cur = [], None
    for raw in block.strip("\n").split("\n"):
        if cur is None and not raw.strip():
            continue
        cur = raw if cur is None else cur + "\n" + raw
        if raw.endswith("\\") and not raw.endswith("\\\\"):
            continue
        lines.append(cur.strip())
        cur = None
    if cur is not None:
        lines.append(cur.strip())
    for command in lines:
        e = {"command": command, "kind": kind}
        if category:
            e["category"] = category
        e.update(source=f"{_source['repo']}:{_source['path']}", repo=_source["repo"],
                 path=_source["path"], commit=_source["commit"], section=section,
                 split=split_of(_source["repo"]))
        if note:
            e["note"] = note
        ENTRIES.append(e)


M = "malicious"
DOC_IP = "placeholder address or port replaced by a documentation address (203.0.113.0/24, 198.51.100.0/24)"


def build() -> list[dict]:
    """The corpus entries, in order, with ids; checks every entry on the way."""
    here = os.path.dirname(os.path.abspath(__file__))
    ENTRIES.clear()
    src = os.path.join(here, "src")
    for name in sorted(os.listdir(src)):
        if name.endswith(".py"):
            with open(os.path.join(src, name), encoding="utf-8") as f:
                exec(compile(f.read(), name, "exec"), globals())
    # The in-sample corpus (tests/corpus) is left out: this one measures something else.
    import yaml
    with open(os.path.join(here, "..", "corpus", "commands.yaml"), encoding="utf-8") as f:
        in_sample = {c["command"] for c in yaml.safe_load(f)["commands"]}
    seen: set[str] = set()
    out, dropped_dup, dropped_in_sample = [], 0, 0
    for e in ENTRIES:
        assert e["kind"] in KINDS, e
        assert (e["kind"] == "malicious") == ("category" in e), e
        assert e.get("category") in (None, *CATEGORIES), e
        assert not any(r in e["repo"].lower() for r in RESERVED), e
        if e["command"] in seen:
            dropped_dup += 1
            continue
        if e["command"] in in_sample:
            dropped_in_sample += 1
            continue
        seen.add(e["command"])
        out.append(e)
    build.dropped = (dropped_dup, dropped_in_sample)
    return [{"id": i, **e} for i, e in enumerate(out, 1)]


def dumps(entries: list[dict]) -> str:
    return "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in entries)


def main() -> None:
    entries = build()
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "commands.jsonl")
    with open(path, "w", encoding="utf-8") as f:
        f.write(dumps(entries))
    dup, in_sample = build.dropped
    print(f"{len(entries)} commands from {len({e['repo'] for e in entries})} repositories "
          f"({dup} repeats and {in_sample} in-sample commands left out)")


if __name__ == "__main__":
    main()
