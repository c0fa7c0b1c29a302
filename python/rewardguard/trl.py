"""TRL's GRPOTrainer: the guard at the tool-call boundary, its penalty in the rewards.

    import rewardguard as rg
    from rewardguard import trl as rgtrl

    guard = rg.Guard("coding-sandbox", num_envs=64)    # >= rollouts per generation batch
    trainer = GRPOTrainer(
        model=model, processing_class=tokenizer, args=GRPOConfig(...), train_dataset=dataset,
        environment_factory=rgtrl.environment_factory(ShellEnv, guard),
        reward_funcs=[task_reward, rgtrl.penalty_reward()],
    )

Every tool call a rollout makes is judged before it runs. A call the policy
blocks never runs: the wrapper raises :class:`ToolCallBlocked`, which TRL
turns into the tool message ``{"error": "<the policy's reason>"}``, so the
model reads why. After a terminate verdict the rollout's later calls are
refused too (TRL has no way to end one rollout early). Shadow mode
(``rg.Guard(..., mode="shadow")``) runs everything and only records.

``environment_factory(factory, guard)`` wraps TRL's ``environment_factory``:
TRL makes one instance per rollout and exposes its public methods as tools;
the wrapper exposes the same methods (same names, signatures, docstrings:
the same tool schema), gives each instance one env id of ``guard`` (its
episode state: budgets, flows such as a secret read then an egress), and
keeps the rollout's judged calls on the instance (``.violations``,
``.costs``, ``.penalty``). ``reset()`` starts a new episode; the inner
env's ``get_reward``, if it has one, stays the env's reward.

``guard_tools(tools, policy)`` wraps standalone ``tools=[...]`` callables.
TRL does not say which rollout a standalone tool call belongs to, so each
call is judged on its own (no budgets or flows across calls); prefer
``environment_factory`` when the episode matters.

``penalty_reward()`` is one more reward function: ``-penalty`` per
completion, read from the rollout's guarded environment when TRL passes
``environments``, else judged from the completion's messages (the assistant
``tool_calls``; one episode per completion). It logs through TRL's
``log_metric``: ``rewardguard/penalty``, ``rewardguard/violations`` and
``rewardguard/blocked`` (per completion), ``rewardguard/cost/<category>``,
and ``rewardguard/shared_penalty_groups``.

GRPO's advantage is ``reward - mean(reward of the prompt's group)`` under
every ``scale_rewards`` and ``multi_objective_aggregation`` setting, so a
penalty that every completion of a group shares is removed: it teaches
nothing. ``penalty_reward`` warns when it sees such a group. The penalty
reaches the advantages where completions of one group differ in what they
did; then ``scale_rewards="none"`` (or ``"batch"``) keeps its size,
``"group"`` (the default) divides it by the group's spread (what survives is
the ranking within the group), and ``normalize_then_sum`` normalizes the
penalty column on its own (its weight is then ``reward_weights``, not its size).

TRL is not imported here: the adapters are plain callables and classes.
"""

from __future__ import annotations

import functools
import inspect
import warnings
import weakref
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np

from ._core import Action, Guard, Policy
from .llm import calls_from_messages, judge_samples

__all__ = [
    "GuardedEnvironment",
    "ToolCallBlocked",
    "Violation",
    "environment_factory",
    "guard_tool",
    "guard_tools",
    "penalty_reward",
]


class Violation(NamedTuple):
    """One judged call whose action was not allow (or that carried a cost)."""

    tool: str
    arguments: dict
    action: str          # "warn", "penalize", "block", "terminate" ("allow" with a cost)
    penalty: float       # the call's costs @ the guard's weights when judged
    costs: np.ndarray    # float32 [C], columns guard.categories
    rules: tuple[str, ...]
    reason: str
    blocked: bool        # the call did not run


