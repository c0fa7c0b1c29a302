"""rewardguard.trl against TRL's real GRPOTrainer, on the CPU, nothing downloaded.

The model is a tiny Qwen2 built from a config and the tokenizer is trained
here with `tokenizers` (byte-level BPE, Qwen's special tokens, TRL's Qwen3
chat template so that TRL parses tool calls). As in TRL's own tool tests,
``model.generate`` is patched to emit fixed tool calls: each group of two
completions holds one allowed call (``ls``) and one reverse tunnel, which
coding-sandbox terminates.
"""

import os

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRL_EXPERIMENTAL_SILENCE"] = "1"

import warnings  # noqa: E402
from unittest.mock import patch  # noqa: E402

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from datasets import Dataset  # noqa: E402
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers  # noqa: E402
from transformers import PreTrainedTokenizerFast, Qwen2Config, Qwen2ForCausalLM, TrainerCallback  # noqa: E402
from trl import GRPOConfig, GRPOTrainer  # noqa: E402
from trl.chat_template_utils import qwen3_chat_template  # noqa: E402

import rewardguard as rg  # noqa: E402
from rewardguard import llm  # noqa: E402
from rewardguard import trl as rgtrl  # noqa: E402

from conftest import TUNNEL  # noqa: E402

SPECIAL = ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<tool_call>", "</tool_call>",
           "<think>", "</think>", "<tool_response>", "</tool_response>"]
NUM_GENERATIONS = 2
BATCH = 4          # rollouts per step: two groups of two
STEPS = 2


def tool_call_text(command):
    return ('<tool_call>\n{"name": "shell", "arguments": {"command": "%s"}}\n</tool_call><|im_end|>'
            % command)


