"""What the guard adds to a TRL GRPOTrainer step (CPU, tiny model, nothing downloaded).

    .venv/bin/python bench/trl_overhead.py [--steps 8] [--rounds 2] [--rollouts 8] [--hidden 32]

Two trainers on the same data, model config, tokenizer and patched
``model.generate`` (every rollout calls ``shell`` with an allowed command,
then answers): one with a plain ``environment_factory`` and the task reward,
one with ``rewardguard.trl.environment_factory`` and ``penalty_reward`` added.
Both do the same token work, so the difference is the guard: judging each
call, the reward function, its logged metrics. Runs alternate (plain, guarded,
guarded, plain, ...) to spread machine noise; the first step of each run (warm-up) is
dropped; the figures are TRL's own ``step_time`` (median, quartiles, and the
fastest step, the least disturbed by other load on the machine) and the
process's CPU time per step. The time spent inside
rewardguard (judging + the reward function) is also timed directly. A tiny
model makes the step short, so the ratio is an upper bound for real models.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import tempfile
import time
from unittest.mock import patch

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRL_EXPERIMENTAL_SILENCE"] = "1"

import numpy as np  # noqa: E402
import torch  # noqa: E402
from datasets import Dataset  # noqa: E402
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers  # noqa: E402
from transformers import PreTrainedTokenizerFast, Qwen2Config, Qwen2ForCausalLM, TrainerCallback  # noqa: E402
from transformers.utils import logging as hf_logging  # noqa: E402
from trl import GRPOConfig, GRPOTrainer  # noqa: E402
from trl.chat_template_utils import qwen3_chat_template  # noqa: E402

import rewardguard as rg  # noqa: E402
from rewardguard import trl as rgtrl  # noqa: E402

SPECIAL = ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<tool_call>", "</tool_call>",
           "<think>", "</think>", "<tool_response>", "</tool_response>"]
COMMANDS = ["ls -la", "git status", "python3 -m pytest -q", "cat src/main.py"]


def call_text(command: str) -> str:
    return ('<tool_call>\n{"name": "shell", "arguments": {"command": "%s"}}\n</tool_call><|im_end|>'
            % command)


def make_tokenizer() -> PreTrainedTokenizerFast:
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    tok.train_from_iterator([call_text(c) for c in COMMANDS] * 20, trainers.BpeTrainer(
        vocab_size=320, special_tokens=SPECIAL, initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
    return PreTrainedTokenizerFast(tokenizer_object=tok, eos_token="<|im_end|>", pad_token="<|endoftext|>",
                                   chat_template=qwen3_chat_template)


class ShellEnv:
    def reset(self, **kwargs):
        return None

    def shell(self, command: str) -> str:
        """Runs a shell command in the sandbox.

        Args:
            command: the command line to run.
        """
        return f"ok: {command}"


def task_reward(completions, **kwargs):
    return [float(len(c)) for c in completions]


def fake_generate(tokenizer):
    tool_response = tokenizer.convert_tokens_to_ids("<tool_response>")
    first = [tokenizer(call_text(c))["input_ids"] for c in COMMANDS]
    done = tokenizer("done<|im_end|>")["input_ids"]

    def generate(input_ids, **kwargs):
        rows = [done if tool_response in ids else first[r % len(first)]
                for r, ids in enumerate(input_ids.tolist())]
        out = torch.full((len(rows), max(map(len, rows))), tokenizer.pad_token_id, dtype=input_ids.dtype)
        for r, ids in enumerate(rows):
            out[r, :len(ids)] = torch.tensor(ids)
        return torch.cat([input_ids, out], dim=1)

    return generate


class CpuTime(TrainerCallback):
    """CPU seconds of this process per step (all its threads): less disturbed than wall
    time by other processes on a shared machine."""

    def __init__(self):
        self.steps: list[float] = []

    def on_step_begin(self, args, state, control, **kwargs):
        self._t = time.process_time()

    def on_step_end(self, args, state, control, **kwargs):
        self.steps.append(time.process_time() - self._t)


def run(tokenizer, guarded: bool, steps: int, rollouts: int, hidden: int, timer: list
        ) -> tuple[list[float], list[float]]:
    torch.manual_seed(0)
    model = Qwen2ForCausalLM(Qwen2Config(
        vocab_size=len(tokenizer), hidden_size=hidden, intermediate_size=2 * hidden, num_hidden_layers=2,
        num_attention_heads=2, num_key_value_heads=1, pad_token_id=tokenizer.pad_token_id,
        eos_token_id=tokenizer.eos_token_id))
    data = Dataset.from_dict({"prompt": [[{"role": "user", "content": f"task {i}"}] for i in range(64)]})
    with tempfile.TemporaryDirectory() as out:
        args = GRPOConfig(output_dir=out, use_cpu=True, bf16=False, beta=0.0, per_device_train_batch_size=rollouts,
                          num_generations=4, max_completion_length=256, max_steps=steps + 1, logging_steps=1,
                          save_strategy="no", report_to="none", seed=0, disable_tqdm=True)
        if guarded:
            guard = rg.Guard("coding-sandbox", num_envs=rollouts)
            penalty = rgtrl.penalty_reward(num_generations=4)

            def timed_penalty(*a, **kw):
                t = time.perf_counter()
                try:
                    return penalty(*a, **kw)
                finally:
                    timer.append(time.perf_counter() - t)
            timed_penalty.__name__ = penalty.__name__
            kw = dict(environment_factory=rgtrl.environment_factory(ShellEnv, guard),
                      reward_funcs=[task_reward, timed_penalty])
        else:
            kw = dict(environment_factory=ShellEnv, reward_funcs=[task_reward])
        cpu = CpuTime()
        trainer = GRPOTrainer(model=model, processing_class=tokenizer, args=args, train_dataset=data,
                              callbacks=[cpu], **kw)
        with patch.object(trainer.model, "generate", side_effect=fake_generate(tokenizer)), \
                contextlib.redirect_stdout(io.StringIO()):   # TRL prints every step's logs
            trainer.train()
    times = [h["step_time"] for h in trainer.state.log_history if "step_time" in h]
    return times[1:], cpu.steps[1:]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=8)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--rollouts", type=int, default=8)
    ap.add_argument("--hidden", type=int, default=32)
    a = ap.parse_args()
    hf_logging.set_verbosity_error()
    tokenizer = make_tokenizer()

    judge_time: list = []
    orig_check = rgtrl.GuardedEnvironment._check

    def timed_check(self, *args):
        t = time.perf_counter()
        try:
            return orig_check(self, *args)
        finally:
            judge_time.append(time.perf_counter() - t)
    rgtrl.GuardedEnvironment._check = timed_check

    plain, guarded, plain_cpu, guarded_cpu, reward_time = [], [], [], [], []
    for r in range(a.rounds):
        for guard in ((False, True) if r % 2 == 0 else (True, False)):   # ABBA: no order bias
            wall, cpu = run(tokenizer, guard, a.steps, a.rollouts, a.hidden, reward_time)
            (guarded if guard else plain).extend(wall)
            (guarded_cpu if guard else plain_cpu).extend(cpu)
    p, g = float(np.median(plain)), float(np.median(guarded))
    n = a.rounds * (a.steps + 1)   # guarded steps run, warm-ups included (the timers saw them all)
    print(f"steps timed: {len(plain)} plain, {len(guarded)} guarded ({a.rollouts} rollouts/step, one tool call each, "
          f"hidden {a.hidden}, torch {torch.__version__} on {torch.get_num_threads()} threads)")
    q = lambda x: "{:.4f} .. {:.4f}".format(*np.percentile(x, [25, 75]))  # noqa: E731
    inside = 1e3 * (sum(judge_time) + sum(reward_time)) / n
    print("| | median step (s) | quartiles (s) | fastest step (s) |")
    print("|---|---|---|---|")
    print(f"| plain environment_factory | {p:.4f} | {q(plain)} | {min(plain):.4f} |")
    print(f"| guarded + penalty_reward | {g:.4f} | {q(guarded)} | {min(guarded):.4f} |")
    print(f"| ratio guarded / plain | {g / p:.3f} | | {min(guarded) / min(plain):.3f} |")
    pc, gc = float(np.median(plain_cpu)), float(np.median(guarded_cpu))
    print(f"\nCPU time per step (median): plain {pc:.4f} s, guarded {gc:.4f} s, ratio {gc / pc:.3f}")
    print(f"\ntime inside rewardguard per guarded step: {inside:.3f} ms (judging the calls "
          f"{1e3 * sum(judge_time) / n:.3f} ms, reward function {1e3 * sum(reward_time) / n:.3f} ms), "
          f"{100 * inside / 1e3 / g:.2f}% of the median guarded step")


if __name__ == "__main__":
    main()
