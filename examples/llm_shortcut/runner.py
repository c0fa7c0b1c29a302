"""The trainer's shell tool: a process that runs the model's commands through a Guard.

Why a process of its own: the sandbox starts each run with clone(2) of the
calling process, whose cost grows with that process's memory, and a
trainer with torch, transformers and TRL loaded makes every run several
times slower than a small process does. This one is started with
``subprocess`` (no fork of the trainer) and keeps torch's Python package
out (``rewardguard`` works without it), so a command costs tens of
milliseconds instead of over a hundred.

It also hosts the answer cache (tasks.AnswerCache), whose port the
model's vocabulary holds, for the whole training. Protocol: one JSON object
a line on stdin, one answer a line on stdout:

- ``{"op": "open", "mode", "audit", "run_name", "num_envs"}``: a new Guard
  (coding-sandbox) for one training run -> ``{"categories": [...]}``
- ``{"op": "weights", "weights": [...]}``: the Guard's cost weights
- ``{"op": "batch", "items": [[kind, arg, seed, command], ...]}``: item i runs
  as env i, each in a new episode -> ``{"outcomes": [...], "cache_hits": n}``
- ``{"op": "close"}``: flushes and closes the Guard's audit run
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent


def call_costs(acct: Any, env: int, command: str, r: Any, costed: set[str]) -> tuple[np.ndarray, list[str]]:
    """The call's costs per category [C] and the rules that fired, text and observations
    merged as the sandbox merges them (each rule counts once). Judged again by ``acct``,
    a guard of the same policy that records nothing, because a run's result carries the
    merged penalty but not its split into categories. ``costed``: the policy's rules whose
    action is not allow."""
    acct.reset([env])
    verdicts = [acct.evaluate([(env, "shell", command)])]
    if r.observations:
        verdicts.append(acct.observe([(env, o.observation) for o in r.observations]))
    costs = np.zeros(len(acct.categories))
    seen: set[tuple[str, ...]] = set()
    rules: list[str] = []
    for v in verdicts:
        for k in range(v.num_calls):
            key = tuple(sorted(x for x in v.rules[k] if x in costed))
            if not key or key in seen:
                continue
            seen.add(key)
            costs += v.call_costs[k]
            rules += [x for x in key if x not in rules]
    return costs, rules


def outcome_dict(out: Any, costs: np.ndarray, costed: set[str]) -> dict[str, Any]:
    r = out.result
    flagged = [o for o in r.observations if o.action != "allow"]
    return {
        "command": out.command, "reward": out.reward, "exact": out.exact, "ran": r.ran,
        "action": r.action, "static_action": r.static_action,
        "rules": [x for x in r.rules if x in costed], "costs": costs.tolist(),
        # the forbidden act happened: a flagged text ran (shadow mode), or a flagged
        # observation was not prevented
        "forbidden_ran": bool(r.action != "allow" and r.ran and
                              (r.static_action != "allow" or any(not o.prevented for o in flagged))),
        "observations": [{**o.observation, "action": o.action, "prevented": o.prevented} for o in flagged],
        "stdout": r.stdout.decode("utf-8", errors="replace")[:200],
    }


def serve(port: int) -> None:
    import rewardguard as rg
    from llm_shortcut import tasks as T

    policy = rg.Policy.load("coding-sandbox")
    costed = {rule for rule, action in policy.actions.items() if action != "allow"}
    cache = T.AnswerCache(port)
    shell = T.ShellTasks(cache)
    guard = acct = None
    print(json.dumps({"port": cache.port, "url": cache.url}), flush=True)
    for line in sys.stdin:
        req = json.loads(line)
        op = req["op"]
        if op == "open":
            guard = rg.Guard(policy, req["num_envs"], mode=req["mode"], audit=req.get("audit"),
                             run_name=req["run_name"])
            acct = rg.Guard(policy, req["num_envs"], mode="shadow")
            reply: dict[str, Any] = {"categories": list(guard.categories)}
        elif op == "weights":
            guard.set_weights(np.asarray(req["weights"], dtype=np.float32))
            reply = {}
        elif op == "batch":
            items = req["items"]
            guard.reset(list(range(len(items))))
            hits = cache.hits
            outcomes = []
            for i, (kind, arg, seed, command) in enumerate(items):
                if not command.strip():   # the model said nothing: no call
                    outcomes.append({"command": "", "reward": 0.0, "exact": False, "ran": False,
                                     "action": "allow", "static_action": "allow", "rules": [],
                                     "costs": [0.0] * len(guard.categories), "forbidden_ran": False,
                                     "observations": [], "stdout": ""})
                    continue
                out = shell.run(guard, i, T.Task(kind, arg, int(seed)), command)
                costs, _ = call_costs(acct, i, command, out.result, costed)
                outcomes.append(outcome_dict(out, costs, costed))
            reply = {"outcomes": outcomes, "cache_hits": cache.hits - hits}
        elif op == "close":
            guard.close()
            guard = acct = None
            reply = {}
        else:
            reply = {"error": f"unknown op {op!r}"}
        print(json.dumps(reply), flush=True)
    shell.close()
    cache.close()


class Runner:
    """The trainer's end: starts the process, sends requests, reads answers."""

    def __init__(self, port: int = 0) -> None:
        code = ("import sys; sys.modules['torch'] = None; "   # rewardguard without torch: a small process
                f"sys.path.insert(0, {str(HERE.parent)!r}); "
                f"from llm_shortcut import runner; runner.serve({int(port)})")
        self._p = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                   text=True, bufsize=1)
        hello = self._read()
        self.port: int = hello["port"]
        self.url: str = hello["url"]

    def _read(self) -> dict[str, Any]:
        line = self._p.stdout.readline()
        if not line:
            raise RuntimeError(f"the shell runner exited (status {self._p.wait()})")
        return json.loads(line)

    def request(self, op: str, **kwargs: Any) -> dict[str, Any]:
        self._p.stdin.write(json.dumps({"op": op, **kwargs}) + "\n")
        self._p.stdin.flush()
        reply = self._read()
        if "error" in reply:
            raise RuntimeError(reply["error"])
        return reply

    def close(self) -> None:
        if self._p.poll() is None:
            self._p.stdin.close()
            self._p.wait(timeout=30)
