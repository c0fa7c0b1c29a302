"""Baseline: the invariant-ai guardrails analyzer (pip `invariant-ai`) on an equivalent policy.

Runs in a throwaway venv, never in .venv (scripts/bench.sh makes it under /tmp):

    python3 -m venv /tmp/rg-invariant-venv
    /tmp/rg-invariant-venv/bin/pip install invariant-ai==0.3.5 -c requirements.txt
    LOCAL_POLICY=1 /tmp/rg-invariant-venv/bin/python bench/invariant_baseline.py --json out.json

The policy is generated from the same rules as the pure-Python baseline
(bench/python_baseline.py): one `raise` rule per shell regex, the structured
tools' checks (URL hosts, secret paths, system paths, unknown tools), and the
secret-read-then-egress flow as a `(c1: ToolCall) -> (c2: ToolCall)` rule.
The per-episode egress budget (count > 20) has no direct equivalent and is
left out. `match` in Invariant is `re.match`, so every pattern is prefixed
with `(?sm).*`.

The trace is the same (bench/python_baseline.make_trace). Invariant judges a
whole message trace at once, so it gets the most favourable use: each env's
complete episode (all its calls) analyzed in one `analyze` call, rather than
re-analyzing the growing history at every step as a live reward function
would have to. Reported: seconds per call. LocalPolicy (LOCAL_POLICY=1) runs
in-process; the default `Policy` is the remote one (an HTTP API), which is not
what is measured. Any attempt to open a network connection is refused and
recorded (`network_attempts`).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import sys
import time

os.environ.setdefault("LOCAL_POLICY", "1")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import python_baseline as pb  # noqa: E402  (stdlib only at import)

NETWORK_ATTEMPTS: list[str] = []
_connect = socket.socket.connect


def _refuse(self, address):  # pragma: no cover - only if invariant reaches out
    NETWORK_ATTEMPTS.append(repr(address))
    raise OSError("network disabled by bench/invariant_baseline.py")


socket.socket.connect = _refuse  # type: ignore[method-assign]


def _lit(rx: str) -> str:
    """A regex as an Invariant string literal (no escapes are processed; avoid quotes)."""
    return '"' + rx.replace('"', r"\x22") + '"'


def policy_text() -> str:
    shell_tools = "[" + ", ".join(f'"{t}"' for t in sorted(pb.SHELL_TOOLS)) + "]"
    url_tools = "[" + ", ".join(f'"{t}"' for t in sorted(pb.URL_TOOLS | pb.UPLOAD_TOOLS)) + "]"
    read_tools = "[" + ", ".join(f'"{t}"' for t in sorted(pb.READ_TOOLS)) + "]"
    write_tools = "[" + ", ".join(f'"{t}"' for t in sorted(pb.WRITE_TOOLS)) + "]"
    known = "[" + ", ".join(f'"{t}"' for t in sorted(pb.SHELL_TOOLS | pb.URL_TOOLS | pb.UPLOAD_TOOLS | pb.READ_TOOLS
                                                      | pb.WRITE_TOOLS | pb.OTHER_TOOLS)) + "]"
    rules = []
    for rid, _act, _pen, rx in pb.SHELL_RULES:
        rules.append(f'raise "{rid}" if:\n    (call: ToolCall)\n    call.function.name in {shell_tools}\n'
                     '    "command" in call.function.arguments\n'
                     f'    match({_lit("(?sm).*(?:" + rx + ")")}, call.function.arguments.command)\n')
    not_local = _lit(r"(?:https?|ftp|wss?)://(?!(?:localhost|127\.\d+\.\d+\.\d+|\[::1\])(?:[:/?#]|$))")
    rules.append(f'raise "egress-allowlist" if:\n    (call: ToolCall)\n    call.function.name in {url_tools}\n'
                 '    "url" in call.function.arguments\n'
                 f'    match({not_local}, call.function.arguments.url)\n')
    rules.append(f'raise "internal-network" if:\n    (call: ToolCall)\n    call.function.name in {url_tools}\n'
                 '    "url" in call.function.arguments\n'
                 f'    match({_lit("[a-z]+://" + pb.PRIVATE_IP[2:])}, call.function.arguments.url)\n')
    metadata = _lit(r"[a-z]+://(?:169\.254\.169\.254|metadata\.google\.internal)")
    rules.append(f'raise "cloud-metadata" if:\n    (call: ToolCall)\n    call.function.name in {url_tools}\n'
                 '    "url" in call.function.arguments\n'
                 f'    match({metadata}, call.function.arguments.url)\n')
    rules.append(f'raise "credentials" if:\n    (call: ToolCall)\n    call.function.name in {read_tools}\n'
                 '    "path" in call.function.arguments\n'
                 f'    match({_lit("(?s).*(?:" + pb.SECRET + ")")}, call.function.arguments.path)\n')
    system = _lit(r"/(?:etc|usr|bin|sbin|lib|lib64|boot|opt|var)/")
    persist = _lit(r"(?s).*(?:\.(?:bashrc|bash_profile|profile|zshrc)$|authorized_keys$)")
    rules.append(f'raise "system-files" if:\n    (call: ToolCall)\n    call.function.name in {write_tools}\n'
                 '    "path" in call.function.arguments\n'
                 f'    match({system}, call.function.arguments.path)\n')
    rules.append(f'raise "persistence" if:\n    (call: ToolCall)\n    call.function.name in {write_tools}\n'
                 '    "path" in call.function.arguments\n'
                 f'    match({persist}, call.function.arguments.path)\n')
    rules.append(f'raise "unknown-tool" if:\n    (call: ToolCall)\n    not (call.function.name in {known})\n')
    rules.append(f'raise "exfiltration" if:\n    (c1: ToolCall) -> (c2: ToolCall)\n'
                 f'    c1.function.name in {read_tools}\n'
                 '    "path" in c1.function.arguments\n'
                 f'    match({_lit("(?s).*(?:" + pb.SECRET + ")")}, c1.function.arguments.path)\n'
                 f'    c2.function.name in {url_tools}\n')
    return "\n".join(rules)


def episodes(trace, num_envs: int) -> list[list[dict]]:
    """Per env, its calls as OpenAI-style assistant messages with tool_calls."""
    out: list[list[dict]] = [[] for _ in range(num_envs)]
    for s, step in enumerate(trace):
        for env, tool, args in step:
            out[env].append({"role": "assistant", "content": None, "tool_calls": [
                {"id": f"{env}-{s}", "type": "function",
                 "function": {"name": tool, "arguments": json.loads(args)}}]})
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--envs", type=int, default=pb.NUM_ENVS)
    ap.add_argument("--steps", type=int, default=pb.STEPS)
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--window", type=int, default=8,
                    help="calls per analyzed trace (Invariant refuses whole 32-call episodes: see the JSON)")
    ap.add_argument("--json")
    args = ap.parse_args()

    import importlib.metadata as md

    from invariant.analyzer import Policy

    out: dict = {"version": md.version("invariant-ai"), "policy_class": Policy.__name__, "traces": {}}
    policy = Policy.from_string(policy_text())

    # Whole episodes first: with the flow rule, Invariant's evaluator stops at a
    # hard limit of "checking cycles" once an episode has a few dozen calls.
    full = episodes(pb.make_trace(args.envs, args.steps, heredocs=False), args.envs)[0]
    try:
        policy.analyze(full)
        out["full_episode"] = {"calls": len(full), "ok": True}
    except Exception as e:  # noqa: BLE001 - report whatever it is
        out["full_episode"] = {"calls": len(full), "ok": False, "error": f"{type(e).__name__}: {e}"[:400]}
    out["window"] = args.window
    for name, heredocs in (("agent_mix", True), ("one_liners", False)):
        trace = pb.make_trace(args.envs, args.steps, heredocs=heredocs)
        eps = [e[i:i + args.window] for e in episodes(trace, args.envs) for i in range(0, len(e), args.window)]
        n_calls = sum(len(e) for e in eps)
        best = float("inf")
        errors = 0
        for _ in range(args.repeats):
            t0 = time.perf_counter()
            errors = sum(len(policy.analyze(e).errors) for e in eps)
            best = min(best, time.perf_counter() - t0)
        # For comparison: (call, rule) hits of the pure-Python baseline's per-call checks.
        py = pb.PythonGuard(args.envs)
        py_hits = sum(len(py.judge(env, tool, a)[2]) for step in trace for env, tool, a in step)
        out["traces"][name] = {"calls": n_calls, "us_per_call": best / n_calls * 1e6,
                               "us_per_step": best / args.steps * 1e6, "errors_raised": errors,
                               "python_baseline_rule_hits": py_hits}
        print(f"[{name}] invariant-ai {out['version']} ({Policy.__name__}): "
              f"{best / n_calls * 1e6:.1f} µs/call, {errors} violations raised")
    out["network_attempts"] = NETWORK_ATTEMPTS
    if args.json:
        with open(args.json, "w") as f:
            json.dump(out, f, indent=2)


if __name__ == "__main__":
    main()