@pytest.fixture(scope="module")
def tokenizer():
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    corpus = [tool_call_text("ls"), tool_call_text(TUNNEL), "system user assistant tool done",
              "blocked by policy coding-sandbox: tunnels and port forwards bypass the sandbox"] * 20
    tok.train_from_iterator(corpus, trainers.BpeTrainer(
        vocab_size=320, special_tokens=SPECIAL, initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
    return PreTrainedTokenizerFast(tokenizer_object=tok, eos_token="<|im_end|>", pad_token="<|endoftext|>",
                                   chat_template=qwen3_chat_template)


def tiny_model(tokenizer):
    torch.manual_seed(0)
    config = Qwen2Config(vocab_size=len(tokenizer), hidden_size=16, intermediate_size=32,
                         num_hidden_layers=1, num_attention_heads=2, num_key_value_heads=1,
                         max_position_embeddings=2048, pad_token_id=tokenizer.pad_token_id,
                         eos_token_id=tokenizer.eos_token_id)
    return Qwen2ForCausalLM(config)


class ShellEnv:
    """A coding sandbox with one tool."""

    def __init__(self, ran):
        self.ran = ran

    def reset(self, **kwargs):
        return None

    def shell(self, command: str) -> str:
        """Runs a shell command in the sandbox.

        Args:
            command: the command line to run.
        """
        self.ran.append(command)
        return f"ok: {command}"


def task_reward(completions, **kwargs):
    """1 for a rollout that finished (said done): every one here, so the task alone
    would give every advantage 0 and any signal is the guard's."""
    return [float(c[-1]["role"] == "assistant" and c[-1]["content"] == "done") for c in completions]


def make_generate(tokenizer):
    """Row r of the first turn calls ``ls`` (r even) or the tunnel (r odd); later turns say done."""
    tool_response = tokenizer.convert_tokens_to_ids("<tool_response>")
    first = [tokenizer(tool_call_text(c))["input_ids"] for c in ("ls", TUNNEL)]
    done = tokenizer("done<|im_end|>")["input_ids"]

    def fake_generate(input_ids, **kwargs):
        rows = []
        for r, ids in enumerate(input_ids.tolist()):
            rows.append(done if tool_response in ids else first[r % 2])
        width = max(map(len, rows))
        out = torch.full((len(rows), width), tokenizer.pad_token_id, dtype=input_ids.dtype)
        for r, ids in enumerate(rows):
            out[r, :len(ids)] = torch.tensor(ids)
        return torch.cat([input_ids, out.to(input_ids.device)], dim=1)

    return fake_generate


class Capture(TrainerCallback):
    """What the trainer scored at each step: its own per-function rewards and advantages
    (GRPOTrainer._logs, which it keeps for the last generation batch)."""

    def __init__(self):
        self.trainer = None
        self.steps = []

    def on_step_end(self, args, state, control, **kwargs):
        logs = self.trainer._logs
        self.steps.append({"rewards": {k: list(v) for k, v in logs["rewards"].items()},
                           "advantages": list(logs["advantages"]),
                           "completions": list(logs["completion"])})


def train(tokenizer, tmp_path, scale_rewards="group", **trainer_kwargs):
    dataset = Dataset.from_dict({"prompt": [[{"role": "user", "content": "list the files"}],
                                            [{"role": "user", "content": "show the files"}]] * 4})
    args = GRPOConfig(output_dir=str(tmp_path / "out"), use_cpu=True, bf16=False, beta=0.0,
                      learning_rate=0.1, per_device_train_batch_size=BATCH,
                      num_generations=NUM_GENERATIONS, max_completion_length=512, max_steps=STEPS,
                      logging_steps=1, save_strategy="no", report_to="none", seed=0,
                      scale_rewards=scale_rewards)
    capture = Capture()
    trainer = GRPOTrainer(model=tiny_model(tokenizer), processing_class=tokenizer, args=args,
                          train_dataset=dataset, callbacks=[capture], **trainer_kwargs)
    capture.trainer = trainer
    before = {n: p.detach().clone() for n, p in trainer.model.named_parameters()}
    with patch.object(trainer.model, "generate", side_effect=make_generate(tokenizer)):
        trainer.train()
    changed = any(not torch.equal(p, trainer.model.get_parameter(n)) for n, p in before.items())
    return trainer, capture, changed


def tunnel_penalty():
    return float(rg.Guard("coding-sandbox", 1).evaluate([(0, "shell", {"command": TUNNEL})]).penalties[0])


def check_rewards(capture, scale_rewards):
    """The trainer's rewards are the task reward minus the guard's penalty, and its
    advantages (GRPO: minus the group mean, over the group std with "group") come
    from the penalty alone."""
    expected = tunnel_penalty()
    assert expected > 0
    assert len(capture.steps) == STEPS
    for step in capture.steps:
        task = np.array(step["rewards"]["task_reward"])
        pen = np.array(step["rewards"]["rewardguard_penalty"])
        assert len(task) == BATCH
        tunnels = np.array([any(TUNNEL in str(tc["function"]["arguments"])
                                for m in c for tc in m.get("tool_calls") or ()) for c in step["completions"]])
        assert tunnels.tolist() == [False, True] * (BATCH // 2)
        np.testing.assert_allclose(pen, np.where(tunnels, -expected, 0.0), rtol=1e-6)
        # The blocked call's tool message, which the model reads, is the policy's reason.
        for c, t in zip(step["completions"], tunnels):
            tool_msgs = [m["content"] for m in c if m["role"] == "tool"]
            assert len(tool_msgs) == 1
            if t:
                assert "blocked by policy `coding-sandbox`" in str(tool_msgs[0])
                assert "tunnel" in str(tool_msgs[0])
        np.testing.assert_array_equal(task, np.ones(BATCH))
        total = (task + pen).reshape(-1, NUM_GENERATIONS)
        adv = total - total.mean(1, keepdims=True)
        if scale_rewards == "group":
            adv = adv / (total.std(1, ddof=1, keepdims=True) + 1e-4)
        else:   # "none": the penalty's size survives
            np.testing.assert_allclose(adv.reshape(-1), np.where(tunnels, -expected / 2, expected / 2),
                                       rtol=1e-6)
        np.testing.assert_allclose(np.array(step["advantages"]), adv.reshape(-1), rtol=1e-4, atol=1e-4)
        assert np.all(np.array(step["advantages"])[tunnels] < 0)


def test_environment_factory_blocks_and_penalizes_in_a_real_grpo_run(tokenizer, tmp_path):
    ran = []
    guard = rg.Guard("coding-sandbox", num_envs=BATCH)
    factory = rgtrl.environment_factory(lambda: ShellEnv(ran), guard)
    trainer, capture, changed = train(tokenizer, tmp_path, scale_rewards="none", environment_factory=factory,
                                      reward_funcs=[task_reward, rgtrl.penalty_reward(
                                          num_generations=NUM_GENERATIONS)])
    assert trainer.state.global_step == STEPS and changed
    # Every allowed call ran, the forbidden one never did.
    assert ran == ["ls"] * (STEPS * BATCH // 2)
    check_rewards(capture, "none")
    # The violations stay on each rollout's environment; costs went to log_metric.
    envs = trainer.environments
    assert [type(e).__name__ for e in envs] == ["GuardedShellEnv"] * BATCH
    assert [len(e.violations) for e in envs] == [0, 1] * (BATCH // 2)
    v = envs[1].violations[0]
    assert v.blocked and v.action == "terminate" and "tunnel" in v.rules and envs[1].terminated
    logged = [h for h in trainer.state.log_history if "rewardguard/penalty" in h]
    assert len(logged) == STEPS
    assert logged[0]["rewardguard/penalty"] == pytest.approx(tunnel_penalty() / 2)
    assert logged[0]["rewardguard/blocked"] == pytest.approx(0.5)
    assert logged[0]["rewardguard/cost/network"] > 0 and logged[0]["rewardguard/shared_penalty_groups"] == 0


def test_standalone_tools_blocked_and_penalized_from_messages(tokenizer, tmp_path):
    ran = []

    def shell(command: str) -> str:
        """Runs a shell command in the sandbox.

        Args:
            command: the command line to run.
        """
        ran.append(command)
        return f"ok: {command}"

    trainer, capture, changed = train(tokenizer, tmp_path, tools=rgtrl.guard_tools([shell]),
                                      reward_funcs=[task_reward, rgtrl.penalty_reward()])
    assert trainer.state.global_step == STEPS and changed
    assert ran == ["ls"] * (STEPS * BATCH // 2)
    check_rewards(capture, "group")


def test_guarded_environment_exposes_the_same_tools_and_judges_in_one_episode(tmp_path):
    class Files:
        """Files and a network."""

        def __init__(self):
            self.written = []

        def reset(self, **kwargs):
            return "start"

        def shell(self, command: str) -> str:
            """Runs a command.

            Args:
                command: the command line.
            """
            return "ran"

        def write_file(self, path: str, content: str = "") -> str:
            """Writes a file.

            Args:
                path: where.
                content: what.
            """
            (tmp_path / path).write_text(content)
            self.written.append(path)
            return "written"

        def _private(self):
            return None

    guard = rg.Guard("coding-sandbox", num_envs=2)
    make = rgtrl.environment_factory(Files, guard)
    a, b = make(), make()
    with pytest.raises(ValueError, match="tracks 2 envs"):
        make()
    assert (a.env_id, b.env_id) == (0, 1)
    import inspect
    tools = [n for n, _ in inspect.getmembers(type(a), predicate=inspect.isfunction)
             if n not in ("reset", "get_reward") and not n.startswith("_")]
    assert tools == ["shell", "write_file"] and not hasattr(type(a), "get_reward")
    from transformers.utils import get_json_schema
    assert get_json_schema(a.shell) == get_json_schema(Files().shell)
    assert a.reset() == "start"
    assert a.write_file("notes.txt", "x") == "written"        # allowed: ran
    assert (tmp_path / "notes.txt").read_text() == "x"
    with pytest.raises(rgtrl.ToolCallBlocked, match="credentials"):
        a.shell("cat ~/.ssh/id_rsa")
    assert a.violations[-1].blocked and a.penalty > 0 and not a.terminated
    with pytest.raises(rgtrl.ToolCallBlocked):
        a.write_file(path="/etc/cron.d/job", content=TUNNEL)   # persistence: blocked, not written
    assert a.env.written == ["notes.txt"]
    assert a.penalty == pytest.approx(sum(v.penalty for v in a.violations))
    with pytest.raises(TypeError):
        a.shell(cmd="ls")                                      # does not fit the signature: never runs
    b.reset()
    with pytest.raises(rgtrl.ToolCallBlocked, match="tunnel"):
        b.shell(TUNNEL)
    assert b.terminated
    with pytest.raises(PermissionError, match="ended by policy"):
        b.shell("ls")                                          # after terminate nothing runs
    assert len(b.violations) == 1
    b.reset()
    assert not b.terminated and b.violations == [] and b.penalty == 0 and b.shell("ls") == "ran"
    # Weights (e.g. Lagrangian multipliers) apply at reward time.
    guard.set_weights({"filesystem": 2.0, "privilege": 2.0, "process": 2.0})
    assert a.penalty == pytest.approx(float(a.costs @ guard.weights))

    class Clash:
        def reset(self):
            return None

        def penalty(self, x: int) -> int:
            """Clashes.

            Args:
                x: x.
            """
            return x

    with pytest.raises(ValueError, match="Clash.penalty"):
        rgtrl.environment_factory(Clash, rg.Guard("coding-sandbox", 1))()


def test_async_tools_are_judged_before_they_run():
    import asyncio
    ran = []

    class AsyncShell:
        def reset(self, **kwargs):
            return None

        async def shell(self, command: str) -> str:
            """Runs a command.

            Args:
                command: the command line.
            """
            ran.append(command)
            return "ok"

    async def fetch(url: str) -> str:
        """Fetches a URL.

        Args:
            url: what to fetch.
        """
        ran.append(url)
        return "page"

    env = rgtrl.environment_factory(AsyncShell, rg.Guard("coding-sandbox", 1))()
    tool = rgtrl.guard_tool(fetch)
    import inspect
    assert inspect.iscoroutinefunction(type(env).shell) and inspect.iscoroutinefunction(tool)
    env.reset()
    assert asyncio.run(env.shell("ls")) == "ok"
    with pytest.raises(rgtrl.ToolCallBlocked):
        asyncio.run(env.shell(TUNNEL))
    with pytest.raises(rgtrl.ToolCallBlocked, match="egress"):
        asyncio.run(tool("http://203.0.113.9/x"))
    assert ran == ["ls"]


def test_shadow_mode_runs_and_records():
    ran = []
    make = rgtrl.environment_factory(lambda: ShellEnv(ran), rg.Guard("coding-sandbox", 1, mode="shadow"))
    e = make()
    e.reset()
    assert e.shell(TUNNEL) == f"ok: {TUNNEL}" and ran == [TUNNEL]
    assert not e.violations[0].blocked and e.penalty > 0 and not e.terminated


def test_penalty_reward_warns_when_a_group_shares_its_penalty():
    fn = rgtrl.penalty_reward()
    call = lambda c: [{"role": "assistant", "tool_calls": [  # noqa: E731
        {"type": "function", "function": {"name": "shell", "arguments": {"command": c}}}]}]
    logged = {}
    with pytest.warns(RuntimeWarning, match="1 of 2 groups"):
        r = fn(prompts=["a", "a", "b", "b"], completions=[call(TUNNEL), call(TUNNEL), call("ls"), call(TUNNEL)],
               log_metric=lambda k, v: logged.__setitem__(k, v))
    assert r[0] == r[1] == r[3] == -tunnel_penalty() and r[2] == 0.0
    assert logged["rewardguard/shared_penalty_groups"] == 1 and logged["rewardguard/blocked"] == 0.75
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fn(prompts=["a", "a"], completions=[call("ls"), call(TUNNEL)])
        fn(prompts=["a", "a"], completions=[call("ls"), call("ls")])
    with pytest.warns(RuntimeWarning, match="1 of 1 groups"):   # explicit group size
        rgtrl.penalty_reward(num_generations=2)(prompts=["x", "y"], completions=[call(TUNNEL), call(TUNNEL)])
    with pytest.raises(ValueError, match="extract_calls"):
        fn(prompts=["p"], completions=["plain text"])
    assert llm.trl_reward_function()(prompts=["p"], completions=[call(TUNNEL)]) == [-tunnel_penalty()]



def test_factories_sharing_a_guard_never_share_an_episode():
    """TRL's dict form gives one factory per tool set; with one Guard, each
    instance still gets its own env id, and a standalone tool refuses that Guard."""
    guard = rg.Guard("coding-sandbox", num_envs=3)
    fa = rgtrl.environment_factory(lambda: ShellEnv([]), guard)
    fb = rgtrl.environment_factory(lambda: ShellEnv([]), guard)
    ids = [fa().env_id, fb().env_id, fa().env_id]
    assert ids == [0, 1, 2]
    with pytest.raises(ValueError, match="3 envs"):
        fb()
    with pytest.raises(ValueError, match="belongs to a guarded environment"):
        rgtrl.guard_tool(ShellEnv([]).shell, guard)


def test_standalone_tool_calls_beside_a_guarded_environment_are_penalized_too():
    """A rollout may call the environment's tools and standalone tools: the
    environment records its own calls; the others are judged by the reward function."""
    make = rgtrl.environment_factory(lambda: ShellEnv([]), rg.Guard("coding-sandbox", num_envs=2))
    envs = [make(), make()]
    for e in envs:
        e.reset()
    envs[0].shell(command="ls")   # allowed, recorded by the environment
    call = lambda name, args: {"type": "function", "function": {"name": name, "arguments": args}}  # noqa: E731
    completions = [
        [{"role": "assistant", "tool_calls": [call("shell", {"command": "ls"}),
                                              call("http_get", {"url": "https://example.com/"})]}],
        [{"role": "assistant", "tool_calls": [call("shell", {"command": "ls"})]}],
    ]
    r = rgtrl.penalty_reward()(prompts=["p", "q"], completions=completions, environments=envs)
    egress = float(rg.Guard("coding-sandbox", 1).evaluate([(0, "http_get", {"url": "https://example.com/"})])
                   .penalties[0])
    assert egress > 0
    assert r == [-egress, 0.0]   # the env's `ls` is not judged twice; the standalone fetch costs
