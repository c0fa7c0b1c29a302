"""veRL (0.9): the guard at the tool-call boundary, the penalty on the reward side.

veRL's tool agent loop awaits ``tool.execute(instance_id, parameters,
agent_data=...)`` for every tool call the model makes. :class:`GuardedTool`
wraps any ``BaseTool``: each call is judged in its trajectory's episode
(budgets and flows see the trajectory's earlier calls, across every guarded
tool sharing the guard) before it runs. A denied call never runs: the model
reads why in the tool message, and the call's ``tool_reward`` is minus its
penalty. After a terminate verdict the trajectory's later calls are refused
without running (veRL has no way for a tool to end one trajectory). Every
call is recorded in the trajectory's ``extra_fields`` (``rewardguard_calls``:
tool, arguments, the response token that closed the call, the action, the
penalty charged and its costs by category), which veRL carries into the
batch's ``non_tensor_batch``.

In the tools config (``actor_rollout_ref.rollout.multi_turn.tool_config_path``):

    tools:
      - class_name: rewardguard.verl.GuardedTool
        config:
          type: native
          policy: coding-sandbox            # built-in name or YAML path
          mode: enforce                     # or shadow
          num_trajectories: 1024            # trajectories judged at once per process
          tool: {class_name: my_tools.ShellTool, config: {type: native}}
        tool_schema: {type: function, function: {name: shell, ...}}

or in code: ``GuardedTool.wrap(ShellTool(config, schema), "coding-sandbox")``.
Tools that name the same policy and mode share one guard per process
(:func:`shared_guard`), so a secret read through one tool and an upload
through another in one trajectory are one flow. A trajectory keeps its
guard slot while it lives; with every slot held, new trajectories' calls
are denied (raise ``num_trajectories``).

The reward side charges the penalty, once, in one of two ways, and it is
always the penalty the tool side recorded (never judged again, so the
tool's policy, mode and weights decide it):

- the ``rewardguard`` reward manager (``reward.reward_manager.name=rewardguard``):
  veRL's naive manager for the task score, then each call's penalty on the
  token that closed the call (``torch.ops.rewardguard.shape_tokens``) when
  veRL assembles the batch's token-level scores (``assemble_rm_scores``).
  Where veRL places one score per sample itself (the reward computed inside
  the agent loop), that score already holds the sample's penalty: the total
  is the same, on the last token.
- :func:`compute_score` as ``reward.custom_reward_function`` (``path:
  pkg://rewardguard.verl``, ``name: compute_score``), or
  :func:`guarded_compute_score` around your own ``compute_score``: the
  score minus the sample's penalty (a dict with ``score`` and
  ``rewardguard_penalty``).

Two ways to count it wrong. veRL also keeps each call's ``tool_reward``
(``-penalty`` for a judged call) in ``extra_fields["tool_rewards"]``; a
``compute_score`` of your own that adds ``tool_rewards`` to its score, under
either way above, charges the penalty twice. And with
``reward.reward_model.enable`` and no ``custom_reward_function``, veRL
scores with the reward model and never calls the manager's ``run_single``:
``assemble_rm_scores`` then moves the penalty from the last token onto the
call tokens without charging it (the sequence total is the model's score);
set ``custom_reward_function`` (e.g. :func:`guarded_compute_score`) there.

Installing rewardguard registers this module as a ``verl.plugins`` entry
point, so ``import verl`` loads it and the reward manager is registered by
name.
"""

from __future__ import annotations

import json
import os
import threading
import weakref
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import torch
from verl import DataProto
from verl.experimental.reward_loop.reward_manager import register
from verl.experimental.reward_loop.reward_manager.registry import REWARD_MANAGER
from verl.experimental.reward_loop.reward_manager.naive import NaiveRewardManager
from verl.tools.base_tool import BaseTool
from verl.tools.schemas import OpenAIFunctionToolSchema, ToolResponse
from verl.utils.reward_score import default_compute_score

from . import llm
from ._core import Action, Guard, Policy, Verdicts

__all__ = [
    "CALLS_KEY",
    "GuardedTool",
    "RewardGuardRewardManager",
    "TrajectoryEnded",
    "TrajectoryGuard",
    "compute_score",
    "guarded_compute_score",
    "sample_calls",
    "shared_guard",
]