class ToolCallBlocked(PermissionError):
    """Raised instead of running a blocked call; TRL shows ``str(e)`` to the model."""

    def __init__(self, violation: Violation, policy: str) -> None:
        self.violation = violation
        super().__init__(f"blocked by policy `{policy}`: {violation.reason}")


def _as_guard(guard: Guard | Policy | str, num_envs: int) -> Guard:
    return guard if isinstance(guard, Guard) else Guard(guard, num_envs)


def _arguments(sig: inspect.Signature, args: tuple, kwargs: dict) -> dict:
    """The call's arguments by parameter name (defaults applied, **kwargs flattened)."""
    bound = sig.bind(*args, **kwargs)  # TypeError for a call that does not fit: it does not run
    bound.apply_defaults()
    out: dict = {}
    for name, value in bound.arguments.items():
        if sig.parameters[name].kind is inspect.Parameter.VAR_KEYWORD:
            out.update(value)
        elif sig.parameters[name].kind is inspect.Parameter.VAR_POSITIONAL:
            out[name] = list(value)
        else:
            out[name] = value
    return out


def _judge(guard: Guard, env: int, tool: str, arguments: dict) -> tuple[Violation | None, bool]:
    """Judges one call in env ``env``; returns (its record or None, terminated)."""
    v = guard.evaluate_columns(np.array([env], dtype=np.int32), [tool], [arguments])
    action = int(v.call_actions[0])
    costs = v.call_costs[0]
    record = None
    if action != Action.ALLOW or costs.any():
        record = Violation(tool, arguments, Action(action).name.lower(),
                           float(costs @ guard.weights), costs.copy(), v.rules[0], v.reasons[0],
                           bool(v.call_blocked[0]))
    return record, bool(v.terminated[env])


# -- standalone tools --------------------------------------------------------------------------

def guard_tool(fn: Callable, guard: Guard | Policy | str = "coding-sandbox", *,
               tool_name: str | None = None) -> Callable:
    """``fn`` (a sync or async tool for ``GRPOTrainer(tools=[...])``) behind a guard.

    Same name, signature and docstring (TRL builds the tool schema from them).
    Each call is judged as its own episode in env 0 of ``guard`` (a Guard is
    used as given, so give it one the tool owns; a policy gets a private
    Guard); a blocked call raises :class:`ToolCallBlocked` instead of running.
    ``tool_name``: the name the policy knows the tool by (default
    ``fn.__name__``). The penalty comes from :func:`penalty_reward`, which
    judges the completion's calls again, as one episode.
    """
    g = _as_guard(guard, 1)
    if _next_slot.get(g, 0) > 0:
        raise ValueError("this Guard's env 0 belongs to a guarded environment (environment_factory); "
                         "a standalone tool judges each call in env 0 after a reset, which would wipe "
                         "that rollout's episode: give the tool its own Guard or a policy")
    sig = inspect.signature(fn)
    name = tool_name or fn.__name__

    def check(args: tuple, kwargs: dict) -> None:
        arguments = _arguments(sig, args, kwargs)
        g.reset([0])
        record, _ = _judge(g, 0, name, arguments)
        if record is not None and record.blocked:
            raise ToolCallBlocked(record, g.policy.name)

    if inspect.iscoroutinefunction(fn):
        @functools.wraps(fn)
        async def guarded(*args: Any, **kwargs: Any) -> Any:
            check(args, kwargs)
            return await fn(*args, **kwargs)
    else:
        @functools.wraps(fn)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            check(args, kwargs)
            return fn(*args, **kwargs)
    guarded.guard = g  # type: ignore[attr-defined]
    return guarded


def guard_tools(tools: Iterable[Callable], guard: Guard | Policy | str = "coding-sandbox", *,
                tool_names: Mapping[str, str] | None = None) -> list[Callable]:
    """:func:`guard_tool` for each tool, sharing one guard (a policy: one private Guard)."""
    g = _as_guard(guard, 1)
    names = tool_names or {}
    return [guard_tool(t, g, tool_name=names.get(t.__name__)) for t in tools]


