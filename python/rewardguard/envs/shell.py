"""ShellEnv: a Gymnasium env whose actions are real shell commands, run in rewardguard's sandbox.

    import gymnasium, rewardguard as rg, rewardguard.envs
    from rewardguard.gym import GuardWrapper

    guard = rg.Guard("coding-sandbox", num_envs=1)
    env = GuardWrapper(rewardguard.envs.ShellEnv(template="task/", guard=guard), guard=guard)
    obs, info = env.reset(seed=0)
    obs, reward, terminated, truncated, info = env.step("python3 -m pytest -q")

The action is one command line; the observation is what it printed (stdout
then stderr, the last ``max_output`` characters). Each episode runs in a
fresh copy of ``template`` (a directory; None: an empty one). The command
runs in a :class:`rewardguard.Sandbox`: its connects and execs are judged by
``guard`` in env ``env_index`` before they happen, and the penalty of what
it did is subtracted from the reward. A ``GuardWrapper`` in front (with the
same guard) judges the text first, as for any env; without one, pass no
guard and the env judges the text too. ``task(workspace, result) ->
(reward, done)`` scores a step (default: 0, never done); ``info["sandbox"]``
is the :class:`rewardguard.SandboxResult`.
"""

from __future__ import annotations

import shutil
import string
import tempfile
from typing import Any, Callable

import gymnasium
from gymnasium import spaces

__all__ = ["ShellEnv"]

_CHARSET = string.printable


class ShellEnv(gymnasium.Env):
    """See the module docstring."""

    metadata = {"render_modes": []}

    def __init__(self, template: str | None = None, *, guard: Any = None, env_index: int = 0,
                 policy: str = "coding-sandbox",
                 task: Callable[[str, Any], tuple[float, bool]] | None = None,
                 max_steps: int = 16, timeout: float = 30.0, max_output: int = 4096,
                 read_only: tuple[str, ...] = ()) -> None:
        from .. import Guard
        self.template = template
        self._judge_text = guard is None  # with a guard of its own, the env judges the text too
        self.guard = guard if guard is not None else Guard(policy, env_index + 1)
        self.env_index = int(env_index)
        self.task = task
        self.max_steps = int(max_steps)
        self.timeout = float(timeout)
        self.max_output = int(max_output)
        self.read_only = tuple(read_only)
        self.action_space = spaces.Text(max_length=4096, min_length=1, charset=_CHARSET)
        self.observation_space = spaces.Text(max_length=self.max_output, min_length=0, charset=_CHARSET)
        self._dir: tempfile.TemporaryDirectory | None = None
        self._sandbox: Any = None
        self._step = 0

    @property
    def workspace(self) -> str:
        assert self._dir is not None, "call reset() first"
        return self._dir.name

    def reset(self, *, seed: int | None = None, options: dict | None = None):
        from .. import Sandbox
        super().reset(seed=seed)
        if self._dir is not None:
            self._dir.cleanup()
        self._dir = tempfile.TemporaryDirectory(prefix="rewardguard-shell-")
        if self.template is not None:
            shutil.copytree(self.template, self._dir.name, dirs_exist_ok=True)
        self._sandbox = Sandbox(self._dir.name, timeout=self.timeout,
                                max_output_bytes=4 * self.max_output, read_only=self.read_only)
        self._step = 0
        if self._judge_text:
            self.guard.reset([self.env_index])
        return "", {}

    def _text(self, out: bytes, err: bytes) -> str:
        text = (out + err).decode("utf-8", errors="replace")
        text = "".join(c if c in _CHARSET else "?" for c in text)
        return text[-self.max_output:]

    def step(self, action: str):
        assert self._sandbox is not None, "call reset() first"
        self._step += 1
        r = self.guard.run(self.env_index, str(action), sandbox=self._sandbox,
                           judge_text=self._judge_text)
        reward, done = (0.0, False)
        if self.task is not None and r.ran:
            reward, done = self.task(self.workspace, r)
        reward = float(reward) - r.penalty
        terminated = bool(done) or r.terminated or (r.action == "terminate" and
                                                    self.guard.mode == "enforce")
        truncated = self._step >= self.max_steps and not terminated
        obs = self._text(r.stdout, r.stderr) if r.ran else f"blocked: {r.reason}"[-self.max_output:]
        return obs, reward, terminated, truncated, {"sandbox": r}

    def close(self) -> None:
        if self._dir is not None:
            self._dir.cleanup()
            self._dir = None

    # -- rewardguard hooks --------------------------------------------------
    @staticmethod
    def tool_calls(action: str) -> list[tuple[str, str]]:
        """The call one action makes, for GuardWrapper: [("shell", command)]."""
        return [("shell", str(action))]

    def blocked_observation(self, rules: list[str], reason: str) -> str:
        """What the agent sees when the wrapper blocked its command: nothing ran."""
        return f"blocked by {', '.join(rules)}: {reason}"[-self.max_output:]
