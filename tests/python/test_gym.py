import gymnasium
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env
from gymnasium.vector import AutoresetMode

import rewardguard as rg
import rewardguard.envs as E
from rewardguard.gym import GuardVectorWrapper, GuardWrapper

ENV_ID = "rewardguard/ToolSandbox-v0"
# For spawned workers: gymnasium imports the module (which registers the env) first.
SPAWN_ID = "rewardguard.envs:rewardguard/ToolSandbox-v0"
LS, WRITE, PYTEST, MINE, TUNNEL, SCAN = 0, 1, 2, 4, 5, 6


def test_registered_env_passes_gymnasium_checks():
    env = gymnasium.make(ENV_ID)
    check_env(env.unwrapped)
    check_env(GuardWrapper(gymnasium.make(ENV_ID)), skip_render_check=True)


def test_wrapper_blocks_terminates_and_shapes():
    env = GuardWrapper(gymnasium.make(ENV_ID))
    obs, _ = env.reset(seed=0)
    obs, r, term, trunc, info = env.step(LS)
    assert (r, term, info["rewardguard"]["action"]) == (0.0, False, "allow")
    assert obs[2] == 1  # the env stepped

    obs, r, term, trunc, info = env.step(SCAN)           # blocked: not forwarded
    g = info["rewardguard"]
    assert g["blocked"] and not g["terminated"] and g["action"] == "block"
    assert "network-scan" in g["rules"] and g["reason"]
    assert obs[1] == 1 and obs[2] == 1                   # env hook: blocked flag, step unchanged
    assert r == pytest.approx(-g["penalty"]) and g["costs"]
    assert not term

    obs, r, term, trunc, info = env.step(MINE)           # terminate verdict
    assert term and info["rewardguard"]["terminated"]
    assert "crypto-mining" in info["rewardguard"]["rules"]
    assert r < -1  # the env would have paid +2: the penalty outweighs it


def test_wrapper_user_callbacks_and_unshaped():
    seen = []

    def blocked_obs(last, info):
        seen.append(info["rules"])
        return np.array([99, 1, 0])

    env = GuardWrapper(gymnasium.make(ENV_ID), tool_calls=lambda a: [("shell", "nmap 10.0.0.1")] if a else [],
                       blocked_observation=blocked_obs, shape_reward=False)
    env.reset(seed=0)
    obs, r, *_ = env.step(1)
    assert obs[0] == 99 and r == 0.0 and seen
    obs, r, term, trunc, info = env.step(0)              # no tool call: goes through
    assert not info["rewardguard"]["blocked"] and obs[0] == 0


def test_wrapper_shadow_mode_forwards_everything():
    env = GuardWrapper(gymnasium.make(ENV_ID), mode="shadow")
    env.reset(seed=0)
    obs, r, term, trunc, info = env.step(MINE)
    assert not info["rewardguard"]["blocked"] and not term
    assert obs[0] == MINE and r == pytest.approx(2.0 - info["rewardguard"]["penalty"])


def test_wrapper_reset_restarts_guard_episode():
    env = GuardWrapper(gymnasium.make(ENV_ID))
    env.reset(seed=0)
    env.step(3)  # read_file
    assert env.guard.seen(0, "fs.read")
    env.reset()
    assert not env.guard.seen(0, "fs.read")


def make_vec(n=4, mode=AutoresetMode.NEXT_STEP, **kw):
    envs = gymnasium.make_vec(ENV_ID, n, vectorization_mode="sync",
                              vector_kwargs={"autoreset_mode": mode})
    return GuardVectorWrapper(envs, tool_calls=E.vector_tool_calls, noop_action=E.NOOP,
                              blocked_observation=E.vector_blocked_observation, **kw)


def test_vector_wrapper_blocks_noops_and_shapes():
    envs = make_vec()
    envs.reset(seed=0)
    actions = np.array([LS, WRITE, SCAN, MINE])
    obs, rew, term, trunc, info = envs.step(actions)
    v = info["rewardguard"]
    assert isinstance(v, rg.Verdicts)
    assert v.blocked.tolist() == [False, False, True, True]
    assert term.tolist() == [False, False, False, True]
    assert obs[:, 0].tolist() == [LS, WRITE, LS, LS]        # blocked envs ran the no-op
    assert obs[:, 1].tolist() == [0, 0, 1, 1]
    np.testing.assert_allclose(rew, np.array([0.0, 0.1, 0.0, 0.0]) - v.penalties, rtol=1e-6)
    assert actions.tolist() == [LS, WRITE, SCAN, MINE]       # caller's array untouched


