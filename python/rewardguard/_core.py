"""Policy, Guard and Verdicts: the Python face of the C++ evaluator.

    import rewardguard as rg

    policy = rg.Policy.load("coding-sandbox")           # or a YAML path
    guard = rg.Guard(policy, num_envs=64)
    v = guard.evaluate([(0, "shell", "ls -la"),
                        (1, "shell", {"command": "ssh -R 9000:localhost:22 a@203.0.113.5"})])
    v.actions        # int8 [64]: strongest action per env (0 = allow)
    v.terminated     # bool [64]: a terminate verdict (enforce mode)
    rewards = guard.shape(rewards, v)                  # r - costs @ weights
    guard.reset([1])                                   # env 1 starts a new episode

Every decision is made in C++ (rewardguard._C.Guard, the C++ Guard of
guard/guard.h: evaluator, episode and step clock per env, audit sink, mode,
weights); this module only converts inputs (dict arguments and observations
are serialized with json.dumps) and wraps the arrays the C++ side returns.
"""

from __future__ import annotations

import dataclasses
import enum
import json
import os
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple, Union

import numpy as np

try:  # torch is optional for evaluation, required for tensor shaping
    import torch
except ImportError:  # pragma: no cover - the wheel is built against torch
    torch = None  # type: ignore[assignment]

from . import _C

__all__ = [
    "Action",
    "Calls",
    "Guard",
    "Policy",
    "Verdicts",
    "builtin_policies",
]

Arguments = Union[str, bytes, Mapping[str, Any]]
Observation = Union[str, bytes, Mapping[str, Any]]
CallTuple = tuple[int, str, Arguments]


class Action(enum.IntEnum):
    """Verdict actions, ordered by strength (the strongest fired one wins)."""

    ALLOW = 0
    WARN = 1
    PENALIZE = 2
    BLOCK = 3
    TERMINATE = 4


def builtin_policies() -> list[str]:
    """Names accepted by :meth:`Policy.load` without a file."""
    return list(_C.builtin_policy_names())


class Policy:
    """A compiled, immutable policy (shared by every Guard made from it).

    Load errors raise ValueError whose message starts with ``file:line:column:``;
    a missing file or unknown built-in raises FileNotFoundError.
    Pickles as its YAML source text, so it travels to worker processes.
    """

    __slots__ = ("_p",)

    def __init__(self, compiled: _C.Policy) -> None:
        self._p = compiled

    @classmethod
    def load(cls, name_or_path: str | os.PathLike[str]) -> Policy:
        """A built-in policy by name (``"coding-sandbox"``) or a YAML file."""
        return cls(_C.load_policy(os.fspath(name_or_path)))

    @classmethod
    def from_text(cls, text: str, source_name: str = "<string>") -> Policy:
        """Compiles YAML text; ``source_name`` prefixes error positions."""
        return cls(_C.load_policy_text(text, source_name))

    name = property(lambda self: self._p.name, doc="The policy's `name:`.")
    description = property(lambda self: self._p.description)
    version = property(lambda self: self._p.version)
    source_name = property(lambda self: self._p.source_name,
                           doc='File path, or "<builtin:NAME>".')
    source_text = property(lambda self: self._p.source_text, doc="The YAML text.")
    default_action = property(lambda self: self._p.default_action)

    @property
    def categories(self) -> tuple[str, ...]:
        """Cost-matrix columns: built-in categories, then the policy's own."""
        return tuple(self._p.categories)

    @property
    def rule_ids(self) -> tuple[str, ...]:
        return tuple(self._p.rule_ids)

    @property
    def budget_ids(self) -> tuple[str, ...]:
        return tuple(self._p.budget_ids)

    @property
    def flow_ids(self) -> tuple[str, ...]:
        return tuple(self._p.flow_ids)

    @property
    def actions(self) -> dict[str, str]:
        """Each rule, budget and flow id -> the action it fires with ("allow", ...)."""
        return dict(self._p.actions)

    @property
    def capabilities(self) -> tuple[str, ...]:
        """Every capability of the policy's taxonomy, by id."""
        return tuple(self._p.capabilities)

    @property
    def tools(self) -> tuple[str, ...]:
        """Tool names the policy maps (others get the policy default)."""
        return tuple(self._p.tools)

    def __reduce__(self):
        return (Policy.from_text, (self.source_text, self.source_name))

    def __repr__(self) -> str:
        return (f"Policy(name={self.name!r}, source={self.source_name!r}, "
                f"rules={len(self._p.rule_ids)}, categories={len(self._p.categories)})")


