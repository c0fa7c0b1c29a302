"""Gymnasium 1.x wrappers: a guard between a tool-using agent and its env.

    import gymnasium, rewardguard.envs
    from rewardguard.gym import GuardWrapper, GuardVectorWrapper

    env = GuardWrapper(gymnasium.make("rewardguard/ToolSandbox-v0"),
                       policy="coding-sandbox",
                       tool_calls=lambda action: [("shell", commands[action])])
    obs, reward, terminated, truncated, info = env.step(action)
    info["rewardguard"]["rules"]    # e.g. ["tunnel"] when a rule blocked the call

    envs = GuardVectorWrapper(gymnasium.make_vec("rewardguard/ToolSandbox-v0", 64),
                              policy="coding-sandbox", tool_calls=batch_to_calls,
                              noop_action=0)
    obs, rewards, terminated, truncated, info = envs.step(actions)
    info["rewardguard"]             # rewardguard.Verdicts, per env and per call

Each step, a user function maps the agent's action to the tool calls it
makes; the guard judges them (one batched C++ call for all envs), then:

- Blocked calls never reach the env. GuardWrapper does not step the env at
  all: it returns the observation of ``blocked_observation`` (the user's
  callback, else the env's own ``blocked_observation(rules, reason)`` hook,
  else the last observation: nothing happened) with reward 0 before shaping.
  A vector env cannot skip one sub-env, so GuardVectorWrapper steps the
  blocked envs with ``noop_action`` (or ``replace_actions(actions, mask)``)
  and then lets ``blocked_observation(obs, verdicts)`` mark them. Either way
  ``info["rewardguard"]`` says which rules fired and why.
- A terminate verdict sets ``terminated`` (the env's episode ends there).
- Rewards are shaped: ``reward - costs @ weights`` (``shape_reward=False``
  leaves them alone; the penalties are still in the info).
- Resets restart the guard's episode state (budgets, flows) of the envs
  that reset, and of no other: ``reset()``, ``reset(options={"reset_mask":
  m})`` (autoreset DISABLED) and the vector env's own auto-reset (NEXT_STEP:
  the envs that ended last step; SAME_STEP: the envs that end now).

A blocked step does not reach the env, so a TimeLimit inside the wrapper
does not count it: put the TimeLimit outside (``GuardWrapper(gymnasium.make(
id, max_episode_steps=None))`` then ``TimeLimit``) to bound blocked loops.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import gymnasium
import numpy as np
from gymnasium.vector import AutoresetMode, VectorWrapper

from ._core import Action, Calls, Guard, Policy, Verdicts

__all__ = ["GuardVectorWrapper", "GuardWrapper"]


def _make_guard(guard: Guard | None, policy: Policy | str | None, num_envs: int, mode: str,
                audit: Any, weights: Any) -> Guard:
    if guard is not None:
        if guard.num_envs < num_envs:
            raise ValueError(f"the guard tracks {guard.num_envs} envs; the env has {num_envs}")
        return guard
    if policy is None:
        raise ValueError("pass a guard or a policy")
    return Guard(policy, num_envs, mode=mode, audit=audit, weights=weights)


class GuardWrapper(gymnasium.Wrapper, gymnasium.utils.RecordConstructorArgs):
    """Guards one env. See the module docstring.

    Args:
      env: the env; its actions are tool calls (through ``tool_calls``).
      guard: a Guard (this wrapper uses its env ``env_index``), or None to
        make one from ``policy``, ``mode``, ``audit`` and ``weights``.
      tool_calls: ``action -> iterable of (tool, arguments)``; default: the
        env's own ``tool_calls`` method. An empty iterable: no tool call,
        the action goes through.
      blocked_observation: ``(last_obs, info) -> obs`` for a blocked step,
        ``info`` being ``info["rewardguard"]``; default: the env's
        ``blocked_observation(rules, reason)`` if it has one, else last_obs.
      shape_reward: subtract the weighted penalty from the reward.
      env_index: the env id in ``guard`` (several GuardWrappers may share a
        guard, one env id each, in one process).

    ``info["rewardguard"]``: ``action`` (name of the strongest action),
    ``penalty``, ``costs`` (by category), ``blocked``, ``terminated``,
    ``rules``, ``reason`` and ``verdicts`` (the :class:`Verdicts`).
    """

    def __init__(self, env: gymnasium.Env, guard: Guard | None = None, *,
                 policy: Policy | str | None = "coding-sandbox",
                 tool_calls: Callable[[Any], Iterable[tuple[str, Any]]] | None = None,
                 blocked_observation: Callable[[Any, dict], Any] | None = None,
                 mode: str = "enforce", audit: Any = None, weights: Any = None,
                 shape_reward: bool = True, env_index: int = 0) -> None:
        gymnasium.utils.RecordConstructorArgs.__init__(
            self, guard=guard, policy=policy, tool_calls=tool_calls,
            blocked_observation=blocked_observation, mode=mode, audit=audit, weights=weights,
            shape_reward=shape_reward, env_index=env_index)
        gymnasium.Wrapper.__init__(self, env)
        self.guard = _make_guard(guard, policy, env_index + 1, mode, audit, weights)
        self.env_index = int(env_index)
        if tool_calls is None:
            tool_calls = getattr(env.unwrapped, "tool_calls", None)
            if tool_calls is None:
                raise ValueError("pass tool_calls=(action -> [(tool, arguments)]); the env has no tool_calls()")
        self._tool_calls = tool_calls
        self._blocked_observation = blocked_observation
        self._env_hook = getattr(env.unwrapped, "blocked_observation", None)
        self.shape_reward = bool(shape_reward)
        self._last_obs: Any = None

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        self.guard.reset([self.env_index])
        obs, info = self.env.reset(seed=seed, options=options)
        self._last_obs = obs
        return obs, info

    def step(self, action):
        i = self.env_index
        calls = list(self._tool_calls(action))
        if calls:
            tools, arguments = zip(*calls)
        else:
            tools, arguments = (), ()
        v = self.guard.evaluate_columns(np.full(len(calls), i, dtype=np.int32), tools, arguments)
        blocked = bool(v.blocked[i])
        rules = v.env_rules(i)
        reason = "; ".join(v.env_reasons(i))
        summary = {
            "action": Action(int(v.actions[i])).name.lower(),
            "penalty": float(v.penalties[i]),
            "costs": v.cost_dict(i),
            "blocked": blocked,
            "terminated": bool(v.terminated[i]),
            "rules": rules,
            "reason": reason,
            "verdicts": v,
        }
        if blocked:
            if self._blocked_observation is not None:
                obs = self._blocked_observation(self._last_obs, summary)
            elif self._env_hook is not None:
                obs = self._env_hook(rules, reason)
            else:
                obs = self._last_obs
            reward, terminated, truncated, info = 0.0, bool(v.terminated[i]), False, {}
        else:
            obs, reward, terminated, truncated, info = self.env.step(action)
            terminated = bool(terminated) or bool(v.terminated[i])
        if self.shape_reward:
            reward = float(reward) - float(self.guard.penalty(v)[i])
        info = dict(info)
        info["rewardguard"] = summary
        self._last_obs = obs
        return obs, reward, terminated, truncated, info


def _columns(calls: Any) -> tuple[np.ndarray, list, list]:
    """(env_ids, tools, arguments) from Calls, a 3-tuple of columns or (env, tool, args) rows."""
    if isinstance(calls, Calls):
        env_ids, tools, arguments = calls
    elif isinstance(calls, dict):
        env_ids, tools, arguments = calls["env"], calls["tool"], calls["arguments"]
    elif (isinstance(calls, tuple) and len(calls) == 3
          and not isinstance(calls[0], (int, np.integer))):
        env_ids, tools, arguments = calls
    else:
        rows = list(calls)
        if not rows:
            return np.zeros(0, dtype=np.int32), [], []
        env_ids, tools, arguments = zip(*rows)
    return (np.ascontiguousarray(env_ids, dtype=np.int32),
            tools if type(tools) is list else list(tools),
            arguments if type(arguments) is list else list(arguments))


class GuardVectorWrapper(VectorWrapper):
    """Guards a Gymnasium vector env with one batched evaluation per step.

    Args:
      env: a VectorEnv (``gymnasium.make_vec``, SyncVectorEnv, AsyncVectorEnv).
      guard: a Guard with at least ``env.num_envs`` envs, or None to make one
        from ``policy``, ``mode``, ``audit`` and ``weights``.
      tool_calls: ``actions -> calls`` for the whole batch: a
        :class:`rewardguard.Calls` / ``(env_ids, tools, arguments)`` columns
        (fastest) or a list of ``(env, tool, arguments)``.
      noop_action: the action a blocked env runs instead (one env's action);
        or ``replace_actions(actions, blocked_mask) -> actions`` for action
        spaces where item assignment does not fit.
      blocked_observation: ``(obs, verdicts) -> obs``, to mark the blocked
        envs' observations (``verdicts.blocked`` is the mask).
      shape_reward: subtract the weighted penalty from the rewards.

    ``info["rewardguard"]`` is the step's :class:`rewardguard.Verdicts`.

    Terminate verdicts end the env's episode, which the sub-env must then
    restart: with autoreset DISABLED, by the caller's ``reset(options=
    {"reset_mask": ...})``; with NEXT_STEP, the wrapper marks it for the
    vector env's own auto-reset, which SyncVectorEnv supports. AsyncVectorEnv
    (NEXT_STEP) and SAME_STEP cannot restart one sub-env from outside: in
    enforce mode they are refused at construction; guard those sub-envs with
    ``make_vec(..., wrappers=[GuardWrapper...])`` instead, or use shadow mode.
    """

    def __init__(self, env: gymnasium.vector.VectorEnv, guard: Guard | None = None, *,
                 policy: Policy | str | None = "coding-sandbox",
                 tool_calls: Callable[[Any], Any],
                 noop_action: Any = None,
                 replace_actions: Callable[[Any, np.ndarray], Any] | None = None,
                 blocked_observation: Callable[[Any, Verdicts], Any] | None = None,
                 mode: str = "enforce", audit: Any = None, weights: Any = None,
                 shape_reward: bool = True) -> None:
        super().__init__(env)
        n = env.num_envs
        self.guard = _make_guard(guard, policy, n, mode, audit, weights)
        self._tool_calls = tool_calls
        self._noop = noop_action
        self._replace = replace_actions
        self._blocked_observation = blocked_observation
        self.shape_reward = bool(shape_reward)
        self._autoreset_mode = AutoresetMode(env.metadata.get("autoreset_mode", AutoresetMode.NEXT_STEP))
        self._prev_done = np.zeros(n, dtype=np.bool_)
        self._vector = env.unwrapped
        enforce = self.guard.mode == "enforce"
        if enforce and noop_action is None and replace_actions is None:
            raise ValueError("enforce mode needs noop_action= or replace_actions=: what a blocked env runs")
        if enforce and self._autoreset_mode == AutoresetMode.SAME_STEP:
            raise ValueError("autoreset SAME_STEP: a terminate verdict cannot restart one sub-env; "
                             "use NEXT_STEP or DISABLED, per-env GuardWrappers, or mode='shadow'")
        if (enforce and self._autoreset_mode == AutoresetMode.NEXT_STEP
                and not isinstance(getattr(self._vector, "_autoreset_envs", None), np.ndarray)):
            raise ValueError(f"{type(self._vector).__name__} with autoreset NEXT_STEP cannot restart one "
                             "sub-env after a terminate verdict; use SyncVectorEnv, autoreset DISABLED, "
                             "per-env GuardWrappers (make_vec(..., wrappers=[...])), or mode='shadow'")

    def reset(self, *, seed: int | list[int] | None = None, options: dict[str, Any] | None = None):
        mask = None if options is None else options.get("reset_mask")
        if mask is None:
            self.guard.reset(None)
            self._prev_done[:] = False
        else:
            mask = np.asarray(mask, dtype=np.bool_)
            self.guard.reset(mask)
            self._prev_done[mask] = False
        return self.env.reset(seed=seed, options=options)

    def step(self, actions):
        env_ids, tools, arguments = _columns(self._tool_calls(actions))
        prev = self._prev_done
        if prev.any():
            # NEXT_STEP: these envs reset now and ignore their actions.
            self.guard.reset(prev)
            keep = ~prev[env_ids]
            if not keep.all():
                env_ids = env_ids[keep]
                tools = [t for t, k in zip(tools, keep) if k]
                arguments = [a for a, k in zip(arguments, keep) if k]
        v = self.guard.evaluate_columns(env_ids, tools, arguments)
        blocked = v.blocked
        any_blocked = blocked.any()
        if any_blocked:
            if self._replace is not None:
                actions = self._replace(actions, blocked)
            else:
                actions = np.array(actions, copy=True)
                actions[blocked] = self._noop
        obs, rewards, terminated, truncated, info = self.env.step(actions)
        if any_blocked and self._blocked_observation is not None:
            obs = self._blocked_observation(obs, v)
        if self.shape_reward:
            rewards = self.guard.shape(rewards, v)
        if v.terminated.any():
            ended_here = v.terminated & ~(terminated | truncated)
            terminated = terminated | v.terminated
            if self._autoreset_mode == AutoresetMode.NEXT_STEP and ended_here.any():
                self._vector._autoreset_envs |= ended_here
        if self._autoreset_mode == AutoresetMode.NEXT_STEP:
            self._prev_done = terminated | truncated
        elif self._autoreset_mode == AutoresetMode.SAME_STEP:
            done = terminated | truncated
            if done.any():
                self.guard.reset(done)
        info["rewardguard"] = v
        return obs, rewards, terminated, truncated, info