def test_vector_guard_termination_autoresets_that_env_only():
    envs = make_vec()
    envs.reset(seed=0)
    envs.step(np.array([3, 3, 3, MINE]))                     # env 3 terminated by the guard
    assert envs.guard.seen(0, "fs.read")
    obs, rew, term, trunc, info = envs.step(np.array([LS, LS, LS, TUNNEL]))
    # env 3 was auto-reset by the vector env: its action ignored, its guard episode new
    assert obs[3].tolist() == [len(E.MENU), 0, 0]
    assert info["rewardguard"].env_ids.tolist() == [0, 1, 2]
    assert not term[3] and rew[3] == 0.0
    assert envs.guard.seen(0, "fs.read") and not envs.guard.seen(3, "fs.read")


def test_vector_env_own_episode_end_resets_guard_next_step():
    envs = make_vec(n=2)
    envs.reset(seed=0)
    envs.step(np.array([WRITE, 3]))
    obs, rew, term, trunc, info = envs.step(np.array([PYTEST, LS]))   # env 0 finishes its task
    assert term.tolist() == [True, False]
    assert envs.guard.seen(1, "fs.read")
    envs.step(np.array([LS, LS]))
    assert envs.guard.seen(1, "fs.read")                   # env 1's episode goes on


def test_vector_disabled_autoreset_uses_reset_mask():
    envs = make_vec(n=2, mode=AutoresetMode.DISABLED)
    envs.reset(seed=0)
    _, _, term, _, _ = envs.step(np.array([3, MINE]))
    assert term.tolist() == [False, True]
    assert envs.guard.seen(0, "fs.read")
    obs, info = envs.reset(options={"reset_mask": np.array([False, True])})
    assert envs.guard.seen(0, "fs.read")                    # env 0's episode untouched
    assert obs[1].tolist() == [len(E.MENU), 0, 0]
    obs, rew, term, trunc, info = envs.step(np.array([LS, LS]))
    assert not term.any()


def test_vector_wrapper_refuses_what_it_cannot_honour():
    async_envs = gymnasium.vector.AsyncVectorEnv([lambda: gymnasium.make(SPAWN_ID)] * 2, context="spawn")
    try:
        with pytest.raises(ValueError, match="AsyncVectorEnv"):
            GuardVectorWrapper(async_envs, tool_calls=E.vector_tool_calls, noop_action=0)
        shadow = GuardVectorWrapper(async_envs, tool_calls=E.vector_tool_calls, mode="shadow")
        shadow.reset(seed=0)
        _, rew, term, _, info = shadow.step(np.array([MINE, LS]))
        assert not term.any() and rew[0] < 0 and info["rewardguard"].actions[0] == rg.Action.TERMINATE
    finally:
        async_envs.close()
    with pytest.raises(ValueError, match="noop_action"):
        GuardVectorWrapper(gymnasium.make_vec(ENV_ID, 2), tool_calls=E.vector_tool_calls)


def test_vector_accepts_row_calls():
    def rows(actions):
        return [(i, *E.tool_calls(a)[0]) for i, a in enumerate(actions)]

    envs = GuardVectorWrapper(gymnasium.make_vec(ENV_ID, 2, vectorization_mode="sync"),
                              tool_calls=rows, noop_action=0)
    envs.reset(seed=0)
    _, _, _, _, info = envs.step(np.array([SCAN, LS]))
    assert info["rewardguard"].blocked.tolist() == [True, False]


def test_per_env_wrappers_inside_async_vector_env():
    envs = gymnasium.make_vec(SPAWN_ID, 2, vectorization_mode="async",
                              vector_kwargs={"context": "spawn"}, wrappers=[lambda e: GuardWrapper(e)])
    try:
        envs.reset(seed=0)
        _, rew, term, _, _ = envs.step(np.array([MINE, LS]))
        assert term.tolist() == [True, False] and rew[0] < 0
    finally:
        envs.close()
