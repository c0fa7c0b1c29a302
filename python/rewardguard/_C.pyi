"""Type stubs of rewardguard._C (bindings/module.cc). Private: use `rewardguard`."""

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

ACTIONS: tuple[str, str, str, str, str]
WITH_TORCH: bool

def has_cuda_kernels() -> bool: ...
def load_policy(name_or_path: str) -> Policy:
    """Raises ValueError (`file:line:column: ...`) or FileNotFoundError."""
def load_policy_text(text: str, source_name: str = "<string>") -> Policy: ...
def builtin_policy_names() -> list[str]: ...

class Policy:
    @property
    def name(self) -> str: ...
    @property
    def description(self) -> str: ...
    @property
    def version(self) -> int: ...
    @property
    def source_name(self) -> str: ...
    @property
    def source_text(self) -> str: ...
    @property
    def default_action(self) -> str: ...
    @property
    def categories(self) -> list[str]: ...
    @property
    def rule_ids(self) -> list[str]: ...
    @property
    def budget_ids(self) -> list[str]: ...
    @property
    def flow_ids(self) -> list[str]: ...
    @property
    def actions(self) -> dict[str, str]: ...
    @property
    def capabilities(self) -> list[str]: ...
    @property
    def tools(self) -> list[str]: ...

class StepResult:
    """One batch's verdicts (guard/guard.h StepResult): per call [N], in input
    order, and per env [B], summed over the env's calls (allow and zeros for
    an env without calls). The arrays own their memory."""
    call_actions: npt.NDArray[np.int8]      # [N]
    call_penalties: npt.NDArray[np.float32]  # [N]
    call_costs: npt.NDArray[np.float32]     # [N, C]
    call_blocked: npt.NDArray[np.bool_]     # [N]: the action prevents the call (enforce mode)
    actions: npt.NDArray[np.int8]           # [B]: strongest
    penalties: npt.NDArray[np.float32]      # [B]
    costs: npt.NDArray[np.float32]          # [B, C]
    terminated: npt.NDArray[np.bool_]       # [B]: a terminate verdict (enforce mode)
    blocked: npt.NDArray[np.bool_]          # [B]: some call of the env was prevented
    flagged: npt.NDArray[np.int64]          # [K]: calls whose action is not allow
    flagged_rules: list[tuple[str, ...]]    # [K]: rules fired on each flagged call
    flagged_reasons: list[str]              # [K]: reason of each flagged call

class Guard:
    """The C++ Guard (guard/guard.h): evaluator, episode and step clock per
    env, optional audit sink, mode and cost weights."""
    def __init__(self, policy: Policy, num_envs: int, mode: str = "enforce",
                 audit_path: str | None = None, run_name: str = "python") -> None: ...
    def evaluate_batch(
        self, tools: list[str | bytes], arguments: list[str | bytes],
        env_ids: npt.NDArray[np.int32],
    ) -> StepResult:
        """Judges N calls as one step of the envs in env_ids (GIL released). A
        string argument that starts with `{` or `"` is JSON text, anything else
        the raw value of a one-argument tool."""
    def observe_batch(
        self, observations: list[str | bytes], env_ids: npt.NDArray[np.int32],
    ) -> StepResult:
        """Judges N sandbox observations (JSON lines, docs/observations.md) as
        tool `sandbox`, at the envs' current steps (GIL released)."""
    def reset(self, env_ids: npt.NDArray[np.int32]) -> None: ...
    def reset_all(self) -> None: ...
    def end_step(self) -> None: ...
    def flush_audit(self, wait: bool = True) -> None: ...
    def close_audit(self) -> None: ...
    def set_weights(self, weights: npt.NDArray[np.float32]) -> None: ...
    def weighted_penalties(self, costs: npt.NDArray[np.float32],
                           penalties: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]: ...
    def shape_rewards(self, rewards: npt.NDArray[np.floating], costs: npt.NDArray[np.float32],
                      scale: float, clip: float) -> None: ...
    @property
    def weights(self) -> npt.NDArray[np.float32]: ...
    @property
    def has_audit(self) -> bool: ...
    @property
    def episodes(self) -> list[int]: ...
    @property
    def steps(self) -> list[int]: ...
    @property
    def num_envs(self) -> int: ...
    @property
    def num_categories(self) -> int: ...
    @property
    def mode(self) -> str: ...
    def budget_count(self, env: int, budget: int) -> int: ...
    def seen(self, env: int, capability: str) -> bool: ...

class AuditReader:
    """audit/replay.h's reader (read-only; never blocks a writer). Raises
    FileNotFoundError, RuntimeError (not an audit database) or ValueError
    (another schema version)."""
    def __init__(self, path: str) -> None: ...
    def find_runs(self, run: str | None = None) -> list[tuple[int, str, int]]:
        """(id, name, events) of the runs named or numbered `run` (every run
        when None); FileNotFoundError when none."""
    def event_columns(self, run: int) -> dict[str, Any]:
        """The run's events in the order written: "env", "episode", "step"
        (int64 [E]), "violating" (bool [E], action not allow) and "categories"
        (list [V]: the cost categories of each violating event)."""
    @property
    def path(self) -> str: ...

class LagrangianController:
    def __init__(self, cost_limits: Sequence[float], kp: float = 0.0, ki: float = 0.01,
                 kd: float = 0.0, alpha_p: float = 0.95, alpha_d: float = 0.95,
                 max_multiplier: float = ...) -> None: ...
    def update(self, episode_costs: Sequence[float]) -> None: ...
    @property
    def multipliers(self) -> list[float]: ...
    @property
    def cost_limits(self) -> list[float]: ...
    @property
    def num_categories(self) -> int: ...
    def save_state(self) -> list[float]: ...
    def restore_state(self, flat: Sequence[float]) -> None: ...

class Sandbox:
    def __init__(self, workspace: str | None = None, timeout: float = 60.0,
                 memory_bytes: int = 2 << 30, max_processes: int = 256,
                 max_output_bytes: int = 1 << 20, read_only: Sequence[str] = (),
                 environment: Sequence[str] = (), gpu: bool = False) -> None:
        """ValueError for bad options; RuntimeError when no sandbox can run here."""
    @staticmethod
    def available() -> tuple[bool, str]: ...
    def run(self, guard: Guard, env: int, command: str | Sequence[str], judge_text: bool = True,
            stdin: str = "") -> dict[str, object]:
        """The merged verdict (action, penalty, rules, capabilities, reason), `static` (the
        text's), ran, exit_code, signal, timed_out, terminated, oom_killed, pids_limit_hit,
        stdout/stderr (bytes), stdout_bytes, stderr_bytes, limits, wall_ms and `observations`
        (dicts: observation (a JSON line), the verdict's fields, prevented, pid, at_ms)."""
