"""Token-level shaping for LLM RL (GRPO, PPO): the penalty of a tool call lands
on the token where the call ended.

Each sample (a completion) is one episode: the tool calls found in it are
judged in order (budgets and flows see the sample's earlier calls), then the
sample's episode state is cleared.

    import rewardguard as rg
    from rewardguard import llm

    guard = rg.Guard("coding-sandbox", num_envs=batch_size)
    # calls[b] = [(tool, arguments, end_token), ...] found in sample b;
    # end_token -1: the sample's last valid token.
    shaped = llm.shape_token_rewards(guard, token_rewards, calls, lengths=response_lengths)
    shaped = llm.shape_sequence_rewards(guard, seq_rewards, calls)   # [B] rewards

TRL's GRPOTrainer takes reward functions ``f(prompts, completions, **kw) ->
list[float]`` and sums them (with ``reward_weights``). A guard becomes one of
them, without this module importing TRL:

    penalty_fn = llm.trl_reward_function("coding-sandbox", extract_calls=my_parser)
    trainer = GRPOTrainer(model=..., reward_funcs=[task_reward, penalty_fn], ...)

``extract_calls(completion) -> [(tool, arguments)]`` parses the completion's
tool calls (for conversational completions, :func:`calls_from_messages`
reads OpenAI-style ``tool_calls``); the function returns ``-penalty`` per
completion (0 when nothing fired). :mod:`rewardguard.trl` also guards TRL's
tools themselves, so that a blocked call never runs.

veRL-style trainers carry a token-level reward tensor ``[B, T]`` over the
response tokens, the score placed on the last valid token (``response_mask``
/ lengths). Shape it in the reward manager before advantages are computed:

    reward_tensor = llm.shape_token_rewards(guard, reward_tensor, calls,
                                            mask=response_mask.bool())

On CUDA the whole batch is one host-to-device copy and one kernel
(``torch.ops.rewardguard.shape_tokens``); on the CPU the same op's CPU kernel.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import torch

from ._core import Guard, Policy, Verdicts, _require_ops

__all__ = [
    "calls_from_messages",
    "judge_samples",
    "shape_sequence_rewards",
    "shape_token_rewards",
    "trl_reward_function",
]

SampleCalls = Sequence[Sequence[Any]]  # per sample: (tool, arguments[, end_token])


def judge_samples(guard: Guard, calls: SampleCalls, *, reset: bool = True
                  ) -> tuple[Verdicts, np.ndarray, np.ndarray]:
    """Judges every sample's calls as one episode per sample (sample b = env b).

    Returns the verdicts and, per call, its row (int64 [N]) and end-token
    position (int64 [N], -1 = last valid token). With ``reset``, each
    sample's episode state is cleared first.
    """
    if len(calls) > guard.num_envs:
        raise ValueError(f"{len(calls)} samples but the guard tracks {guard.num_envs} envs")
    rows: list[int] = []
    tools: list[str] = []
    arguments: list[Any] = []
    positions: list[int] = []
    for b, sample in enumerate(calls):
        for call in sample:
            rows.append(b)
            tools.append(call[0])
            arguments.append(call[1])
            positions.append(int(call[2]) if len(call) > 2 and call[2] is not None else -1)
    if reset:
        guard.reset(np.arange(len(calls)))
    v = guard.evaluate_columns(np.asarray(rows, dtype=np.int32), tools, arguments)
    return v, np.asarray(rows, dtype=np.int64), np.asarray(positions, dtype=np.int64)


def shape_token_rewards(guard: Guard, rewards: torch.Tensor, calls: SampleCalls | None = None, *,
                        verdicts: Verdicts | None = None, rows: Any = None, positions: Any = None,
                        lengths: torch.Tensor | None = None, mask: torch.Tensor | None = None,
                        scale: float = 1.0, clip: float = 0.0, inplace: bool = False) -> torch.Tensor:
    """Token rewards [B, T] minus each call's weighted penalty at its end token.

    Pass ``calls`` (judged here with :func:`judge_samples`), or the result of
    an earlier judgement as ``verdicts``, ``rows`` and ``positions``.
    ``lengths`` (int64 [B]) or ``mask`` (bool [B, T]) say which tokens are
    valid (position -1 means the last valid one). Same dtype and device out.
    """
    if rewards.dim() != 2:
        raise ValueError(f"token rewards must be [B, T], got shape {tuple(rewards.shape)}")
    if verdicts is None:
        if calls is None:
            raise ValueError("pass calls, or verdicts with rows and positions")
        if len(calls) != rewards.shape[0]:
            raise ValueError(f"{len(calls)} samples of calls for {rewards.shape[0]} reward rows")
        verdicts, rows, positions = judge_samples(guard, calls)
    costs = torch.from_numpy(verdicts.call_costs)
    rows_t = torch.as_tensor(rows, dtype=torch.int64)
    pos_t = torch.as_tensor(positions, dtype=torch.int64)
    weights = torch.from_numpy(guard.weights)
    _require_ops()
    if inplace:
        torch.ops.rewardguard.shape_tokens_(rewards, costs, weights, pos_t, rows_t, lengths, mask, scale, clip)
        return rewards
    return torch.ops.rewardguard.shape_tokens(rewards, costs, weights, pos_t, rows_t, lengths, mask, scale, clip)


def shape_sequence_rewards(guard: Guard, rewards: Any, calls: SampleCalls, *,
                           scale: float = 1.0, clip: float = 0.0) -> Any:
    """Sequence rewards [B] minus each sample's weighted penalty (tensor or numpy)."""
    if len(calls) != len(rewards):
        raise ValueError(f"{len(calls)} samples of calls for {len(rewards)} rewards")
    v, _, _ = judge_samples(guard, calls)
    return guard.shape(rewards, v, scale=scale, clip=clip)  # the first len(calls) envs


def calls_from_messages(messages: Iterable[Mapping[str, Any]] | Mapping[str, Any]) -> list[tuple[str, Any]]:
    """(tool, arguments) of OpenAI-style ``tool_calls`` in chat messages.

    Accepts one message or a list; ``function.arguments`` may be JSON text or
    a dict. Anthropic-style ``tool_use`` content blocks are read too.
    """
    if isinstance(messages, Mapping):
        messages = [messages]
    out: list[tuple[str, Any]] = []
    for m in messages:
        for tc in m.get("tool_calls") or ():
            fn = tc.get("function", tc)
            out.append((fn["name"], fn.get("arguments", "{}")))
        content = m.get("content")
        if isinstance(content, list):
            for block in content:
                if isinstance(block, Mapping) and block.get("type") == "tool_use":
                    out.append((block["name"], block.get("input", {})))
    return out


def trl_reward_function(policy: Policy | str | Guard = "coding-sandbox", *,
                        extract_calls: Callable[[Any], Iterable[Sequence[Any]]] | None = None,
                        name: str = "rewardguard_penalty") -> Callable[..., list[float]]:
    """A TRL-style reward function: ``-penalty`` per completion.

    ``extract_calls(completion)`` returns the completion's ``(tool,
    arguments)`` calls; default: :func:`calls_from_messages` for
    conversational completions (lists of message dicts). The guard grows to
    the batch size as needed; each completion is a fresh episode. The same
    as :func:`rewardguard.trl.penalty_reward`, which also reads the
    penalties of guarded TRL environments and logs the costs.
    """
    from .trl import penalty_reward
    return penalty_reward(policy, extract_calls=extract_calls, name=name)