CALLS_KEY = "rewardguard_calls"
"""The ``extra_fields`` / ``non_tensor_batch`` key of a trajectory's judged calls."""

_ACTIONS = {int(a): a.name.lower() for a in Action}


def _arguments_text(parameters: Any) -> str:
    if isinstance(parameters, str):
        return parameters
    return json.dumps(parameters, separators=(",", ":"), sort_keys=True)


class TrajectoryEnded(PermissionError):
    """A call of a trajectory that a terminate verdict already ended."""


class TrajectoryGuard:
    """A Guard whose envs are trajectories: each trajectory (veRL's
    ``AgentData``) gets an env slot for as long as it lives, on a fresh episode.

    ``num_trajectories`` bounds the trajectories judged at once per process.
    A slot returns to the pool when its trajectory object is freed; a live
    trajectory keeps its slot (and its episode: budgets, flows) to the end.
    When every slot is held by a live trajectory, a new trajectory's calls
    are denied (``RuntimeError`` from :meth:`judge`, a denied call in
    :class:`GuardedTool`) until a slot frees: raise ``num_trajectories`` to
    the trajectories a process runs at once.

    After a terminate verdict the trajectory's slot remembers it: every later
    call of the trajectory raises :class:`TrajectoryEnded` without being judged.
    """

    def __init__(self, policy: Policy | str | Guard = "coding-sandbox", num_trajectories: int = 1024,
                 *, mode: str = "enforce", audit: str | None = None, weights: Any = None,
                 run_name: str = "verl") -> None:
        if isinstance(policy, Guard):
            self.guard = policy
        else:
            self.guard = Guard(policy, num_trajectories, mode=mode, audit=audit, weights=weights,
                               run_name=run_name)
        self._lock = threading.RLock()  # RLock: a slot may be freed by GC while it is held
        self._free = list(range(self.guard.num_envs - 1, -1, -1))
        self._owners: dict[int, Any] = {}      # env -> weakref to its trajectory
        self._ended: dict[int, str] = {}       # env -> why a terminate verdict ended it

    def _take(self) -> int:
        """A free slot, on a fresh episode."""
        if not self._free:
            raise RuntimeError(
                f"all {self.guard.num_envs} trajectory slots of the guard are held by running "
                "trajectories; the call is denied. Raise num_trajectories (the tools config's "
                "`num_trajectories`, or TrajectoryGuard(..., num_trajectories=N)) to the "
                "trajectories this process runs at once")
        env = self._free.pop()
        self._ended.pop(env, None)
        self.guard.reset([env])
        return env

    def _acquire(self, trajectory: Any) -> int:
        env = getattr(trajectory, "_rewardguard_env", None)
        if env is not None and env in self._owners and self._owners[env]() is trajectory:
            return env
        env = self._take()
        self._owners[env] = weakref.ref(trajectory, lambda _, env=env: self._release(env))
        trajectory._rewardguard_env = env
        return env

    def _release(self, env: int) -> None:
        with self._lock:
            owner = self._owners.get(env)
            if owner is not None and owner() is None:
                del self._owners[env]
                self._free.append(env)

    def judge(self, trajectory: Any, tool: str, arguments: Any) -> tuple[Verdicts, int]:
        """Judges one call in the trajectory's episode; returns the verdicts and its env.

        ``trajectory`` None: the call is an episode of its own. Raises
        :class:`TrajectoryEnded` for a trajectory a terminate verdict ended,
        ``RuntimeError`` when no slot is free.
        """
        with self._lock:
            if trajectory is None:
                env = self._take()
                try:
                    return self.guard.evaluate([(env, tool, arguments)]), env
                finally:
                    self._free.append(env)
            env = self._acquire(trajectory)
            if env in self._ended:
                raise TrajectoryEnded(f"the trajectory was ended by policy `{self.guard.policy.name}`: "
                                      f"{self._ended[env]}; no further tool calls run")
            v = self.guard.evaluate([(env, tool, arguments)])
            if bool(v.terminated[env]):
                self._ended[env] = v.reasons[0] or "terminate"
            return v, env


_shared_guards: dict[tuple[str, str], TrajectoryGuard] = {}
_shared_lock = threading.Lock()


