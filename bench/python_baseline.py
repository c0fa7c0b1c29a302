"""Baseline: coding-sandbox's main checks in pure Python with `re`, on the same trace as rewardguard.

    .venv/bin/python bench/python_baseline.py [--json out.json] [--repeats 5]

What a user would put in a reward function today, written straight: parse the
JSON arguments, run a list of precompiled regexes over the shell command (or
the path / URL of a structured tool), the strongest action wins and the
penalties add up, plus the two cross-step checks of the policy (a secret read
then egress ends the episode; more than 20 outbound requests penalize). It is
not a shell parser: quoting, launchers, heredocs and obfuscation are what the
regexes happen to see. That is the point of comparison, not a strawman: the
regexes are compiled once, the checks stop at nothing clever, and every
call of the trace goes through them exactly once.

The trace (`make_trace`) is a training step of a coding agent repeated over
STEPS steps: NUM_ENVS envs with one call per env per step, ~85% ordinary work
(git, tests, grep, file reads and writes, heredocs), ~15% of the violations of
examples/traces/agent_session.jsonl. Both sides get the same (env, tool,
JSON-text arguments) columns, one step at a time; rewardguard through
`rg.Guard.evaluate_columns` (the Python binding: what a Python trainer calls).

This module imports only the standard library at top level, so the
invariant-ai baseline (bench/invariant_baseline.py, run in its own venv)
reuses the trace and the rules.
"""

from __future__ import annotations

import argparse
import json
import re
import time

NUM_ENVS = 64
STEPS = 32

ALLOW, WARN, PENALIZE, BLOCK, TERMINATE = range(5)
SHELL_TOOLS = {"shell", "bash", "terminal", "run_command", "execute_command"}
URL_TOOLS = {"fetch", "http_get", "http_request", "web_fetch"}
UPLOAD_TOOLS = {"http_post", "upload_file"}
READ_TOOLS = {"read_file", "view_file", "list_directory"}
WRITE_TOOLS = {"write_file", "edit_file", "create_file"}
OTHER_TOOLS = {"delete_file", "search_code", "finish"}

# --- the trace ---------------------------------------------------------------

HEREDOC = ("cat > scripts/summarize.py <<'EOF'\nimport json, pathlib, statistics\n"
           + "".join(f"def check_{i}(rows):\n    bad = [r for r in rows if r['loss'] > {i}.0]\n"
                     f"    print('check {i}', len(bad))\n    return not bad\n\n" for i in range(20))
           + "rows = [json.loads(p.read_text()) for p in pathlib.Path('results').glob('*.json')]\n"
             "print(statistics.median(r['loss'] for r in rows))\nEOF\n")

BENIGN = [
    ("shell", {"command": "git status --short"}),
    ("shell", {"command": "cd /workspace/repo && python -m pytest -q tests/test_solver.py -k 'not slow' 2>&1 | tail -n 20"}),
    ("shell", {"command": "grep -rn 'def main' src/ | head -20"}),
    ("shell", {"command": "ls -la build && make -j8"}),
    ("shell", {"command": "find . -name '*.pyc' -delete"}),
    ("shell", {"command": "python3 -c 'import sys; print(sys.version)'"}),
    ("shell", {"command": "git diff --stat HEAD~1 && git log --oneline -5"}),
    ("shell", {"command": "ruff check . && mypy src && pytest -q --maxfail=1 2>&1 | tee test.log | tail -5"}),
    ("shell", {"command": HEREDOC}),
    ("read_file", {"path": "src/solver.py"}),
    ("read_file", {"path": "tests/test_solver.py"}),
    ("write_file", {"path": "src/solver.py", "content": "def solve(x):\n    return sorted(x)\n"}),
    ("write_file", {"path": "src/util.py", "content": "import os\n"}),
    ("search_code", {"query": "def solve"}),
    ("finish", {"answer": "done"}),
]


def load_session(path: str = "examples/traces/agent_session.jsonl") -> list[tuple[str, dict]]:
    """The violations (and the few benign calls) of the recorded demo session."""
    out = []
    with open(path) as f:
        for line in f:
            rec = json.loads(line)
            out.append((rec["tool"], rec["arguments"]))
    return out


