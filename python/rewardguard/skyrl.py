"""SkyRL-gym: a guard in front of a ``BaseTextEnv``.

    from rewardguard.skyrl import GuardedTextEnv

    env = GuardedTextEnv(MyTextEnv(env_config, extras), policy="coding-sandbox")
    prompt, info = env.init(prompt)
    out = env.step(action)          # the model's turn, a string
    out["reward"], out["done"], out["observations"], out["metadata"]["rewardguard"]

    # or, for skyrl_gym.make / SkyRL's env_class setting:
    rewardguard.skyrl.register("guarded-text2sql", "text2sql", tool_calls=sql_calls)

Each step, ``tool_calls(action) -> [(tool, arguments)]`` reads the calls in
the model's turn (default :func:`hermes_tool_calls`: ``<tool_call>{"name":
..., "arguments": ...}</tool_call>`` blocks, as Qwen and Hermes models
write them) and the guard judges them, in order, in this env's episode,
before the inner env sees the action. The parser must read what the inner
env acts on: SkyRL-gym's own envs speak other formats (`<sql>`, `<search>`,
`<tool>`), and with the default parser their actions hold no calls, so
nothing is judged: pass their parser as ``tool_calls``.

- Blocked (one blocked call blocks the turn: the action is one string the
  inner env runs whole or not at all): the inner env does not step, so its
  tools never run. The observation is one message with the policy's reason
  (``blocked by policy `coding-sandbox`: ...``) and the reward is minus the
  penalty.
- A terminate verdict also sets ``done``.
- Otherwise the inner env steps; its reward minus the penalty (a penalize
  or warn rule, shadow mode) is the step's reward.
- Every turn, blocked or not, counts towards the inner env's ``max_turns``
  (``done`` once reached), so blocked turns cannot loop forever.

SkyRL puts each step's reward on the last token of that turn, so the penalty
lands on the turn that made the call. ``metadata["rewardguard"]`` says what
fired (``action``, ``penalty``, ``costs``, ``blocked``, ``terminated``,
``rules``, ``reason``); ``get_metrics()`` adds the episode's
``rewardguard/penalty``, ``rewardguard/violations`` and
``rewardguard/blocked`` to the inner env's metrics. ``init`` starts a new
episode (budgets and flows restart).

A ``<tool_call>`` block that is not a JSON object with a ``name`` is judged
as a call of the tool ``unparsed_tool_call`` with the block's text as its
argument: a tool the policy does not know gets the policy's default (block
in coding-sandbox), so what cannot be read is not let through.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import skyrl_gym
from skyrl_gym.envs.base_text_env import BaseTextEnv, BaseTextEnvStepOutput

from ._core import Action, Guard, Policy

__all__ = ["GuardedTextEnv", "hermes_tool_calls", "register"]

UNPARSED_TOOL = "unparsed_tool_call"
_TOOL_CALL = re.compile(r"<tool_call>(.*?)</tool_call>", re.DOTALL)


def hermes_tool_calls(action: str) -> list[tuple[str, Any]]:
    """``(name, arguments)`` of each ``<tool_call>{json}</tool_call>`` block, in order.

    ``arguments`` is an object or JSON text. A block that does not hold
    ``{"name": str, "arguments": object or str}``, or an opening tag that is
    never closed, becomes ``("unparsed_tool_call", block_text)``: such a turn
    is blocked whatever the policy says of unknown tools (fail closed).
    """
    out: list[tuple[str, Any]] = []
    blocks = _TOOL_CALL.findall(action)
    for block in blocks:
        try:
            call = json.loads(block)
        except ValueError:
            call = None
        args = call.get("arguments", {}) if isinstance(call, dict) else None
        if isinstance(call, dict) and isinstance(call.get("name"), str) and isinstance(args, (dict, str)):
            out.append((call["name"], args))
        else:
            out.append((UNPARSED_TOOL, block.strip()))
    # An opening tag without its closing one (a stop string cut it off) is a
    # call too, and one that cannot be read.
    if action.count("<tool_call>") > len(blocks):
        out.append((UNPARSED_TOOL, action[action.rfind("<tool_call>"):].strip()))
    return out


class GuardedTextEnv(BaseTextEnv):
    """Guards one SkyRL-gym text env. See the module docstring.

    Args:
      env: the inner ``BaseTextEnv``.
      guard: a Guard (this env uses its env ``env_index``), or None to make a
        one-env Guard from ``policy``, ``mode``, ``weights`` and ``audit``.
      tool_calls: ``action -> iterable of (tool, arguments)``.
      blocked_observation: ``summary -> list of messages`` for a blocked
        turn (``summary`` is ``metadata["rewardguard"]``); default one user
        message with the reason.
      shape_reward: subtract the penalty from the step reward.
    """

    def __init__(self, env: BaseTextEnv, guard: Guard | None = None, *,
                 policy: Policy | str = "coding-sandbox",
                 tool_calls: Callable[[str], Iterable[tuple[str, Any]]] = hermes_tool_calls,
                 blocked_observation: Callable[[dict], list[dict]] | None = None,
                 mode: str = "enforce", weights: Any = None, audit: Any = None,
                 shape_reward: bool = True, env_index: int = 0) -> None:
        super().__init__()
        if guard is None:
            guard = Guard(policy, env_index + 1, mode=mode, weights=weights, audit=audit)
        elif guard.num_envs <= env_index:
            raise ValueError(f"the guard tracks {guard.num_envs} envs; env_index is {env_index}")
        self.env = env
        self.guard = guard
        self.env_index = int(env_index)
        self.max_turns = getattr(env, "max_turns", self.max_turns)
        self._tool_calls = tool_calls
        self._blocked_observation = blocked_observation
        self.shape_reward = bool(shape_reward)
        self._reset_episode()

    def _reset_episode(self) -> None:
        self.turns = 0
        self.penalty = 0.0
        self.violations = 0
        self.blocked_turns = 0

    def init(self, prompt: Any) -> Any:
        self.guard.reset([self.env_index])
        self._reset_episode()
        return self.env.init(prompt)

    def step(self, action: str) -> BaseTextEnvStepOutput:
        self.turns += 1
        self.max_turns = getattr(self.env, "max_turns", self.max_turns)
        i = self.env_index
        calls = list(self._tool_calls(action))
        tools = [c[0] for c in calls]
        arguments = [c[1] for c in calls]
        v = self.guard.evaluate_columns(np.full(len(calls), i, dtype=np.int32), tools, arguments)
        penalty = float(self.guard.penalty(v)[i])
        summary = {
            "action": Action(int(v.actions[i])).name.lower(),
            "penalty": penalty,
            "costs": v.cost_dict(i),
            "blocked": bool(v.blocked[i]),
            "terminated": bool(v.terminated[i]),
            "rules": v.env_rules(i),
            "reason": "; ".join(v.env_reasons(i)),
        }
        if UNPARSED_TOOL in tools and self.guard.mode == "enforce" and not summary["blocked"]:
            # A call nobody can read is not run, even under a policy whose
            # default lets unknown tools through.
            summary["blocked"] = True
            summary["reason"] = "; ".join(filter(None, [
                summary["reason"], "a tool call that cannot be read does not run"]))
        self.penalty += penalty
        self.violations += int(np.count_nonzero(v.call_actions != Action.ALLOW))
        if summary["blocked"]:
            self.blocked_turns += 1
            if self._blocked_observation is not None:
                observations = self._blocked_observation(summary)
            else:
                observations = [{"role": "user", "content":
                                 f"blocked by policy `{self.guard.policy.name}`: {summary['reason']}"}]
            reward = 0.0
            done = summary["terminated"]
            metadata: dict = {}
            postprocessed = None
        else:
            out = self.env.step(action)
            observations = out["observations"]
            reward = float(out["reward"])
            done = bool(out["done"]) or summary["terminated"]
            metadata = dict(out.get("metadata") or {})
            postprocessed = out.get("postprocessed_action")
        done = done or self.turns >= self.max_turns   # blocked turns count too
        if self.shape_reward:
            reward -= penalty
        metadata["rewardguard"] = summary
        result = BaseTextEnvStepOutput(observations=observations, reward=reward, done=done,
                                       metadata=metadata)
        if postprocessed is not None:
            result["postprocessed_action"] = postprocessed
        return result

    def close(self) -> None:
        self.env.close()

    def get_metrics(self) -> dict[str, Any]:
        return {**self.env.get_metrics(), "rewardguard/penalty": self.penalty,
                "rewardguard/violations": self.violations, "rewardguard/blocked": self.blocked_turns}


def _make(inner: str | Callable[..., BaseTextEnv], policy: Policy, guard_kwargs: dict,
          **env_kwargs: Any) -> GuardedTextEnv:
    env = skyrl_gym.make(inner, **env_kwargs) if isinstance(inner, str) else inner(**env_kwargs)
    return GuardedTextEnv(env, policy=policy, **guard_kwargs)


def register(id: str, inner: str | Callable[..., BaseTextEnv], *,
             policy: Policy | str = "coding-sandbox", **guard_kwargs: Any) -> None:
    """Registers ``id`` with skyrl_gym: ``skyrl_gym.make(id, **kw)`` makes
    ``GuardedTextEnv(<inner made with **kw>, policy=policy, **guard_kwargs)``.

    ``inner``: a registered env id or an env class / callable. The policy is
    compiled once; each env made gets its own one-env Guard.
    """
    if not isinstance(policy, Policy):
        policy = Policy.load(policy)
    if "guard" in guard_kwargs:
        raise ValueError("register() makes one Guard per env; pass policy=, not guard=")
    skyrl_gym.register(id=id, entry_point=functools.partial(_make, inner, policy, guard_kwargs))