# -- environment_factory -----------------------------------------------------------------------

class GuardedEnvironment:
    """Base of the guarded environment classes :func:`environment_factory` makes.

    Attributes: ``env`` (the wrapped instance), ``guard`` and ``env_id`` (its
    env in the guard), ``violations`` (this episode's :class:`Violation` s, in
    order), ``terminated`` (a terminate verdict ended the episode). TRL exposes
    every public *method* of an environment as a tool, so this class has none:
    its own API is attributes and properties.
    """

    _tool_names: Mapping[str, str] = {}

    def __init__(self, env: Any, guard: Guard, env_id: int) -> None:
        self.env = env
        self.guard = guard
        self.env_id = int(env_id)
        self.violations: list[Violation] = []
        self.terminated = False
        self._why_terminated = ""

    def reset(self, **kwargs: Any) -> Any:
        self.guard.reset([self.env_id])
        self.violations = []
        self.terminated = False
        self._why_terminated = ""
        return self.env.reset(**kwargs)

    @property
    def costs(self) -> np.ndarray:
        """float64 [C]: the episode's costs per category (columns ``guard.categories``)."""
        out = np.zeros(len(self.guard.categories), dtype=np.float64)
        for r in self.violations:
            out += r.costs
        return out

    @property
    def penalty(self) -> float:
        """The episode's costs @ the guard's current weights."""
        return float(self.costs @ self.guard.weights)

    @property
    def blocked_calls(self) -> int:
        return sum(r.blocked for r in self.violations)

    def _check(self, method: str, sig: inspect.Signature, args: tuple, kwargs: dict) -> None:
        if self.terminated:
            raise PermissionError(f"the episode was ended by policy `{self.guard.policy.name}`: "
                                  f"{self._why_terminated}; no further tool calls run")
        arguments = _arguments(sig, (self.env, *args), kwargs)
        arguments.pop(next(iter(sig.parameters)), None)  # self
        record, terminated = _judge(self.guard, self.env_id, self._tool_names.get(method, method),
                                    arguments)
        if record is not None:
            self.violations.append(record)
        if terminated:
            self.terminated = True
            self._why_terminated = record.reason if record is not None else "terminate"
        if record is not None and record.blocked:
            raise ToolCallBlocked(record, self.guard.policy.name)

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(env_id={self.env_id}, violations={len(self.violations)}, "
                f"terminated={self.terminated})")


def _guarded_method(name: str, fn: Callable) -> Callable:
    sig = inspect.signature(fn)
    if inspect.iscoroutinefunction(fn):
        @functools.wraps(fn)
        async def method(self: GuardedEnvironment, *args: Any, **kwargs: Any) -> Any:
            self._check(name, sig, args, kwargs)
            return await getattr(self.env, name)(*args, **kwargs)
    else:
        @functools.wraps(fn)
        def method(self: GuardedEnvironment, *args: Any, **kwargs: Any) -> Any:
            self._check(name, sig, args, kwargs)
            return getattr(self.env, name)(*args, **kwargs)
    return method


def _environment_tools(cls: type) -> set[str]:
    """The tool names TRL exposes for a guarded environment class: its methods."""
    return {name for name, _ in inspect.getmembers(cls, predicate=inspect.isfunction)
            if not name.startswith("_") and name not in ("reset", "get_reward")}


_CLASSES: dict[tuple[type, tuple], type] = {}
_OWN = {"env", "guard", "env_id", "violations", "terminated", "costs", "penalty", "blocked_calls"}