class Calls(NamedTuple):
    """A columnar batch of tool calls: three sequences of equal length N.

    ``arguments[i]`` is a dict (serialized to JSON), JSON text (a string
    starting with ``{``), or the raw value of a one-argument tool (a shell
    command string).
    """

    env_ids: Sequence[int] | np.ndarray
    tools: Sequence[str]
    arguments: Sequence[Arguments]


_dumps = json.JSONEncoder(separators=(",", ":")).encode


def _encode_arguments(arguments: Sequence[Arguments]) -> list:
    # str is by far the common case (LLM tool calls arrive as JSON text).
    # Anything else than str, bytes or a mapping reaches _C, which raises TypeError.
    return [a if type(a) is str else (_dumps(a) if isinstance(a, Mapping) else a)
            for a in arguments]


@dataclasses.dataclass(frozen=True, eq=False)
class Verdicts:
    """One batch's verdicts, per env (``[B]``, B = num_envs) and per call (``[N]``).

    Per env, summed over the env's calls in the batch (an env without calls
    gets allow and zeros): ``actions`` int8 (strongest), ``penalties`` float32,
    ``costs`` float32 [B, C] (columns: ``categories``), ``terminated`` bool
    (a terminate verdict in enforce mode), ``blocked`` bool (some call of the
    env was prevented: not to be forwarded; never in shadow mode).

    Per call, in input order: ``env_ids`` int32, ``call_actions`` int8,
    ``call_penalties`` float32, ``call_costs`` float32 [N, C],
    ``call_blocked`` bool. ``flagged`` int64 [K] lists the calls whose action
    is not allow; ``flagged_rules[k]`` / ``flagged_reasons[k]`` describe
    call ``flagged[k]``. ``rules`` and ``reasons`` expand them to N entries.
    """

    actions: np.ndarray
    penalties: np.ndarray
    costs: np.ndarray
    terminated: np.ndarray
    blocked: np.ndarray
    env_ids: np.ndarray
    call_actions: np.ndarray
    call_penalties: np.ndarray
    call_costs: np.ndarray
    call_blocked: np.ndarray
    flagged: np.ndarray
    flagged_rules: list[tuple[str, ...]]
    flagged_reasons: list[str]
    categories: tuple[str, ...]
    mode: str

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Verdicts):
            return NotImplemented
        return all(
            np.array_equal(a, b) if isinstance(a, np.ndarray) else a == b
            for a, b in ((getattr(self, f.name), getattr(other, f.name))
                         for f in dataclasses.fields(self)))

    __hash__ = None  # type: ignore[assignment]

    @property
    def num_calls(self) -> int:
        return int(self.env_ids.shape[0])

    @property
    def reasons(self) -> list[str]:
        """Reason of every call ("" for allowed calls), in input order."""
        out = [""] * self.num_calls
        for i, r in zip(self.flagged.tolist(), self.flagged_reasons):
            out[i] = r
        return out

    @property
    def rules(self) -> list[tuple[str, ...]]:
        """Rules that fired on every call (() for allowed calls)."""
        out: list[tuple[str, ...]] = [()] * self.num_calls
        for i, r in zip(self.flagged.tolist(), self.flagged_rules):
            out[i] = r
        return out

    def env_reasons(self, env: int) -> list[str]:
        """Reasons of the env's non-allowed calls, in order."""
        return [r for i, r in zip(self.flagged.tolist(), self.flagged_reasons)
                if self.env_ids[i] == env]

    def env_rules(self, env: int) -> list[str]:
        """Rule ids that fired on the env's non-allowed calls, each once, in order."""
        seen: dict[str, None] = {}
        for i, rules in zip(self.flagged.tolist(), self.flagged_rules):
            if self.env_ids[i] == env:
                seen.update(dict.fromkeys(rules))
        return list(seen)

    def cost_dict(self, env: int) -> dict[str, float]:
        """The env's non-zero costs by category name."""
        row = self.costs[env]
        return {c: float(row[k]) for k, c in enumerate(self.categories) if row[k] != 0.0}

    def to_torch(self, device: Any = None) -> dict[str, Any]:
        """Per-env columns as torch tensors (zero-copy on the CPU)."""
        t = {
            "actions": torch.from_numpy(self.actions),
            "penalties": torch.from_numpy(self.penalties),
            "costs": torch.from_numpy(self.costs),
            "terminated": torch.from_numpy(self.terminated),
            "blocked": torch.from_numpy(self.blocked),
        }
        if device is not None and torch.device(device).type != "cpu":
            t = {k: v.to(device, non_blocking=True) for k, v in t.items()}
        return t