def shared_guard(policy: Policy | str = "coding-sandbox", mode: str = "enforce", *,
                 num_trajectories: int | None = None, audit: str | None = None) -> TrajectoryGuard:
    """The process's TrajectoryGuard for ``policy`` (by its YAML text) in ``mode``.

    Every :class:`GuardedTool` that names the same policy and mode (from the
    tools config, or :meth:`GuardedTool.wrap` without a guard) judges in this
    one guard, so a trajectory's calls through different tools share one
    episode (a secret read through one tool, an upload through another: the
    flow fires). ``num_trajectories`` (default 1024) and ``audit`` are set by
    the first tool; a later one that asks for other values is an error.
    """
    p = policy if isinstance(policy, Policy) else Policy.load(policy)
    key = (p.source_text, str(mode))
    with _shared_lock:
        guard = _shared_guards.get(key)
        if guard is None:
            guard = _shared_guards[key] = TrajectoryGuard(
                p, 1024 if num_trajectories is None else int(num_trajectories), mode=str(mode),
                audit=audit)
            return guard
    if num_trajectories is not None and int(num_trajectories) != guard.guard.num_envs:
        raise ValueError(f"tools with policy `{p.name}` in {mode} mode share one guard of "
                         f"{guard.guard.num_envs} trajectories; num_trajectories={num_trajectories} "
                         "differs (give every such tool the same value)")
    if audit is not None and os.fspath(audit) != guard.guard._audit:
        raise ValueError(f"tools with policy `{p.name}` in {mode} mode share one guard auditing to "
                         f"{guard.guard._audit!r}; audit={audit!r} differs")
    return guard


def _shared_guard(config: Mapping[str, Any]) -> TrajectoryGuard:
    """The shared guard a tools config entry names."""
    return shared_guard(str(config.get("policy", "coding-sandbox")), str(config.get("mode", "enforce")),
                        num_trajectories=config.get("num_trajectories"), audit=config.get("audit"))