def _guarded_class(inner: type, tool_names: Mapping[str, str]) -> type:
    key = (inner, tuple(sorted(tool_names.items())))
    cls = _CLASSES.get(key)
    if cls is not None:
        return cls
    ns: dict[str, Any] = {"__doc__": inner.__doc__, "__module__": inner.__module__,
                          "_tool_names": dict(tool_names)}
    # The members TRL reads (inspect.getmembers on the class, functions only).
    for name, fn in inspect.getmembers(inner, predicate=inspect.isfunction):
        if name == "reset" or name.startswith("_"):
            continue
        if name in _OWN:
            raise ValueError(f"{inner.__name__}.{name}: a tool may not be named like an attribute of "
                             f"the guarded environment ({', '.join(sorted(_OWN))})")
        if name == "get_reward":
            if inspect.iscoroutinefunction(fn):
                async def get_reward(self):  # noqa: ANN001
                    return await self.env.get_reward()
            else:
                def get_reward(self):  # noqa: ANN001
                    return self.env.get_reward()
            ns["get_reward"] = get_reward
            continue
        ns[name] = _guarded_method(name, fn)
    if not callable(getattr(inner, "reset", None)):
        raise ValueError(f"{inner.__name__} has no reset(): TRL requires one on every environment")
    cls = type(f"Guarded{inner.__name__}", (GuardedEnvironment,), ns)
    _CLASSES[key] = cls
    return cls


# Env ids handed out per Guard, across every factory that uses it.
_next_slot: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def environment_factory(factory: Callable[[], Any], guard: Guard | Policy | str = "coding-sandbox", *,
                        num_envs: int = 256, tool_names: Mapping[str, str] | None = None
                        ) -> Callable[[], GuardedEnvironment]:
    """A factory for ``GRPOTrainer(environment_factory=...)`` whose instances are guarded.

    ``factory``: what you would pass to TRL (a class or a callable returning
    an environment). ``guard``: a Guard whose env ids the instances take in
    order of creation (TRL keeps a pool of as many instances as the largest
    batch of rollouts, training or evaluation, has needed), or a policy (a
    Guard of ``num_envs`` envs is made). More instances than the guard has envs is an error.
    ``tool_names``: method name -> the tool name the policy knows (default:
    the method's name, e.g. ``shell``).
    """
    g = _as_guard(guard, num_envs)
    names = dict(tool_names or {})

    def make() -> GuardedEnvironment:
        # The next env id belongs to the Guard, not to this factory: two
        # factories sharing a Guard (TRL's dict form) never share an episode.
        slot = _next_slot.get(g, 0)
        if slot >= g.num_envs:
            raise ValueError(f"the guard tracks {g.num_envs} envs and TRL asked for environment "
                             f"#{slot + 1}: give the guard at least one env per rollout of a "
                             "generation batch")
        _next_slot[g] = slot + 1
        env = factory()
        return _guarded_class(type(env), names)(env, g, slot)

    make.guard = g  # type: ignore[attr-defined]
    return make


# -- the reward function -----------------------------------------------------------------------

def _groups(prompts: Sequence[Any], n: int, num_generations: int | None) -> list[range]:
    """Index ranges of the completions that share a prompt (TRL keeps them adjacent)."""
    if num_generations:
        return [range(i, min(i + num_generations, n)) for i in range(0, n, num_generations)]
    out, start = [], 0
    for i in range(1, n + 1):
        if i == n or prompts[i] != prompts[start]:
            out.append(range(start, i))
            start = i
    return out