class Guard:
    """A policy, the per-env episode state of ``num_envs`` envs, and a shaper.

    Args:
      policy: a :class:`Policy`, or a built-in name / YAML path to load.
      num_envs: envs whose episodes the guard tracks (ids 0..num_envs-1).
      device: where :meth:`Verdicts.to_torch` style tensors and the weights
        go by default; shaping itself follows the rewards' device.
      mode: ``"enforce"`` (block and terminate as the policy says) or
        ``"shadow"`` (nothing is blocked; everything is penalized, recorded).
      audit: path of an SQLite audit database (every call, its verdict,
        keyed by env, episode and step), or None.
      weights: per-category penalty weights w (default 1: shaped = r -
        penalty); a mapping by category name, a sequence of C numbers, or a
        tensor [C]. Lagrangian training updates them (:meth:`set_weights`).
      run_name: the audit run's name.

    Pickling: a Guard pickles as its policy text, num_envs, mode, weights and
    audit path; the copy starts every env on a fresh episode (and, with an
    audit path, adds its own run to the database).
    """

    def __init__(self, policy: Policy | str | os.PathLike[str], num_envs: int, *,
                 device: Any = None, mode: str = "enforce", audit: str | os.PathLike[str] | None = None,
                 weights: Any = None, run_name: str = "python") -> None:
        if not isinstance(policy, Policy):
            policy = Policy.load(policy)
        self.policy = policy
        self.device = device
        self._audit = os.fspath(audit) if audit is not None else None
        self._run_name = run_name
        self._core = _C.Guard(policy._p, int(num_envs), mode, self._audit, run_name)
        self.num_envs: int = self._core.num_envs
        self.mode: str = self._core.mode
        self.categories: tuple[str, ...] = policy.categories
        self._zero_envs = np.zeros(0, dtype=np.int32)
        self.set_weights(weights)

    # -- weights -----------------------------------------------------------
    def set_weights(self, weights: Any) -> None:
        """Sets w in ``shaped = r - costs @ w`` (see the constructor)."""
        c = len(self.categories)
        if weights is None:
            w = np.ones(c, dtype=np.float32)
        elif isinstance(weights, Mapping):
            unknown = set(weights) - set(self.categories)
            if unknown:
                raise ValueError(f"unknown cost categories {sorted(unknown)}; "
                                 f"the policy has {list(self.categories)}")
            w = np.ones(c, dtype=np.float32)
            for k, name in enumerate(self.categories):
                if name in weights:
                    w[k] = float(weights[name])
        else:
            if torch is not None and isinstance(weights, torch.Tensor):
                weights = weights.detach().to("cpu", torch.float32).numpy()
            w = np.asarray(weights, dtype=np.float32).reshape(-1)
        self._core.set_weights(w)  # checks the count
        self._w = np.ascontiguousarray(self._core.weights)
        self._w_torch = torch.from_numpy(self._w) if torch is not None else None

    @property
    def weights(self) -> np.ndarray:
        """float32 [C], a copy."""
        return self._w.copy()

    # -- evaluation --------------------------------------------------------
    def evaluate(self, calls: Iterable[CallTuple] | Calls | Mapping[str, Sequence[Any]]) -> Verdicts:
        """Judges one batch of calls and records them in their envs' episodes.

        ``calls``: a list of ``(env, tool, arguments)`` tuples, a :class:`Calls`
        (columnar), or a mapping with keys ``env``, ``tool``, ``arguments``.
        Calls of one env are judged in order and see each other's effects.
        """
        if isinstance(calls, Calls):
            return self.evaluate_columns(*calls)
        if isinstance(calls, Mapping):
            return self.evaluate_columns(calls["env"], calls["tool"], calls["arguments"])
        calls = list(calls)
        if not calls:
            return self.evaluate_columns(self._zero_envs, [], [])
        env_ids, tools, arguments = zip(*calls)
        return self.evaluate_columns(env_ids, tools, arguments)

    def evaluate_columns(self, env_ids: Sequence[int] | np.ndarray, tools: Sequence[str],
                         arguments: Sequence[Arguments]) -> Verdicts:
        """Columnar :meth:`evaluate`: the fast path (no per-call Python object)."""
        env_ids = np.ascontiguousarray(env_ids, dtype=np.int32)
        if type(tools) is not list:
            tools = list(tools)
        args = _encode_arguments(arguments)
        return self._verdicts(self._core.evaluate_batch(tools, args, env_ids), env_ids)

    def observe(self, observations: int | Iterable[tuple[int, Observation]],
                observation: Observation | None = None) -> Verdicts:
        """Judges what a sandbox saw while the envs' calls ran.

        ``guard.observe(3, {"type": "net.connect", "host": "203.0.113.5", "port": 22})``
        or ``guard.observe([(3, {...}), (4, '{"type": "process.start", ...}')])``.
        An observation is a dict or a JSON line in the format of
        docs/observations.md (``net.connect``, ``process.start``,
        ``gpu.sample``); it is judged as one call of the tool ``sandbox``,
        against the same episode state as the env's tool calls, and recorded
        at the env's current step (the step of its last :meth:`evaluate`).
        One that cannot be read is blocked (fail closed). Returns the same
        :class:`Verdicts` as :meth:`evaluate`, one entry per observation.
        """
        if observation is not None:
            pairs = [(observations, observation)]
        else:
            pairs = list(observations)  # type: ignore[arg-type]
        env_ids = np.ascontiguousarray([e for e, _ in pairs] if pairs else self._zero_envs,
                                       dtype=np.int32)
        lines = _encode_arguments([o for _, o in pairs])
        return self._verdicts(self._core.observe_batch(lines, env_ids), env_ids)

    def run(self, env: int, command: str | Sequence[str], *, sandbox: Any = None,
            judge_text: bool = True, stdin: str = "") -> Any:
        """Runs ``command`` for env ``env`` in a sandbox, judging its text and then each
        connect and exec before it happens (rewardguard.sandbox). ``sandbox``: a
        :class:`rewardguard.Sandbox` (default: one with a private empty workspace,
        made on first use). Returns a :class:`rewardguard.SandboxResult`."""
        from .sandbox import Sandbox
        if sandbox is None:
            sandbox = self.__dict__.get("_default_sandbox")
            if sandbox is None:
                sandbox = self.__dict__["_default_sandbox"] = Sandbox()
        return sandbox.run(self, env, command, judge_text=judge_text, stdin=stdin)

    def _verdicts(self, r: Any, env_ids: np.ndarray) -> Verdicts:
        return Verdicts(r.actions, r.penalties, r.costs, r.terminated, r.blocked, env_ids,
                        r.call_actions, r.call_penalties, r.call_costs, r.call_blocked,
                        r.flagged, r.flagged_rules, r.flagged_reasons, self.categories, self.mode)

    def reset(self, env_ids: int | Sequence[int] | np.ndarray | None = None) -> None:
        """Starts new episodes: clears those envs' budgets and flow state only.

        ``env_ids``: an id, ids, a bool mask [num_envs], or None for every env.
        An episode end also asks the audit sink (if any) to commit what it has,
        without waiting for it.
        """
        if env_ids is None:
            self._core.reset_all()
            return
        ids = np.asarray(env_ids)
        if ids.dtype == np.bool_:
            ids = np.flatnonzero(ids)
        self._core.reset(np.ascontiguousarray(ids.reshape(-1), dtype=np.int32))

    # -- shaping -----------------------------------------------------------
    def penalty(self, verdicts: Verdicts) -> np.ndarray:
        """``verdicts.costs @ w``: the weighted penalty per env, float32 [num_envs]
        (computed by the C++ Guard with the formula the shaping ops use)."""
        return self._core.weighted_penalties(verdicts.costs, verdicts.penalties)

    def shape(self, rewards: Any, verdicts: Verdicts, *, scale: float = 1.0, clip: float = 0.0) -> Any:
        """``clip(scale * (rewards - verdicts.costs @ w))``, per env.

        ``rewards`` [n], n <= num_envs (the first n envs): a torch tensor of any
        floating dtype on any device (``torch.ops.rewardguard.shape_step``: same
        dtype and device out; the costs travel in one host-to-device copy), or
        a numpy array / sequence (numpy out, a new array of the same floating
        dtype; integers become float64), shaped by the C++ Guard with the op's
        arithmetic. clip <= 0: no clipping.
        """
        if torch is not None and isinstance(rewards, torch.Tensor):
            _require_ops()
            costs = torch.from_numpy(verdicts.costs[: rewards.shape[0]] if rewards.dim() == 1
                                     else verdicts.costs)
            return torch.ops.rewardguard.shape_step(rewards, costs, self._w_torch, scale, clip)
        r = np.asarray(rewards)
        if r.dtype not in (np.float32, np.float64):
            r = r.astype(np.float32 if np.issubdtype(r.dtype, np.floating) and r.itemsize < 4
                         else np.float64)
            out = r
        else:
            out = r.copy()
        self._core.shape_rewards(out, verdicts.costs, scale, clip)
        return out.astype(rewards.dtype, copy=False) if isinstance(rewards, np.ndarray) and \
            np.issubdtype(rewards.dtype, np.floating) else out

    # -- audit -------------------------------------------------------------
    def flush(self, wait: bool = True) -> None:
        """Returns once every audit record so far is durable (no-op without audit).

        ``wait=False`` asks for the commit and returns at once; ``reset`` does
        that at every episode end.
        """
        self._core.flush_audit(wait)

    def close(self) -> None:
        """Flushes and closes the audit run (no-op without audit)."""
        self._core.close_audit()

    @property
    def audit_path(self) -> str | None:
        return self._audit

    # -- introspection -----------------------------------------------------
    def budget_count(self, env: int, budget: int | str) -> int:
        """Events counted by a budget (index or id) in the env's episode."""
        if isinstance(budget, str):
            budget = self.policy.budget_ids.index(budget)
        return self._core.budget_count(env, budget)

    def seen(self, env: int, capability: str) -> bool:
        """Whether the env's episode ran an event with this capability."""
        return self._core.seen(env, capability)

    def __reduce__(self):
        return (_restore_guard, (self.policy, self.num_envs, self.mode, self._audit,
                                 self._w.tolist(), self._run_name, self.device))

    def __repr__(self) -> str:
        return (f"Guard(policy={self.policy.name!r}, num_envs={self.num_envs}, mode={self.mode!r}, "
                f"audit={self._audit!r})")


def _restore_guard(policy, num_envs, mode, audit, weights, run_name, device):
    return Guard(policy, num_envs, mode=mode, audit=audit, weights=weights, run_name=run_name,
                 device=device)


_HAS_OPS = bool(getattr(_C, "WITH_TORCH", False)) and torch is not None


def _require_ops() -> None:
    if not _HAS_OPS:
        raise RuntimeError("this build of rewardguard has no LibTorch shaping ops "
                           "(torch.ops.rewardguard): rebuild it against the installed torch")
