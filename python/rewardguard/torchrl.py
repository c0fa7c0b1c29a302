"""A TorchRL Transform that guards an env's tool calls on TensorDicts.

    from torchrl.envs import GymWrapper, TransformedEnv
    from rewardguard.torchrl import GuardTransform

    env = TransformedEnv(base_env, GuardTransform(
        policy="coding-sandbox", tool_calls=actions_to_calls, noop_action=0))
    td = env.rollout(100)
    td["next", "rewardguard", "penalty"]   # [T, *batch, 1]

Before each step (the inverse pass, on TorchRL's clone of the input) the
batch of actions (flattened to [B, ...], B = the env's batch numel or 1) goes
through ``tool_calls(actions) -> calls`` (columnar ``(env_ids, tools,
arguments)`` or ``(env, tool, arguments)`` rows) and one batched evaluation;
blocked envs run ``noop_action`` instead (the caller's tensordict keeps the
original action). After the step: the reward is shaped (``reward - costs @
w``), terminate verdicts set ``terminated`` and ``done``, and
``("rewardguard", "penalty" | "blocked" | "action" | "costs")`` are added to
the next tensordict (declared in the observation spec, zeros on reset).
Resets restart the guard's episode state of the envs in ``_reset`` (all of
them without a mask).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch
from tensordict import TensorDictBase
from torchrl.data import Binary, Bounded, Composite, Unbounded
from torchrl.envs.transforms import Transform

from ._core import Guard, Policy, Verdicts
from .gym import _columns

__all__ = ["GuardTransform"]


class GuardTransform(Transform):
    """See the module docstring.

    Args:
      guard: a Guard with at least B envs, or None to make one (B envs,
        found from the parent env's batch size) from ``policy``, ``mode``,
        ``audit`` and ``weights``.
      tool_calls: ``actions [B, ...] (tensor) -> calls``.
      noop_action: what a blocked env runs (required in enforce mode).
      action_key, reward_key: the env's keys.
      shape_reward: subtract the weighted penalty from the reward.
    """

    def __init__(self, guard: Guard | None = None, *, policy: Policy | str | None = "coding-sandbox",
                 tool_calls: Callable[[torch.Tensor], Any], noop_action: Any = None,
                 mode: str = "enforce", audit: Any = None, weights: Any = None,
                 action_key: Any = "action", reward_key: Any = "reward",
                 shape_reward: bool = True) -> None:
        super().__init__(in_keys=[], out_keys=[])
        self._guard = guard
        self._guard_args = (policy, mode, audit, weights)
        self._tool_calls = tool_calls
        self._noop = noop_action
        self.action_key = action_key
        self.reward_key = reward_key
        self.shape_reward = bool(shape_reward)
        self._pending: Verdicts | None = None
        if (guard is None and mode == "enforce" or guard is not None and guard.mode == "enforce") \
                and noop_action is None:
            raise ValueError("enforce mode needs noop_action=: what a blocked env runs")

    # -- the guard, sized from the parent env ------------------------------
    def _batch(self) -> torch.Size:
        parent = self.parent
        return parent.batch_size if parent is not None else torch.Size([])

    @property
    def guard(self) -> Guard:
        if self._guard is None:
            policy, mode, audit, weights = self._guard_args
            n = max(1, int(np.prod(self._batch()))) if len(self._batch()) else 1
            self._guard = Guard(policy, n, mode=mode, audit=audit, weights=weights)
        return self._guard

    # -- before the step ----------------------------------------------------
    def _inv_call(self, tensordict: TensorDictBase) -> TensorDictBase:
        action = tensordict.get(self.action_key, None)
        if action is None:  # e.g. the inverse pass of a reset
            return tensordict
        batch = tensordict.batch_size
        b = int(np.prod(batch)) if len(batch) else 1
        flat = action.reshape(b, *action.shape[len(batch):])
        env_ids, tools, arguments = _columns(self._tool_calls(flat))
        v = self.guard.evaluate_columns(env_ids, tools, arguments)
        self._pending = v
        blocked = v.blocked[:b]
        if blocked.any():
            mask = torch.from_numpy(blocked).to(action.device)
            flat = flat.clone()
            flat[mask] = torch.as_tensor(self._noop, dtype=action.dtype, device=action.device)
            tensordict.set(self.action_key, flat.reshape(action.shape))
        return tensordict

    # -- after the step -----------------------------------------------------
    def _step(self, tensordict: TensorDictBase, next_tensordict: TensorDictBase) -> TensorDictBase:
        v, self._pending = self._pending, None
        if v is None:
            return next_tensordict
        batch = next_tensordict.batch_size
        b = int(np.prod(batch)) if len(batch) else 1
        reward = next_tensordict.get(self.reward_key)
        dev = reward.device
        penalty = torch.from_numpy(self.guard.penalty(v)[:b])
        if self.shape_reward:
            next_tensordict.set(self.reward_key,
                                self.guard.shape(reward.reshape(b), v).reshape(reward.shape))
        term = torch.from_numpy(v.terminated[:b]).to(dev).reshape(*batch, 1)
        if term.any():
            for key in ("terminated", "done"):
                flag = next_tensordict.get(key, None)
                if flag is not None:
                    next_tensordict.set(key, flag | term.reshape(flag.shape))
        c = v.costs.shape[1]
        next_tensordict.set(("rewardguard", "penalty"), penalty.to(dev).reshape(*batch, 1))
        next_tensordict.set(("rewardguard", "blocked"),
                            torch.from_numpy(v.blocked[:b]).to(dev).reshape(*batch, 1))
        next_tensordict.set(("rewardguard", "action"),
                            torch.from_numpy(v.actions[:b].astype(np.int64)).to(dev).reshape(*batch, 1))
        next_tensordict.set(("rewardguard", "costs"),
                            torch.from_numpy(np.ascontiguousarray(v.costs[:b])).to(dev).reshape(*batch, c))
        return next_tensordict

    # -- resets -------------------------------------------------------------
    def _reset(self, tensordict: TensorDictBase, tensordict_reset: TensorDictBase) -> TensorDictBase:
        mask = None if tensordict is None else tensordict.get("_reset", None)
        if mask is None:
            self.guard.reset(None)
        else:
            m = mask.reshape(-1).cpu().numpy().astype(np.bool_)
            if m.shape[0] == 1 and self.guard.num_envs > 1:
                m = np.repeat(m, self.guard.num_envs)
            self.guard.reset(m[: self.guard.num_envs])
        batch = tensordict_reset.batch_size
        dev = tensordict_reset.device
        c = len(self.guard.categories)
        zeros = Composite(self._entries(batch, dev, c), shape=batch, device=dev).zero()
        tensordict_reset.set("rewardguard", zeros)
        return tensordict_reset

    def _entries(self, batch: torch.Size, device: Any, c: int) -> dict[str, Any]:
        return {
            "penalty": Unbounded(shape=(*batch, 1), dtype=torch.float32, device=device),
            "blocked": Binary(n=1, shape=(*batch, 1), dtype=torch.bool, device=device),
            "action": Bounded(low=0, high=4, shape=(*batch, 1), dtype=torch.int64, device=device),
            "costs": Unbounded(shape=(*batch, c), dtype=torch.float32, device=device),
        }

    def transform_observation_spec(self, observation_spec: Composite) -> Composite:
        batch = observation_spec.shape
        observation_spec["rewardguard"] = Composite(
            self._entries(batch, observation_spec.device, len(self.guard.categories)),
            shape=batch, device=observation_spec.device)
        return observation_spec