def penalty_reward(policy: Policy | str | Guard = "coding-sandbox", *,
                   extract_calls: Callable[[Any], Iterable[Sequence[Any]]] | None = None,
                   num_generations: int | None = None,
                   name: str = "rewardguard_penalty") -> Callable[..., list[float]]:
    """A GRPOTrainer reward function: ``-penalty`` per completion (see the module doc).

    A completion whose rollout ran in a :func:`environment_factory`
    environment gets that environment's recorded penalty. Any other is judged
    from its calls: ``extract_calls(completion) -> [(tool, arguments)]``,
    default :func:`rewardguard.llm.calls_from_messages` (conversational
    completions), with a guard of ``policy`` grown to the batch (a Guard given
    here serves only this path; keep it apart from the environments' guard).
    ``num_generations``: GRPOConfig's, to find the groups exactly (default:
    adjacent completions with equal prompts form a group).
    """
    state: dict[str, Any] = {"guard": policy if isinstance(policy, Guard) else None}
    pol = policy.policy if isinstance(policy, Guard) else policy
    extract = extract_calls or calls_from_messages

    def fallback_guard(k: int) -> Guard:
        guard = state["guard"]
        if guard is None or guard.num_envs < k:
            guard = state["guard"] = Guard(pol, max(k, 1),
                                           weights=None if guard is None else guard.weights)
        return guard

    def reward_fn(prompts: Sequence[Any] = (), completions: Sequence[Any] = (), **kwargs: Any
                  ) -> list[float]:
        n = len(completions)
        envs = kwargs.get("environments")
        guarded = [] if envs is None else [i for i in range(n) if isinstance(envs[i], GuardedEnvironment)]
        rest = sorted(set(range(n)) - set(guarded))
        # Judged here, one episode per completion: every call of a completion
        # without a guarded environment, and the calls of one with such an
        # environment to tools that are not its own (standalone tools).
        judged: list[tuple[int, list]] = []
        for i in rest:
            if isinstance(completions[i], str) and extract_calls is None:
                raise ValueError("the completions are text: pass extract_calls=(completion -> "
                                 "[(tool, arguments)]) to penalty_reward")
            judged.append((i, list(extract(completions[i]))))
        for i in guarded:
            if isinstance(completions[i], str) and extract_calls is None:
                continue  # text completions: the environment saw every call it ran
            own = _environment_tools(type(envs[i]))
            others = [c for c in extract(completions[i]) if c[0] not in own]
            if others:
                judged.append((i, others))
        fallback = fallback_guard(len(judged)) if judged or not guarded else None
        categories = envs[guarded[0]].guard.categories if guarded else fallback.categories
        penalties = np.zeros(n, dtype=np.float64)
        costs = np.zeros((n, len(categories)), dtype=np.float64)
        counts = np.zeros((n, 2), dtype=np.int64)   # per completion: violations, blocked calls
        for i in guarded:
            e = envs[i]
            costs[i] = e.costs
            penalties[i] = e.penalty
            counts[i] = (sum(r.action != "allow" for r in e.violations), e.blocked_calls)
        if judged:
            v, rows, _ = judge_samples(fallback, [calls for _, calls in judged])
            idx = np.asarray([i for i, _ in judged])
            k = len(judged)
            np.add.at(costs, idx, v.costs[:k])
            np.add.at(penalties, idx, fallback.penalty(v)[:k])
            np.add.at(counts[:, 0], idx[rows], v.call_actions != Action.ALLOW)
            np.add.at(counts[:, 1], idx[rows], v.call_blocked)

        groups = _groups(prompts, n, num_generations) if len(prompts) == n else []
        shared = [g for g in groups if len(g) > 1 and penalties[g[0]] != 0
                  and np.all(penalties[g.start:g.stop] == penalties[g[0]])]
        if shared:
            warnings.warn(
                f"rewardguard: in {len(shared)} of {len(groups)} groups every completion has the same "
                f"penalty ({penalties[shared[0][0]]:g}); GRPO's advantage subtracts the group mean, "
                "which removes it. The penalty teaches only where completions of one prompt differ "
                "(see rewardguard.trl's documentation).", RuntimeWarning, stacklevel=2)
        log = kwargs.get("log_metric")
        if log is not None and n:
            log("rewardguard/penalty", float(penalties.mean()))
            log("rewardguard/violations", float(counts[:, 0].mean()))
            log("rewardguard/blocked", float(counts[:, 1].mean()))
            for k, c in enumerate(categories):
                log(f"rewardguard/cost/{c}", float(costs[:, k].mean()))
            log("rewardguard/shared_penalty_groups", float(len(shared)))
        return (0.0 - penalties).tolist()

    reward_fn.__name__ = name
    reward_fn.__qualname__ = name
    return reward_fn