class GuardedTool(BaseTool):
    """A veRL tool whose calls are judged before they run.

    Built by veRL from the tools config (``config["tool"]`` names the wrapped
    tool's ``class_name`` and ``config``; ``policy``, ``num_trajectories``,
    ``mode`` and ``audit`` configure the guard, shared by the tools configured
    alike), or in code with :meth:`wrap`.

    ``execute`` judges the call in the trajectory's episode. Blocked: the
    wrapped tool is not called; the response is an error naming the rules and
    the reason, the tool reward is ``-penalty``. Allowed: the wrapped tool's
    response, its reward minus the call's penalty (warn and penalize verdicts
    run but cost). Metrics gain ``rewardguard`` (action, penalty, rules). A
    call that cannot be judged is denied.
    """

    def __init__(self, config: dict, tool_schema: OpenAIFunctionToolSchema | None = None, *,
                 tool: BaseTool | None = None, guard: TrajectoryGuard | None = None) -> None:
        if tool is None:
            spec = config.get("tool")
            if not spec or "class_name" not in spec:
                raise ValueError("GuardedTool needs the wrapped tool: config['tool'] = "
                                 "{'class_name': ..., 'config': {...}}")
            from verl.tools.tool_registry import get_tool_class

            tool = get_tool_class(spec["class_name"])(config=dict(spec.get("config") or {}),
                                                      tool_schema=tool_schema)
        self.tool = tool
        self.guard = guard if guard is not None else _shared_guard(config)
        super().__init__(config, tool_schema or tool.tool_schema)

    @classmethod
    def wrap(cls, tool: BaseTool, guard: TrajectoryGuard | Policy | str = "coding-sandbox",
             mode: str = "enforce") -> GuardedTool:
        """Wraps a constructed tool (its config and schema are reused). A
        policy (not a TrajectoryGuard) judges in the process's
        :func:`shared_guard` for it and ``mode``."""
        if not isinstance(guard, TrajectoryGuard):
            guard = shared_guard(guard, mode)
        return cls(dict(tool.config or {}), tool.tool_schema, tool=tool, guard=guard)

    def get_openai_tool_schema(self) -> OpenAIFunctionToolSchema:
        return self.tool.get_openai_tool_schema()

    async def create(self, instance_id: str | None = None, **kwargs: Any) -> tuple[str, ToolResponse]:
        return await self.tool.create(instance_id, **kwargs)

    async def execute(self, instance_id: str, parameters: dict[str, Any], **kwargs: Any
                      ) -> tuple[ToolResponse, float, dict]:
        agent_data = kwargs.get("agent_data")
        try:
            arguments = _arguments_text(parameters)
            v, env = self.guard.judge(agent_data, self.name, arguments)
        except TrajectoryEnded as e:  # a terminate verdict ended the trajectory: refused, not judged
            info = {"action": "block", "penalty": 0.0, "costs": {}, "rules": [], "reason": str(e),
                    "refused": True}
            self._record(agent_data, arguments, info)
            return (ToolResponse(text=f"rewardguard denied this call: {e}"), -info["penalty"],
                    {"rewardguard": info})
        except Exception as e:  # noqa: BLE001 - fail closed
            reason = f"the call could not be judged ({type(e).__name__}: {e})"
            return (ToolResponse(text=f"rewardguard denied this call: {reason}"), 0.0,
                    {"rewardguard": {"action": "block", "penalty": 0.0, "rules": [], "reason": reason}})
        penalty = float(self.guard.guard.penalty(v)[env])
        info = {"action": _ACTIONS[int(v.call_actions[0])], "penalty": penalty,
                "costs": v.cost_dict(env), "rules": list(v.rules[0]), "reason": v.reasons[0]}
        self._record(agent_data, arguments, info)
        if bool(v.call_blocked[0]):
            actions = self.guard.guard.policy.actions
            rules = ", ".join(r for r in info["rules"] if actions.get(r) != "allow") or "policy default"
            text = f"rewardguard denied this call ({info['action']}: {rules}): {info['reason']}"
            return ToolResponse(text=text), -penalty, {"rewardguard": info}
        response, reward, metrics = await self.tool.execute(instance_id, parameters, **kwargs)
        metrics = dict(metrics or {})
        metrics["rewardguard"] = info
        return response, float(reward or 0.0) - penalty, metrics

    def _record(self, agent_data: Any, arguments: str, info: Mapping[str, Any]) -> None:
        """Appends the call to the trajectory's ``extra_fields`` (what the reward side charges)."""
        if agent_data is not None:
            token = len(agent_data.response_mask) - 1 if agent_data.response_mask else -1
            agent_data.extra_fields.setdefault(CALLS_KEY, []).append(
                {"tool": self.name, "arguments": arguments, "token": token, **info})

    async def calc_reward(self, instance_id: str, **kwargs: Any) -> float:
        return await self.tool.calc_reward(instance_id, **kwargs)

    async def release(self, instance_id: str, **kwargs: Any) -> None:
        await self.tool.release(instance_id, **kwargs)


# -- reward side -------------------------------------------------------------

def _calls_of(record: Any) -> list[tuple[float, int]]:
    """A trajectory's recorded calls as ``(penalty, token)``: what the tool side charged."""
    if record is None:
        return []
    out = []
    for c in record:
        if not isinstance(c, Mapping) or "penalty" not in c or "token" not in c:
            raise ValueError(f"a `{CALLS_KEY}` record without the penalty the tool side charged: "
                             f"{c!r}; the records must be written by rewardguard.verl.GuardedTool")
        out.append((float(c["penalty"]), int(c["token"])))
    return out


def sample_calls(data: DataProto) -> list[list[tuple[float, int]]]:
    """Each sample's recorded calls as ``(penalty, token)``, from the batch's
    ``rewardguard_calls`` column, or from ``tool_extra_fields`` (the batch
    veRL builds to score one trajectory inside the agent loop). A record
    without its penalty raises ValueError.
    """
    n = len(data)
    if CALLS_KEY in data.non_tensor_batch:
        return [_calls_of(r) for r in data.non_tensor_batch[CALLS_KEY]]
    if "tool_extra_fields" in data.non_tensor_batch:
        return [_calls_of((f or {}).get(CALLS_KEY)) for f in data.non_tensor_batch["tool_extra_fields"]]
    return [[] for _ in range(n)]


def _penalty(calls: Sequence[tuple[float, int]]) -> float:
    return float(sum(p for p, _ in calls))


