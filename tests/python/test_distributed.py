import os

import numpy as np
import torch
import torch.distributed as dist
import torch.multiprocessing as tmp

import rewardguard as rg
from rewardguard.distributed import EpisodeCosts, all_reduce_costs, lagrangian_update, sync_multipliers

TUNNEL = "ssh -R 9000:localhost:22 tunnel@203.0.113.5"


def _worker(rank, world, init_file, out_dir):
    dist.init_process_group("gloo", init_method=f"file://{init_file}", rank=rank, world_size=world)
    try:
        policy = rg.Policy.load("coding-sandbox")
        guard = rg.Guard(policy, 2)
        lag = rg.Lagrangian(guard, ki=0.5)
        stats = EpisodeCosts(guard)
        # rank 0: one violating episode and one clean; rank 1: two clean
        cmd = TUNNEL if rank == 0 else "ls"
        v = guard.evaluate([(0, "shell", cmd), (1, "shell", "ls")])
        stats.add(v, done=np.array([True, True]))
        mean = all_reduce_costs(stats.finished_sum, stats.finished)
        m = lagrangian_update(lag, stats)
        synced = sync_multipliers(lag)
        np.save(os.path.join(out_dir, f"{rank}.npy"),
                np.concatenate([mean.numpy(), m, synced, guard.weights.astype(np.float64)]))
    finally:
        dist.destroy_process_group()


def test_two_gloo_ranks_agree(tmp_path):
    world = 2
    tmp.spawn(_worker, args=(world, str(tmp_path / "init"), str(tmp_path)), nprocs=world, join=True)
    a, b = (np.load(tmp_path / f"{r}.npy") for r in range(world))
    np.testing.assert_allclose(a, b)
    c = len(rg.Policy.load("coding-sandbox").categories)
    mean = a[:c]
    tunnel = rg.Guard("coding-sandbox", 1).evaluate([(0, "shell", TUNNEL)]).costs[0]
    np.testing.assert_allclose(mean, tunnel / 4, rtol=1e-6)  # 4 episodes, one with the tunnel
    assert a[c:2 * c].max() > 0


def test_local_without_process_group():
    out = all_reduce_costs(np.array([2.0, 4.0]), 2)
    torch.testing.assert_close(out, torch.tensor([1.0, 2.0], dtype=torch.float64))
    assert all_reduce_costs(np.zeros(2), 0).tolist() == [0.0, 0.0]
