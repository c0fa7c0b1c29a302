"""Per-step overhead of rewardguard.gym.GuardVectorWrapper over the bare vector env.

    .venv/bin/python bench/python_overhead.py [--envs 64] [--steps 5000]

Both runs step the same SyncVectorEnv of rewardguard/ToolSandbox-v0 with the
same pre-drawn actions (allowed work only, so no call is blocked and both
envs do identical work; --mix adds forbidden calls). The wrapper's overhead
is split into the C++ evaluation (timed around the `_C` call) and the rest,
the Python side: mapping actions to calls, wrapping the arrays, shaping,
terminations, info. Also times json.dumps of dict arguments, which a user's
tool_calls function pays when its arguments are dicts rather than JSON text.
Prints a markdown table (--json also writes the figures).

"Guard step" is the same work without the wrapper: the bare vector step, then
`guard.evaluate_columns` of the step's calls and `guard.shape` of a reward
tensor, as a hand-written training loop would do it.
"""

from __future__ import annotations

import argparse
import json
import time

import torch

import gymnasium
import numpy as np

import rewardguard as rg
import rewardguard.envs as E
from rewardguard.gym import GuardVectorWrapper

ENV_ID = "rewardguard/ToolSandbox-v0"


def make(n: int):
    # max_steps large: no episode ends inside the timed loop (resets would
    # dominate both sides equally and hide the difference).
    return gymnasium.make_vec(ENV_ID, n, vectorization_mode="sync", max_steps=10**9)


def run(env, actions: np.ndarray) -> float:
    env.reset(seed=0)
    step = env.step
    t0 = time.perf_counter()
    for a in actions:
        step(a)
    return (time.perf_counter() - t0) / len(actions)


class TimedCore:
    """Wraps the guard's _C core to time the C++ call (GIL released inside)."""

    def __init__(self, core):
        self.core = core
        self.seconds = 0.0
        self.calls = 0

    def evaluate_batch(self, tools, args, env_ids):
        t0 = time.perf_counter()
        out = self.core.evaluate_batch(tools, args, env_ids)
        self.seconds += time.perf_counter() - t0
        self.calls += 1
        return out

    def __getattr__(self, name):
        return getattr(self.core, name)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--envs", type=int, default=64)
    ap.add_argument("--steps", type=int, default=5000)
    ap.add_argument("--repeats", type=int, default=5, help="best of N runs")
    ap.add_argument("--mix", action="store_true", help="include blocked calls (the wrapper then does more work)")
    ap.add_argument("--json", help="write the figures here")
    args = ap.parse_args()

    rng = np.random.default_rng(0)
    choices = np.arange(len(E.MENU)) if args.mix else np.array([0, 1, 3])  # ls, write_file, read_file
    actions = rng.choice(choices, size=(args.steps, args.envs))

    bare = make(args.envs)
    guarded = GuardVectorWrapper(make(args.envs), tool_calls=E.vector_tool_calls, noop_action=E.NOOP,
                                 mode="enforce" if not args.mix else "shadow")
    timed = TimedCore(guarded.guard._core)
    guarded.guard._core = timed

    # A hand-written loop: bare step, then Guard.evaluate_columns + Guard.shape.
    guard = rg.Guard("coding-sandbox", num_envs=args.envs, mode="enforce" if not args.mix else "shadow")
    rewards = torch.zeros(args.envs)

    def run_direct(actions_: np.ndarray) -> float:
        bare.reset(seed=0)
        guard.reset()
        step = bare.step
        t0 = time.perf_counter()
        for a in actions_:
            step(a)
            v = guard.evaluate_columns(*E.vector_tool_calls(a))
            guard.shape(rewards, v)
        return (time.perf_counter() - t0) / len(actions_)

    run(bare, actions[:200])
    run(guarded, actions[:200])
    run_direct(actions[:200])
    t_bare, t_guard, t_cpp, t_direct = [], [], [], []
    for _ in range(args.repeats):
        t_bare.append(run(bare, actions))
        timed.seconds, timed.calls = 0.0, 0
        t_guard.append(run(guarded, actions))
        t_cpp.append(timed.seconds / max(timed.calls, 1))
        t_direct.append(run_direct(actions))
    b, g, d = min(t_bare), min(t_guard), min(t_direct)
    cpp = t_cpp[int(np.argmin(t_guard))]
    overhead = g - b
    python_side = overhead - cpp

    # json.dumps of dict arguments, per step (all envs), for reference.
    dict_args = [{"path": "src/app.py", "content": "print(42)"}] * args.envs
    t0 = time.perf_counter()
    for _ in range(2000):
        [json.dumps(a) for a in dict_args]
    t_json = (time.perf_counter() - t0) / 2000

    us = 1e6
    print(f"### GuardVectorWrapper overhead, {args.envs} envs, {args.steps} steps, best of {args.repeats}"
          f"{' (mixed actions, shadow mode)' if args.mix else ''}\n")
    print("| measure | µs per step | µs per env-step |")
    print("| --- | ---: | ---: |")
    rows = [
        ("bare SyncVectorEnv.step", b),
        ("GuardVectorWrapper.step", g),
        ("Guard step (bare step + evaluate_columns + shape)", d),
        ("overhead (wrapper - bare)", overhead),
        ("  of which C++ evaluation (_C, GIL released)", cpp),
        ("  of which Python side", python_side),
        ("json.dumps of dict arguments (not in the above)", t_json),
    ]
    for name, t in rows:
        print(f"| {name} | {t * us:.1f} | {t * us / args.envs:.2f} |")
    print(f"\nratio wrapper/bare: {g / b:.3f}; Guard step/bare: {d / b:.3f}; Python-side overhead "
          f"{python_side * us:.1f} µs per step (target <= 50 µs): {'OK' if python_side * us <= 50 else 'OVER'}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"envs": args.envs, "steps": args.steps, "repeats": args.repeats, "mix": args.mix,
                       "bare_us": b * us, "wrapper_us": g * us, "guard_step_us": d * us,
                       "overhead_us": overhead * us, "cpp_us": cpp * us, "python_side_us": python_side * us,
                       "guard_step_overhead_us": (d - b) * us, "json_dumps_us": t_json * us}, f, indent=2)


if __name__ == "__main__":
    main()