def guarded_compute_score(score_fn: Callable[..., Any] | None = None) -> Callable[..., dict]:
    """Wraps a veRL ``compute_score(data_source, solution_str, ground_truth,
    extra_info)``: the score minus the penalty of the sample's recorded calls
    (``extra_info["rewardguard_calls"]``, which veRL's reward loop copies from
    the trajectory's ``extra_fields``). Returns a dict: ``score``, the task's
    ``task_score``, ``rewardguard_penalty`` and the wrapped function's own keys.
    """
    fn = score_fn or default_compute_score

    def score(data_source: Any = None, solution_str: str = "", ground_truth: Any = None,
              extra_info: Mapping[str, Any] | None = None, **kwargs: Any) -> dict:
        result = fn(data_source=data_source, solution_str=solution_str, ground_truth=ground_truth,
                    extra_info=extra_info, **kwargs)
        out = dict(result) if isinstance(result, Mapping) else {"score": float(result)}
        penalty = _penalty(_calls_of((extra_info or {}).get(CALLS_KEY)))
        out["task_score"] = float(out["score"])
        out["score"] = out["task_score"] - penalty
        out["rewardguard_penalty"] = penalty
        return out

    score.__name__ = getattr(fn, "__name__", "compute_score")
    return score


compute_score = guarded_compute_score()
"""veRL's default ``compute_score`` minus the guard's penalty (for ``custom_reward_function``)."""


class RewardGuardRewardManager(NaiveRewardManager):
    """veRL's naive reward manager, plus each tool call's penalty on the token
    that closed the call.

    ``run_single`` returns the sample's score minus its penalty (what veRL
    places on the last token when it scores inside the agent loop), with
    ``rewardguard_penalty`` in the extra info. ``assemble_rm_scores`` (veRL's
    reward loop building ``rm_scores [B, T]``) puts the task score back on
    the last valid token and each call's penalty on its own token. The
    penalties are the ones the tool side charged, read from the records.
    """

    async def run_single(self, data: DataProto) -> dict:
        data = data[-1:]  # veRL scores the last sequence of a sample
        calls = sample_calls(data)
        if "tool_extra_fields" not in data.non_tensor_batch:
            # compute_score sees the calls as when the agent loop scores: in extra_info
            fields = np.empty(1, dtype=object)
            fields[0] = {CALLS_KEY: data.non_tensor_batch.get(CALLS_KEY, [None])[0]}
            data.non_tensor_batch["tool_extra_fields"] = fields
        result = await super().run_single(data)
        info = result.setdefault("reward_extra_info", {})
        if "rewardguard_penalty" in info:  # a guarded compute_score charged it already
            return result
        penalty = _penalty(calls[0])
        info["rewardguard_penalty"] = penalty
        result["reward_score"] = float(result["reward_score"]) - penalty
        return result

    @classmethod
    def assemble_rm_scores(cls, data: DataProto, scores: list[float]) -> torch.Tensor:
        calls = sample_calls(data)
        penalty = np.array([_penalty(c) for c in calls], dtype=np.float64)
        task = (np.asarray(scores, dtype=np.float64) + penalty).tolist()
        rm_scores = super().assemble_rm_scores(data, task)
        rows = np.array([b for b, c in enumerate(calls) for _ in c], dtype=np.int64)
        costs = np.array([[p] for c in calls for p, _ in c], dtype=np.float32).reshape(-1, 1)
        positions = np.array([t for c in calls for _, t in c], dtype=np.int64)
        prompt_length = data.batch["prompts"].size(1)
        lengths = data.batch["attention_mask"][:, prompt_length:].sum(dim=1).to(torch.int64)
        # a call closed past the kept response (truncated): its last valid token
        positions = np.where(positions < lengths.numpy()[rows], positions, -1)
        # each call's recorded penalty as a one-column cost of weight 1, on its token
        llm._require_ops()
        return torch.ops.rewardguard.shape_tokens(
            rm_scores, torch.from_numpy(costs), torch.ones(1, dtype=torch.float32),
            torch.from_numpy(positions), torch.from_numpy(rows), lengths, None, 1.0, 0.0)


# Registered once per process (a second copy of this module, loaded from its
# file path, finds the name taken and leaves it).
if "rewardguard" not in REWARD_MANAGER:
    register("rewardguard")(RewardGuardRewardManager)
