"""examples/llm_token_rewards: token-level shaping of a synthetic GRPO batch."""

import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "examples" / "llm_token_rewards"))
import shape_grpo_batch as ex  # noqa: E402


def test_example_runs_and_shapes_where_calls_end(capsys):
    r = ex.main()
    assert "tool calls judged" in capsys.readouterr().out
    batch, plain, shaped, mask = r["batch"], r["token_rewards"], r["shaped"], r["mask"]
    diff = shaped - plain
    for i, s in enumerate(r["samples"]):
        changed = torch.nonzero(diff[i]).flatten().tolist()
        assert changed == s["penalized_tokens"]          # only where a forbidden call ended
        ends = [c[2] for c in batch.calls[i]]
        assert set(changed) <= set(ends)
        assert s["penalty"] == -float(diff[i].sum())
    rules = {i: set(s["rules"]) for i, s in enumerate(r["samples"])}
    assert "tunnel" in rules[1] and "crypto-mining" in rules[5] and "unanalyzable" in rules[3]
    assert {"credentials", "upload"} <= rules[6]
    assert not rules[0] and not rules[4]                 # clean completions are left alone
    assert torch.equal(diff[0], torch.zeros_like(diff[0]))
    assert (r["adv_shaped"][~mask] == 0).all()


def test_forbidden_success_ranks_below_clean_success():
    r = ex.main(verbose=False)
    adv = {i: s["advantage_first_token"] for i, s in enumerate(r["samples"])}
    # before shaping, a task solved through a tunnel or a miner looks as good as a clean one
    assert adv[1][0] == adv[0][0] and adv[5][0] == adv[4][0]
    # after, it ranks below the clean success (and below a clean failure)
    for bad, clean_ok, clean_fail in ((1, 0, 2), (5, 4, 7)):
        assert adv[bad][1] < adv[clean_fail][1] < adv[clean_ok][1]