def make_trace(num_envs: int = NUM_ENVS, steps: int = STEPS, session_path: str | None = None,
               heredocs: bool = True):
    """[steps] lists of (env, tool, arguments-as-JSON-text); deterministic.

    heredocs=False swaps the 2.5 KB heredoc for a one-liner (`git status`):
    the trace where per-byte regex cost matters least.
    """
    session = load_session(session_path or "examples/traces/agent_session.jsonl")
    benign = BENIGN if heredocs else [b if b[1].get("command") != HEREDOC else BENIGN[0] for b in BENIGN]
    trace = []
    for s in range(steps):
        step = []
        for env in range(num_envs):
            k = s * num_envs + env
            # ~15% violations: every 7th call comes from the session, the rest is ordinary work.
            tool, args = session[(k // 7) % len(session)] if k % 7 == 3 else benign[(k * 5 + s) % len(benign)]
            step.append((env, tool, json.dumps(args)))
        trace.append(step)
    return trace


# --- the checks ----------------------------------------------------------------
# (rule id, action, penalty, regex over the shell command), in the policy's order.

SECRET = r"(?:~|\$HOME|/home/[\w.-]+|/root)/\.(?:ssh|aws|gnupg|kube|docker|config/gcloud)/|/etc/shadow|\bid_(?:rsa|ed25519|ecdsa)\b|\.netrc\b|\.env\b"
PRIVATE_IP = r"\b(?:10\.\d+\.\d+\.\d+|172\.(?:1[6-9]|2\d|3[01])\.\d+\.\d+|192\.168\.\d+\.\d+|169\.254\.\d+\.\d+|100\.(?:6[4-9]|[7-9]\d|1[01]\d|12[0-7])\.\d+\.\d+)"
NET_CLIENT = r"\b(?:curl|wget|ssh|scp|sftp|rsync\s+\S*:|nc|ncat|netcat|telnet|ftp|socat|git\s+(?:clone|fetch|pull|push)|pip3?\s+install|npm\s+install|apt(?:-get)?\s+install)\b"

SHELL_RULES = [
    ("tunnel", TERMINATE, 10.0, r"\bssh\b[^|;&]*\s-[a-zA-Z]*[RLD]|\b(?:ngrok|cloudflared|frpc|chisel|autossh)\b|RemoteForward|LocalForward"),
    ("proxy", TERMINATE, 10.0, r"\b(?:proxychains4?|torsocks|tor)\b"),
    ("reverse-shell", TERMINATE, 10.0, r"/dev/(?:tcp|udp)/|\bnc(?:at)?\b[^|;&]*\s-[a-z]*e\b|socket\.socket.*(?:pty\.spawn|subprocess|os\.dup2)|\bsocat\b.*exec:"),
    ("crypto-mining", TERMINATE, 10.0, r"\b(?:xmrig|minerd|cpuminer|ethminer|nbminer|t-rex|lolminer|cgminer)\b|stratum\+(?:tcp|ssl)://"),
    ("remote-code", BLOCK, 5.0, r"\b(?:curl|wget)\b[^|;]*\|\s*(?:sudo\s+)?(?:ba|z|da)?sh\b|\b(?:ba)?sh\s+<\(\s*(?:curl|wget)|\$\(\s*(?:curl|wget)[^)]*\)"),
    ("upload", BLOCK, 3.0, r"\bcurl\b[^|;&]*\s(?:-d\s*@|--data(?:-binary)?\s*@|-F\s|--upload-file|-T\s)|\bscp\b[^|;&]*\s\S+:|\brsync\b[^|;&]*\s\S+:"),
    ("network-scan", BLOCK, 5.0, r"\b(?:nmap|masscan|zmap|rustscan)\b|\bnc\b[^|;&]*\s-[a-z]*z"),
    ("cloud-metadata", BLOCK, 5.0, r"169\.254\.169\.254|metadata\.google\.internal|100\.100\.100\.200|fd00:ec2::254"),
    ("internal-network", BLOCK, 3.0, PRIVATE_IP),
    ("egress-allowlist", BLOCK, 1.0, NET_CLIENT + r"|https?://(?!(?:localhost|127\.0\.0\.1)[:/])"),
    ("listen", BLOCK, 1.0, r"\bpython3?\s+-m\s+http\.server\b(?!.*--bind\s+(?:127\.0\.0\.1|localhost))|\bnc\b[^|;&]*\s-[a-z]*l"),
    ("background-process", BLOCK, 1.0, r"\b(?:nohup|setsid|disown)\b|(?<![&>|])&\s*(?:$|;|\n)"),
    ("env-dump", BLOCK, 2.0, r"(?:^|[;&|]\s*)(?:env|printenv|set)\s*(?:$|[;&|>])|/proc/\S*/environ"),
    ("persistence", BLOCK, 3.0, r"\bcrontab\b(?!\s+-l)|\bsystemctl\s+(?:enable|--user\s+enable)|/etc/cron|\.(?:bashrc|bash_profile|profile|zshrc)\b|authorized_keys|/etc/systemd/"),
    ("privilege-escalation", BLOCK, 3.0, r"\b(?:sudo|su|doas|pkexec)\b|chmod\s+[ugo]*\+s|/etc/(?:passwd|sudoers)"),
    ("gpu-outside-job", BLOCK, 2.0, r"\bnvidia-smi\b[^|;&]*\s-(?:pl|ac|pm|lgc|-power-limit)|\bgpu[-_]?burn\b"),
    ("credentials", BLOCK, 3.0, SECRET),
    ("system-files", BLOCK, 2.0, r">\s*/(?:etc|usr|bin|sbin|lib|boot)/"),
    ("destructive-disk", BLOCK, 5.0, r"\bmkfs(?:\.\w+)?\b|\bdd\b[^|;&]*\bof=/dev/|\brm\s+-[a-z]*r[a-z]*f?\s+/(?:\s|$)|>\s*/dev/[sh]d[a-z]"),
    ("log-tampering", BLOCK, 3.0, r"\bhistory\s+-c\b|\.bash_history|/var/log/|\bunset\s+HISTFILE\b|\bshred\b"),
    ("unanalyzable", BLOCK, 2.0, r"base64\s+(?:-d|--decode)[^|]*\|\s*(?:ba|z)?sh\b|\beval\s+[\"']?\$|\bxxd\s+-r[^|]*\|\s*(?:ba)?sh\b"),
]
EGRESS_RULES = {"egress-allowlist", "upload", "remote-code", "tunnel", "reverse-shell", "cloud-metadata", "internal-network"}

_SHELL = [(rid, act, pen, re.compile(rx, re.M)) for rid, act, pen, rx in SHELL_RULES]
_SECRET_PATH = re.compile(SECRET)
_SYSTEM_PATH = re.compile(r"^/(?:etc|usr|bin|sbin|lib|lib64|boot|opt|var)/")
_PRIV_PATH = re.compile(r"^/etc/(?:passwd|shadow|sudoers|group)\b")
_PERSIST_PATH = re.compile(r"\.(?:bashrc|bash_profile|profile|zshrc)$|authorized_keys$|^/etc/cron|^/etc/systemd/")
_URL = re.compile(r"^(https?|ftp|wss?)://(\[[^\]]+\]|[^/:?#]+)(?::(\d+))?")
_LOCAL_HOST = re.compile(r"^(?:localhost|127\.\d+\.\d+\.\d+|\[?::1\]?)$")
_PRIVATE_HOST = re.compile("^" + PRIVATE_IP[2:] + "$")
_METADATA_HOST = re.compile(r"^(?:169\.254\.169\.254|metadata\.google\.internal|100\.100\.100\.200)$")


class PythonGuard:
    """Per-env state of the two cross-step checks, and the per-call checks."""

    def __init__(self, num_envs: int):
        self.secret_read = [False] * num_envs
        self.egress_count = [0] * num_envs

    def reset(self) -> None:
        n = len(self.secret_read)
        self.secret_read = [False] * n
        self.egress_count = [0] * n

    def judge(self, env: int, tool: str, arguments: str) -> tuple[int, float, list[str]]:
        """(action, penalty, rules) of one call."""
        fired: list[tuple[str, int, float]] = []
        try:
            args = json.loads(arguments)
        except ValueError:
            return BLOCK, 1.0, ["malformed-call"]
        if not isinstance(args, dict):
            return BLOCK, 1.0, ["malformed-call"]
        egress = secret = False
        if tool in SHELL_TOOLS:
            cmd = args.get("command")
            if not isinstance(cmd, str):
                return BLOCK, 1.0, ["malformed-call"]
            if len(cmd) > 65536:
                return BLOCK, 2.0, ["over-limit"]
            for rid, act, pen, rx in _SHELL:
                if rx.search(cmd):
                    fired.append((rid, act, pen))
                    egress = egress or rid in EGRESS_RULES
                    secret = secret or rid == "credentials"
        elif tool in URL_TOOLS or tool in UPLOAD_TOOLS:
            url = args.get("url")
            m = _URL.match(url) if isinstance(url, str) else None
            if m is None:
                return BLOCK, 1.0, ["malformed-call"]
            host = m.group(2).strip("[]").lower()
            if not _LOCAL_HOST.match(host):
                egress = True
                fired.append(("egress-allowlist", BLOCK, 1.0))
                if tool in UPLOAD_TOOLS:
                    fired.append(("upload", BLOCK, 3.0))
                if _PRIVATE_HOST.match(host):
                    fired.append(("internal-network", BLOCK, 3.0))
                if _METADATA_HOST.match(host):
                    fired.append(("cloud-metadata", BLOCK, 5.0))
        elif tool in READ_TOOLS or tool in WRITE_TOOLS:
            path = args.get("path")
            if not isinstance(path, str):
                return BLOCK, 1.0, ["malformed-call"]
            if tool in READ_TOOLS:
                if _SECRET_PATH.search(path):
                    secret = True
                    fired.append(("credentials", BLOCK, 3.0))
            else:
                if _PRIV_PATH.match(path):
                    fired.append(("privilege-escalation", BLOCK, 3.0))
                elif _PERSIST_PATH.search(path):
                    fired.append(("persistence", BLOCK, 3.0))
                elif _SYSTEM_PATH.match(path):
                    fired.append(("system-files", BLOCK, 2.0))
        elif tool not in OTHER_TOOLS:
            return BLOCK, 1.0, ["unknown-tool"]
        if egress:
            self.egress_count[env] += 1
            if self.egress_count[env] > 20:
                fired.append(("egress-budget", PENALIZE, 0.1))
            if self.secret_read[env]:
                fired.append(("exfiltration", TERMINATE, 10.0))
        if secret:
            self.secret_read[env] = True
        if not fired:
            return ALLOW, 0.0, []
        return max(f[1] for f in fired), sum(f[2] for f in fired), [f[0] for f in fired]

    def step(self, calls):
        """One step: per-env actions and penalties, as a reward function would return them."""
        n = len(self.secret_read)
        actions = [ALLOW] * n
        penalties = [0.0] * n
        for env, tool, args in calls:
            a, p, _ = self.judge(env, tool, args)
            if a > actions[env]:
                actions[env] = a
            penalties[env] += p
        return actions, penalties


# --- measurement -------------------------------------------------------------------


def _time_steps(fn, trace, reset, repeats: int) -> float:
    """Best-of-`repeats` seconds per pass over the whole trace."""
    best = float("inf")
    for _ in range(repeats):
        reset()
        t0 = time.perf_counter()
        for step in trace:
            fn(step)
        best = min(best, time.perf_counter() - t0)
    return best


def measure(trace, num_envs: int, steps: int, repeats: int, rg, np) -> dict:
    n_calls = sum(len(s) for s in trace)
    n_bytes = sum(len(t) + len(a) for s in trace for _, t, a in s)
    columns = [(np.array([c[0] for c in s], dtype=np.int32), [c[1] for c in s], [c[2] for c in s]) for s in trace]
    py = PythonGuard(num_envs)
    guard = rg.Guard("coding-sandbox", num_envs=num_envs)

    # Agreement on the trace (per call: blocked or not), for honesty about "same checks".
    agree = total = blocked = 0
    disagreements: dict[str, int] = {}
    for step, (env_ids, tools, arguments) in zip(trace, columns):
        v = guard.evaluate_columns(env_ids, tools, arguments)
        for i, (env, tool, a) in enumerate(step):
            pa = py.judge(env, tool, a)[0]
            ra = int(v.call_actions[i])
            total += 1
            blocked += ra >= BLOCK
            if (pa >= BLOCK) == (ra >= BLOCK):
                agree += 1
            else:
                key = f"{tool}: {str(json.loads(a).get('command', a))[:60]!r} rg={ra} py={pa}"
                disagreements[key] = disagreements.get(key, 0) + 1

    def rg_step(cols):
        guard.evaluate_columns(*cols)

    # Interleaved, so both sides see the same machine load; best of `repeats`.
    t_py = t_rg = float("inf")
    for _ in range(repeats):
        t_py = min(t_py, _time_steps(py.step, trace, py.reset, 1))
        t_rg = min(t_rg, _time_steps(rg_step, columns, guard.reset, 1))
    return {
        "envs": num_envs, "steps": steps, "calls": n_calls, "bytes": n_bytes,
        "blocked_share": blocked / n_calls,
        "python_re_us_per_call": t_py / n_calls * 1e6,
        "rewardguard_us_per_call": t_rg / n_calls * 1e6,
        "python_re_us_per_step": t_py / steps * 1e6,
        "rewardguard_us_per_step": t_rg / steps * 1e6,
        "speedup": t_py / t_rg,
        "agreement_block_or_not": agree / max(total, 1),
        "disagreements": dict(sorted(disagreements.items(), key=lambda kv: -kv[1])[:12]),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--envs", type=int, default=NUM_ENVS)
    ap.add_argument("--steps", type=int, default=STEPS)
    ap.add_argument("--repeats", type=int, default=5, help="best of N passes over the trace")
    ap.add_argument("--json", help="write the figures here")
    args = ap.parse_args()

    import numpy as np

    import rewardguard as rg

    out = {"repeats": args.repeats, "traces": {}}
    for name, heredocs in (("agent_mix", True), ("one_liners", False)):
        out["traces"][name] = measure(make_trace(args.envs, args.steps, heredocs=heredocs), args.envs,
                                      args.steps, args.repeats, rg, np)
        r = out["traces"][name]
        print(f"[{name}] pure-Python re baseline: {r['python_re_us_per_call']:.2f} µs/call; "
              f"rewardguard (Guard.evaluate_columns): {r['rewardguard_us_per_call']:.3f} µs/call; "
              f"speedup {r['speedup']:.1f}x; block/allow agreement {r['agreement_block_or_not']:.1%}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(out, f, indent=2)


if __name__ == "__main__":
    main()
