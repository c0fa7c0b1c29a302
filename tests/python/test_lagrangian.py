import numpy as np
import pytest
import torch

import rewardguard as rg


def test_multipliers_rise_over_the_limit_and_drive_guard_weights(policy):
    g = rg.Guard(policy, 2)
    lag = rg.Lagrangian(g, limits={"network": 0.5}, default_limit=10.0, ki=0.5)
    np.testing.assert_array_equal(g.weights, np.ones(len(policy.categories), np.float32))
    net = policy.categories.index("network")
    costs = np.zeros(len(policy.categories))
    costs[net] = 2.0
    m = lag.update(costs)
    assert m[net] > 0 and (np.delete(m, net) == 0).all()
    assert g.weights[net] == pytest.approx(1.0 + m[net])
    state = lag.state_dict()
    other = rg.Lagrangian(categories=policy.categories)
    other.load_state_dict(state)
    np.testing.assert_allclose(other.multipliers, lag.multipliers)
    lag.update(torch.zeros(len(policy.categories)))
    with pytest.raises(ValueError):
        lag.update([1.0])
    with pytest.raises(ValueError, match="unknown"):
        rg.Lagrangian(g, limits={"nope": 1})
