"""Ray (2.60): a guard in every rollout worker, one coordinator for the Lagrange multipliers.

When rollouts outgrow one process, each rollout worker (a Ray actor) holds
its own :class:`RolloutGuard` over its own envs, and one
:class:`GuardCoordinator` actor owns the per-category Lagrange multipliers:

    import ray
    from rewardguard.ray import GuardCoordinator, RolloutGuard

    policy = rg.Policy.load("coding-sandbox")        # travels as its YAML text
    coordinator = GuardCoordinator.remote(policy, num_workers=2, limits={"network": 0.0}, ki=0.05)

    @ray.remote
    class Worker:
        def __init__(self, policy, coordinator, rank):
            self.guard = RolloutGuard(policy, num_envs=64, coordinator=coordinator, rank=rank,
                                      audit=f"audit-{rank}.db", run_name=f"worker-{rank}")

        def rollout(self, step):
            self.guard.begin_step(step)              # the multipliers after step-1's update
            for ...:
                v = self.guard.evaluate(calls)       # judged here, in the worker
                self.guard.observe(sandbox_events)   # what the sandbox saw: the same episode costs
                rewards = self.guard.shape(rewards, v)
                self.guard.end_episodes(done)        # finished episodes: costs counted, envs reset
            self.guard.end_step(step)                # costs sent to the coordinator; no wait

    # after training: one audit database
    rewardguard.audit.merge("audit.db", [f"audit-{r}.db" for r in range(2)])

The policy is shipped once, as text, when the worker is created (a
:class:`~rewardguard.Policy` pickles as its YAML), and compiled in the
worker. Verdicts never leave the worker; what goes to the coordinator is,
once per step, the cost per category summed over the episodes that finished
and their number (and the count of violating calls, for logging), keyed by
the worker's rank: a rank that reports a step again replaces its report, so
a restarted worker cannot close a step for another. When every rank has
reported step ``t``, the coordinator feeds the global mean
cost per episode to the PID controller (:class:`rewardguard.Lagrangian`),
once, and ``begin_step(t + 1)`` hands every worker the same new weights:
the multipliers of a single process over all the envs, by construction. A
step in which no episode finished anywhere leaves them as they are. A worker
that never reports leaves the others waiting in ``begin_step`` for at most
``step_timeout`` seconds (default 30 minutes), then TimeoutError names the
ranks that did not report.

Each worker audits into a database of its own (SQLite writers on one file
would take turns); ``rewardguard audit merge OUT.db IN...`` (or
:func:`rewardguard.audit.merge`) joins them afterwards, runs renumbered.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from types import SimpleNamespace
from typing import Any

import numpy as np
import ray

from ._core import Guard, Policy, Verdicts
from .distributed import EpisodeCosts
from .lagrangian import Lagrangian

__all__ = ["GuardCoordinator", "RolloutGuard"]

_NO_COSTS = SimpleNamespace(costs=0.0)  # what EpisodeCosts.add takes to end episodes only


def _policy(policy: Policy | str) -> Policy:
    """A Policy from a Policy, YAML text (it has a line break), a built-in name or a path."""
    if isinstance(policy, Policy):
        return policy
    return Policy.from_text(policy, "<ray>") if "\n" in policy else Policy.load(policy)


class _Coordinator:
    """The multipliers' owner (the class behind :data:`GuardCoordinator`).

    Args:
      policy: the policy (or its cost categories, a sequence of names).
      num_workers: the workers that report each step.
      limits, and the keyword arguments: :class:`rewardguard.Lagrangian`'s.
    """

    def __init__(self, policy: Policy | str | Sequence[str], num_workers: int,
                 limits: Mapping[str, float] | Sequence[float] | None = None, **pid: Any) -> None:
        if isinstance(policy, (Policy, str)):
            categories = _policy(policy).categories
        else:
            categories = tuple(policy)
        if num_workers < 1:
            raise ValueError(f"num_workers must be positive, got {num_workers}")
        self._lag = Lagrangian(None, limits, categories=categories, **pid)
        self._num_workers = int(num_workers)
        self._pending: dict[int, dict[int, tuple[np.ndarray, int, int]]] = {}  # step -> rank -> report
        self._updated = -1                          # the last step whose update is done
        self._history: list[dict[str, Any]] = []
        self._changed: asyncio.Condition | None = None

    def _condition(self) -> asyncio.Condition:
        if self._changed is None:  # made on the actor's event loop
            self._changed = asyncio.Condition()
        return self._changed

    async def report(self, step: int, rank: int, cost_sum: Any, episodes: int, violations: int = 0) -> None:
        """Worker ``rank``'s step: cost per category summed over its finished
        episodes [C], their number, and its violating calls. Call with
        ``.remote()`` and do not wait for it. A worker reports a step once; a
        second report of the same rank for a step still open replaces the
        first (a restarted worker reporting again), one for a closed step is
        an error. A report that is not valid changes nothing."""
        step, rank = int(step), int(rank)
        cost = np.asarray(cost_sum, dtype=np.float64).reshape(-1)
        if step <= self._updated:
            raise ValueError(f"step {step} was already closed (rank {rank} reported it again)")
        if not 0 <= rank < self._num_workers:
            raise ValueError(f"rank {rank} is not one of the {self._num_workers} workers "
                             f"(0..{self._num_workers - 1})")
        if cost.shape != (len(self._lag.categories),):
            raise ValueError(f"cost_sum has {cost.size} entries, the policy "
                             f"{len(self._lag.categories)} categories")
        if int(episodes) < 0 or int(violations) < 0:
            raise ValueError(f"episodes ({episodes}) and violations ({violations}) must be >= 0")
        self._pending.setdefault(step, {})[rank] = (cost, int(episodes), int(violations))
        async with self._condition():
            # steps close in order, each once every worker has reported it
            while len(reports := self._pending.get(self._updated + 1, {})) == self._num_workers:
                del self._pending[self._updated + 1]
                cost = np.sum([r[0] for r in reports.values()], axis=0)
                count = sum(r[1] for r in reports.values())
                bad = sum(r[2] for r in reports.values())
                if count > 0:
                    self._lag.update(cost / count)
                self._updated += 1
                self._history.append({"step": self._updated, "episodes": count, "violations": bad,
                                      "mean_cost": (cost / count if count else cost).tolist(),
                                      "multipliers": self._lag.multipliers.tolist()})
            self._condition().notify_all()

    async def weights(self, step: int) -> np.ndarray:
        """The shaping weights for ``step`` (float32 [C]): after the update of
        ``step - 1``, which this waits for."""
        async with self._condition():
            await self._condition().wait_for(lambda: self._updated >= int(step) - 1)
            return self._lag.weights

    def missing(self, step: int) -> list[int]:
        """The ranks that have not reported ``step`` ([] once it is closed)."""
        if int(step) <= self._updated:
            return []
        done = self._pending.get(int(step), {})
        return [r for r in range(self._num_workers) if r not in done]

    def multipliers(self) -> np.ndarray:
        return self._lag.multipliers

    def history(self) -> list[dict[str, Any]]:
        """Per closed step: episodes, violations, mean cost [C], multipliers after it."""
        return list(self._history)

    def state_dict(self) -> dict[str, Any]:
        return self._lag.state_dict()

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        self._lag.load_state_dict(state)


GuardCoordinator = ray.remote(num_cpus=0, max_concurrency=1000)(_Coordinator)
"""The coordinator actor: ``GuardCoordinator.remote(policy, num_workers, limits, **pid)``."""


class RolloutGuard:
    """The guard of one rollout worker: its envs, their episode costs, its audit.

    Args:
      policy: a :class:`~rewardguard.Policy` (shipped as text, compiled
        here), YAML text, a built-in name or a path.
      num_envs: the worker's envs (ids 0..num_envs-1, local to the worker).
      coordinator: a :data:`GuardCoordinator` handle, or None (fixed weights).
      rank: the worker's rank, 0..num_workers-1 (required with a coordinator):
        the coordinator counts one report per rank and step.
      step_timeout: how long :meth:`begin_step` waits for the coordinator by
        default, in seconds (a worker that never reports must not hang the
        others forever).
      mode, audit, run_name, weights: as :class:`~rewardguard.Guard`'s; give
        every worker its own ``audit`` path.
    """

    def __init__(self, policy: Policy | str, num_envs: int, *, coordinator: Any = None,
                 rank: int | None = None, step_timeout: float = 1800.0, mode: str = "enforce",
                 audit: str | None = None, run_name: str = "ray-worker", weights: Any = None) -> None:
        if coordinator is not None and rank is None:
            raise ValueError("a RolloutGuard with a coordinator needs its worker's rank (rank=...)")
        if not step_timeout > 0:
            raise ValueError(f"step_timeout must be positive, got {step_timeout}")
        self.guard = Guard(_policy(policy), num_envs, mode=mode, audit=audit, weights=weights,
                           run_name=run_name)
        self.coordinator = coordinator
        self.rank = None if rank is None else int(rank)
        self.step_timeout = float(step_timeout)
        self.stats = EpisodeCosts(self.guard)
        self._violations = 0

    def begin_step(self, step: int, timeout: float | None = None) -> np.ndarray:
        """Takes the coordinator's weights for ``step`` (waits for the update
        of ``step - 1``, at most ``timeout`` seconds, default
        ``step_timeout``); returns them. Raises TimeoutError naming the ranks
        that have not reported ``step - 1``."""
        if self.coordinator is not None:
            timeout = self.step_timeout if timeout is None else float(timeout)
            ref = self.coordinator.weights.remote(step)
            try:
                weights = ray.get(ref, timeout=timeout)
            except ray.exceptions.GetTimeoutError:
                ray.cancel(ref)
                missing = ray.get(self.coordinator.missing.remote(int(step) - 1), timeout=60)
                why = (f"step {int(step) - 1} is still waiting for the report (end_step) of "
                       f"rank(s) {missing}" if missing else "the coordinator did not answer")
                raise TimeoutError(f"rank {self.rank}: no weights for step {step} after {timeout:g} s: "
                                   f"{why}") from None
            self.guard.set_weights(weights)
        return self.guard.weights

    def evaluate(self, calls: Any) -> Verdicts:
        """:meth:`Guard.evaluate`, the costs counted into the envs' running episodes."""
        v = self.guard.evaluate(calls)
        self.stats.add(v)
        self._violations += int(np.count_nonzero(v.call_actions))
        return v

    def observe(self, observations: Any, observation: Any = None) -> Verdicts:
        """:meth:`Guard.observe` (what a sandbox saw while the envs' calls
        ran), the costs counted into the envs' running episodes like calls'."""
        v = self.guard.observe(observations, observation)
        self.stats.add(v)
        self._violations += int(np.count_nonzero(v.call_actions))
        return v

    def shape(self, rewards: Any, verdicts: Verdicts, **kwargs: Any) -> Any:
        return self.guard.shape(rewards, verdicts, **kwargs)

    def end_episodes(self, done: Any) -> None:
        """Ends the episodes of ``done`` (bool [num_envs] or env ids): their
        costs count for this step, their envs start fresh."""
        mask = np.zeros(self.guard.num_envs, dtype=np.bool_)
        ids = np.asarray(done)
        if ids.dtype == np.bool_:
            mask[:] = ids
        else:
            mask[ids.astype(np.int64)] = True
        if mask.any():
            self.stats.add(_NO_COSTS, done=mask)
            self.guard.reset(mask)

    def end_step(self, step: int) -> None:
        """Sends the step's finished-episode costs to the coordinator (without
        waiting) and starts counting the next step."""
        if self.coordinator is not None:
            self.coordinator.report.remote(int(step), self.rank, self.stats.finished_sum.copy(),
                                           self.stats.finished, self._violations)
        self.stats.clear()
        self._violations = 0

    def close(self) -> None:
        """Flushes and closes the worker's audit run."""
        self.guard.close()
