"""Running an agent's command for real, with every connect and exec judged first.

    import rewardguard as rg

    guard = rg.Guard("coding-sandbox", num_envs=8, audit="audit.db")
    sandbox = rg.Sandbox(workspace="/work/task-3", timeout=30)
    r = guard.run(3, "python3 fetch.py", sandbox=sandbox)
    r.action, r.penalty, r.exit_code, r.stdout       # the call's merged verdict and what it did
    [o.observation for o in r.observations]           # {"type": "net.connect", "host": ..., ...}

The command's text is judged first (a call of the policy's ``shell`` tool);
if the policy lets it run, it runs in namespaces of its own (loopback-only
network, read-only system, the workspace read-write, limits) under a
seccomp supervisor that stops each connection, listening socket and program
start until the same guard has judged it in the same env's episode: allowed
calls proceed (an allowed connection is made from outside and handed in),
``block`` fails them with EPERM, ``terminate`` kills the run. Everything is
recorded in the guard's audit trail at the env's current step. The GIL is
released while the program runs. docs/sandbox.md has what is enforced and
what is not.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any, Sequence

from . import _C

__all__ = ["Observed", "Sandbox", "SandboxResult"]


@dataclass(frozen=True)
class Observed:
    """One supervised call the program made, and the verdict on it."""

    observation: dict[str, Any]  # docs/observations.md: {"type": "net.connect", ...}
    action: str
    penalty: float
    rules: list[str]
    capabilities: list[str]
    reason: str
    prevented: bool  # failed with EPERM, or the run was killed
    pid: int
    at_ms: float


@dataclass(frozen=True)
class SandboxResult:
    """The call's verdict (text and observations merged) and what the program did."""

    action: str
    penalty: float
    rules: list[str]
    capabilities: list[str]
    reason: str
    ran: bool  # False: the text's verdict kept it from running
    static_action: str  # of the text alone
    exit_code: int  # -1 when a signal ended it
    signal: int
    timed_out: bool
    terminated: bool  # a terminate verdict killed the run
    oom_killed: bool
    pids_limit_hit: bool
    stdout: bytes
    stderr: bytes
    wall_ms: float
    limits: str  # "cgroup v1", "cgroup v2" or "rlimit"
    observations: list[Observed] = field(default_factory=list)

    @property
    def prevented(self) -> bool:
        """True when the policy kept the call, or something it did, from happening."""
        return not self.ran or self.terminated or any(o.prevented for o in self.observations)

    @classmethod
    def _from(cls, d: dict[str, Any]) -> "SandboxResult":
        observed = [Observed(json.loads(o["observation"]), o["action"], float(o["penalty"]),
                             list(o["rules"]), list(o["capabilities"]), o["reason"],
                             bool(o["prevented"]), int(o["pid"]), float(o["at_ms"]))
                    for o in d["observations"]]
        return cls(d["action"], float(d["penalty"]), list(d["rules"]), list(d["capabilities"]),
                   d["reason"], bool(d["ran"]), d["static"]["action"], int(d["exit_code"]),
                   int(d["signal"]), bool(d["timed_out"]), bool(d["terminated"]),
                   bool(d["oom_killed"]), bool(d["pids_limit_hit"]), d["stdout"], d["stderr"],
                   float(d["wall_ms"]), d["limits"], observed)


class Sandbox:
    """Where commands run: a workspace, limits and the rest of sandbox/sandbox.h's options.

    Args:
      workspace: directory mounted read-write (the working directory); None: a
        private empty one.
      timeout: wall-clock seconds; the whole process tree is killed after it.
      memory_bytes, max_processes: for all processes of a run together.
      max_output_bytes: kept per stream (the rest is counted, not kept).
      read_only: further host paths visible read-only (a venv, a toolchain).
      environment: the program's environment as ``KEY=VALUE`` strings or a
        mapping; None: PATH, HOME (the workspace), LANG and TERM only.
      gpu: show the NVIDIA device nodes (only if the policy allows compute.gpu).

    Raises ValueError for bad options and RuntimeError when this machine cannot
    run a sandbox (:meth:`available` says why).
    """

    def __init__(self, workspace: str | os.PathLike[str] | None = None, *, timeout: float = 60.0,
                 memory_bytes: int = 2 << 30, max_processes: int = 256,
                 max_output_bytes: int = 1 << 20, read_only: Sequence[str | os.PathLike[str]] = (),
                 environment: Sequence[str] | dict[str, str] | None = None,
                 gpu: bool = False) -> None:
        if isinstance(environment, dict):
            environment = [f"{k}={v}" for k, v in environment.items()]
        self.workspace = os.fspath(workspace) if workspace is not None else None
        self._sb = _C.Sandbox(self.workspace, float(timeout), int(memory_bytes), int(max_processes),
                              int(max_output_bytes), [os.fspath(p) for p in read_only],
                              list(environment or []), bool(gpu))

    @staticmethod
    def available() -> tuple[bool, str]:
        """(True, "") when user namespaces and seccomp user notification work here, else (False, why)."""
        return _C.Sandbox.available()

    def run(self, guard: Any, env: int, command: str | Sequence[str], *, judge_text: bool = True,
            stdin: str = "") -> SandboxResult:
        """Runs ``command`` (a shell command line, or an argv list) for ``guard``'s env ``env``.

        ``judge_text=False`` skips judging the text (a wrapper in front already
        did, with the same guard); only what the program does is judged.
        """
        return SandboxResult._from(self._sb.run(guard._core, int(env), command, judge_text, stdin))
