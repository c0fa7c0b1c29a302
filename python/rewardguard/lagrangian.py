"""PID Lagrange multipliers, one per cost category (Stooke et al. 2020).

    lag = rewardguard.Lagrangian(guard, limits={"network": 0.0, "compute": 0.1}, ki=0.05)
    # after each policy iteration, with the mean cost per episode [C]:
    lag.update(mean_episode_costs)          # also sets guard's shaping weights
    lag.multipliers                         # float64 [C]
    state = lag.state_dict(); lag.load_state_dict(state)

The controller is the C++ ``LagrangianController`` (rewardguard/shaping/
lagrangian.h); multi-process training averages the episode costs across ranks
first (:func:`rewardguard.distributed.all_reduce_costs`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from . import _C

__all__ = ["Lagrangian"]


class Lagrangian:
    """Multipliers driven toward per-category limits on the episode cost.

    Args:
      guard: a Guard whose weights follow the multipliers (``weights = base +
        multipliers``), or None to use the multipliers by hand.
      limits: the limit per category, by name (categories not named get
        ``default_limit``) or as a sequence of C numbers.
      kp, ki, kd, alpha_p, alpha_d, max_multiplier: the PID gains and
        smoothing (see lagrangian.h).
      base_weight: fixed part of the weights (1: always penalize, as in
        penalty mode; 0: only the multipliers).
    """

    def __init__(self, guard: Any = None, limits: Mapping[str, float] | Sequence[float] | None = None,
                 *, categories: Sequence[str] | None = None, default_limit: float = 0.0,
                 kp: float = 0.0, ki: float = 0.01, kd: float = 0.0, alpha_p: float = 0.95,
                 alpha_d: float = 0.95, max_multiplier: float = float("inf"),
                 base_weight: float = 1.0) -> None:
        if not getattr(_C, "WITH_TORCH", False):
            raise RuntimeError("rewardguard was built without LibTorch: no LagrangianController")
        if categories is None:
            if guard is None:
                raise ValueError("pass a guard or the category names")
            categories = guard.categories
        self.categories = tuple(categories)
        if limits is None:
            lim = [default_limit] * len(self.categories)
        elif isinstance(limits, Mapping):
            unknown = set(limits) - set(self.categories)
            if unknown:
                raise ValueError(f"unknown cost categories {sorted(unknown)}")
            lim = [float(limits.get(c, default_limit)) for c in self.categories]
        else:
            lim = [float(x) for x in limits]
        self._c = _C.LagrangianController(lim, kp=kp, ki=ki, kd=kd, alpha_p=alpha_p,
                                          alpha_d=alpha_d, max_multiplier=max_multiplier)
        self.guard = guard
        self.base_weight = float(base_weight)
        self._apply()

    @property
    def multipliers(self) -> np.ndarray:
        return np.asarray(self._c.multipliers, dtype=np.float64)

    @property
    def cost_limits(self) -> np.ndarray:
        return np.asarray(self._c.cost_limits, dtype=np.float64)

    @property
    def weights(self) -> np.ndarray:
        """base_weight + multipliers, float32 [C]: what the guard shapes with."""
        return (self.base_weight + self.multipliers).astype(np.float32)

    def update(self, episode_costs: Any) -> np.ndarray:
        """Feeds the mean cost per episode [C] (numpy, list or tensor); returns the multipliers."""
        if hasattr(episode_costs, "detach"):
            episode_costs = episode_costs.detach().cpu().double().numpy()
        self._c.update(np.asarray(episode_costs, dtype=np.float64).reshape(-1).tolist())
        self._apply()
        return self.multipliers

    def _apply(self) -> None:
        if self.guard is not None:
            self.guard.set_weights(self.weights)

    def state_dict(self) -> dict[str, Any]:
        return {"state": list(self._c.save_state()), "base_weight": self.base_weight}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        self._c.restore_state([float(x) for x in state["state"]])
        self.base_weight = float(state.get("base_weight", self.base_weight))
        self._apply()
