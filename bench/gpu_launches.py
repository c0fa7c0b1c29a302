"""Counts what one shaping step launches on the GPU: host-to-device copies and
kernels, from torch.profiler's CUDA activity (CUPTI), for Guard.shape (a [B]
step) and llm.shape_token_rewards (a [B, T] batch of tool calls).

    .venv/bin/python bench/gpu_launches.py [--json out.json]

Prints a markdown table; exits 1 when a step launches more than the design's
one copy and one kernel (docs/shaping.md), 2 without a CUDA device.
"""

from __future__ import annotations

import argparse
import json
import sys

import torch
from torch.profiler import ProfilerActivity, profile

import rewardguard as rg
from rewardguard import llm

TUNNEL = "ssh -R 9000:localhost:22 a@203.0.113.5"


def count(fn, steps: int = 20) -> dict[str, float]:
    fn()  # warm up: allocator, kernel loading
    torch.cuda.synchronize()
    with profile(activities=[ProfilerActivity.CUDA]) as prof:
        for _ in range(steps):
            fn()
        torch.cuda.synchronize()
    copies = kernels = 0
    for e in prof.events():
        if e.device_type != torch.autograd.DeviceType.CUDA:
            continue
        name = e.name.lower()
        if "memcpy" in name:
            copies += "htod" in name.replace(" ", "").replace("_", "")
        elif "memset" not in name:
            kernels += 1
    return {"copies_per_step": copies / steps, "kernels_per_step": kernels / steps}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--json")
    args = ap.parse_args()
    if not torch.cuda.is_available():
        print("gpu_launches: no CUDA device", file=sys.stderr)
        return 2
    b = 1024
    guard = rg.Guard("coding-sandbox", num_envs=b)
    v = guard.evaluate([(i, "shell", TUNNEL if i % 7 == 0 else "ls") for i in range(b)])
    rewards = torch.zeros(b, device="cuda")
    tokens = torch.zeros(b, 256, device="cuda")
    calls = [[("shell", TUNNEL if i % 7 == 0 else "ls", 10)] for i in range(b)]
    verdicts, rows, positions = llm.judge_samples(guard, calls)
    lengths = torch.full((b,), 256, dtype=torch.int64)
    rows_out = {
        "Guard.shape, [1024] step": count(lambda: guard.shape(rewards, v)),
        "llm.shape_token_rewards, [1024, 256]": count(lambda: llm.shape_token_rewards(
            guard, tokens, verdicts=verdicts, rows=rows, positions=positions, lengths=lengths)),
    }
    print("| case | host-to-device copies per step | kernels per step |")
    print("| --- | ---: | ---: |")
    for name, r in rows_out.items():
        print(f"| {name} | {r['copies_per_step']:.2f} | {r['kernels_per_step']:.2f} |")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows_out, f, indent=2)
    ok = all(r["copies_per_step"] <= 1 and r["kernels_per_step"] <= 1 for r in rows_out.values())
    print("one copy and one kernel per step:", "OK" if ok else "NO")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
