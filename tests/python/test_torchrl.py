import gymnasium
import pytest
import torch

torchrl = pytest.importorskip("torchrl")
from torchrl.envs import GymWrapper, SerialEnv, TransformedEnv  # noqa: E402
from torchrl.envs.utils import check_env_specs  # noqa: E402

import rewardguard.envs as E  # noqa: E402
from rewardguard.torchrl import GuardTransform  # noqa: E402


def make_base():
    return GymWrapper(gymnasium.make("rewardguard/ToolSandbox-v0"), categorical_action_encoding=True)


def test_specs_and_a_blocked_step():
    env = TransformedEnv(make_base(), GuardTransform(tool_calls=E.vector_tool_calls, noop_action=E.NOOP))
    check_env_specs(env)
    td = env.reset()
    assert td["rewardguard", "penalty"].item() == 0
    td["action"] = torch.tensor(6)  # nmap: blocked, not terminated
    out = env.step(td)["next"]
    assert out["rewardguard", "blocked"].item()
    assert out["observation"][0].item() == E.NOOP               # the no-op ran
    assert out["reward"].item() == pytest.approx(-out["rewardguard", "penalty"].item())
    assert not out["terminated"].item()
    assert td["action"].item() == 6                              # caller's action untouched
    td = env.reset()
    td["action"] = torch.tensor(4)  # miner: terminate
    out = env.step(td)["next"]
    assert out["terminated"].item() and out["done"].item()


def test_batched_serial_env_rollout():
    env = TransformedEnv(SerialEnv(2, make_base),
                         GuardTransform(tool_calls=E.vector_tool_calls, noop_action=E.NOOP))
    check_env_specs(env)
    assert env.transform.guard.num_envs == 2
    td = env.rollout(4, break_when_any_done=False)
    assert td["next", "rewardguard", "costs"].shape[:2] == (2, 4)
    penalties = td["next", "rewardguard", "penalty"]
    raw = td["next", "reward"] + penalties
    assert torch.all(td["next", "reward"] <= raw + 1e-6)
    env.close()
