"""Multi-process training: cost statistics and Lagrange multipliers kept in
agreement across ranks with torch.distributed all-reduce (any backend: gloo
for CPU tensors, NCCL with ``device="cuda"``).

    import torch.distributed as dist
    from rewardguard import Guard, Lagrangian
    from rewardguard.distributed import EpisodeCosts, lagrangian_update

    stats = EpisodeCosts(guard)                 # per rank
    for step in ...:
        v = guard.evaluate(calls)
        stats.add(v, done=terminated | truncated)
    # once per policy iteration, on every rank (a collective):
    lagrangian_update(lagrangian, stats)        # global mean cost per episode -> PID -> weights

Every rank feeds the PID controller the same global means, so the
multipliers agree by construction; :func:`sync_multipliers` averages them
anyway (cheap insurance after a restore from different checkpoints).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
import torch.distributed as dist

__all__ = [
    "EpisodeCosts",
    "all_reduce_costs",
    "lagrangian_update",
    "sync_multipliers",
]


def _ready() -> bool:
    return dist.is_available() and dist.is_initialized()


def all_reduce_costs(cost_sum: Any, episodes: Any, *, group: Any = None,
                     device: Any = "cpu") -> torch.Tensor:
    """Global mean cost per episode, float64 [C]: sum of ``cost_sum`` [C] over
    ranks divided by the sum of ``episodes``. Without an initialized process
    group it is the local mean. 0 where no episode finished anywhere.
    """
    local = torch.cat([torch.as_tensor(np.asarray(cost_sum, dtype=np.float64)).reshape(-1),
                       torch.tensor([float(episodes)], dtype=torch.float64)]).to(device)
    if _ready():
        dist.all_reduce(local, op=dist.ReduceOp.SUM, group=group)
    total, count = local[:-1], local[-1]
    return (total / count if count > 0 else torch.zeros_like(total)).cpu()


class EpisodeCosts:
    """Cost per category summed over each env's running episode, and over the
    episodes that finished since the last :meth:`clear`.
    """

    def __init__(self, guard: Any = None, *, num_envs: int | None = None,
                 num_categories: int | None = None) -> None:
        n = guard.num_envs if guard is not None else int(num_envs)
        c = len(guard.categories) if guard is not None else int(num_categories)
        self.running = np.zeros((n, c), dtype=np.float64)
        self.finished_sum = np.zeros(c, dtype=np.float64)
        self.finished = 0

    def add(self, verdicts: Any, done: Any = None) -> None:
        """Adds one step's per-env costs; ``done`` (bool [num_envs]) ends episodes after it."""
        self.running += verdicts.costs
        if done is not None:
            done = np.asarray(done, dtype=np.bool_)
            if done.any():
                self.finished_sum += self.running[done].sum(axis=0)
                self.finished += int(done.sum())
                self.running[done] = 0.0

    def mean(self, *, group: Any = None, device: Any = "cpu") -> torch.Tensor:
        """Mean cost per finished episode across all ranks (a collective)."""
        return all_reduce_costs(self.finished_sum, self.finished, group=group, device=device)

    def clear(self) -> None:
        """Forgets finished episodes (running ones keep counting)."""
        self.finished_sum[:] = 0.0
        self.finished = 0


def sync_multipliers(lagrangian: Any, *, group: Any = None, device: Any = "cpu") -> np.ndarray:
    """Averages the controller's whole state across ranks (a collective) and
    applies it; returns the multipliers.
    """
    state = lagrangian.state_dict()
    flat = torch.tensor(state["state"], dtype=torch.float64, device=device)
    if _ready():
        dist.all_reduce(flat, op=dist.ReduceOp.SUM, group=group)
        flat /= dist.get_world_size(group)
        # the header (version, C, updates) stays exact
        flat[:3] = torch.tensor(state["state"][:3], dtype=torch.float64, device=device)
    lagrangian.load_state_dict({"state": flat.cpu().tolist(), "base_weight": state["base_weight"]})
    return lagrangian.multipliers


def lagrangian_update(lagrangian: Any, stats: EpisodeCosts, *, group: Any = None,
                      device: Any = "cpu", clear: bool = True) -> np.ndarray:
    """One PID update from the global mean episode cost (a collective).

    Skips the update (returns the current multipliers) when no rank finished
    an episode. Clears ``stats``' finished episodes afterwards.
    """
    local = torch.cat([torch.as_tensor(stats.finished_sum),
                       torch.tensor([float(stats.finished)], dtype=torch.float64)]).to(device)
    if _ready():
        dist.all_reduce(local, op=dist.ReduceOp.SUM, group=group)
    local = local.cpu()
    if clear:
        stats.clear()
    if local[-1] <= 0:
        return lagrangian.multipliers
    return lagrangian.update(local[:-1] / local[-1])
