"""PPO on RomeMiniature, three ways: no guard, guard with fixed penalties,
guard with Lagrange multipliers. Writes a table, a plot and the audit trail.

    .venv/bin/python examples/rome_miniature/train.py            # out/rome_miniature/
    .venv/bin/python examples/rome_miniature/train.py --seeds 0 1 2 --out /tmp/rm

Every arm trains the same agent (a PyTorch PPO with one categorical head per
command token) on the same seeds, on ``gymnasium.make_vec(..., "sync")``
wrapped by ``rewardguard.gym.GuardVectorWrapper``:

- ``no-guard``: the guard runs in shadow mode and leaves the rewards alone:
  nothing is blocked or penalized, the verdicts are only counted (and
  audited), so all three arms are measured by the same judge.
- ``penalty``: enforce mode, fixed weights (1 per cost category): forbidden
  calls are blocked (a no-op runs instead) or end the episode, and their
  penalty is subtracted from the reward.
- ``lagrangian``: enforce mode, weights = PID Lagrange multipliers
  (``rewardguard.Lagrangian``, one per cost category, limit 0 per episode),
  starting at 0 and raised by the violations that still happen.

A violation is a call whose verdict is not ``allow``; categories are the
policy's cost columns. "End of training" is the last ``--final-frac`` of the
steps.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

if __package__ in (None, ""):  # run as a script: make `rome_miniature` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import gymnasium
from gymnasium.vector import AutoresetMode

import rewardguard as rg
from rewardguard.gym import GuardVectorWrapper
from rome_miniature import sim_env as E

ARMS = ("no-guard", "penalty", "lagrangian")


@dataclass
class Config:
    seeds: tuple[int, ...] = (0, 1, 2)
    num_envs: int = 32
    rollout: int = 32            # steps per env per iteration
    iterations: int = 160
    epochs: int = 4
    minibatches: int = 4
    lr: float = 3e-3
    gamma: float = 0.97
    gae_lambda: float = 0.9
    clip: float = 0.2
    ent_coef: float = 0.02       # annealed linearly to 0
    vf_coef: float = 0.5
    hidden: int = 64
    final_frac: float = 0.2
    lagrangian_limit: float = 0.0     # cost per episode allowed, every category
    lagrangian_ki: float = 0.01
    lagrangian_kp: float = 0.0
    lagrangian_max: float = 2.0
    arms: tuple[str, ...] = ARMS
    out: str = "out/rome_miniature"
    audit: bool = True           # the first seed's runs go to <out>/audit.db (~180 bytes an event)
    progress: bool = True


class Agent(nn.Module):
    """An MLP actor (one categorical head per token) and an MLP critic."""

    def __init__(self, obs_dim: int, nvec: tuple[int, ...], hidden: int) -> None:
        super().__init__()
        self.nvec = tuple(nvec)

        def mlp(out: int, gain: float) -> nn.Sequential:
            net = nn.Sequential(nn.Linear(obs_dim, hidden), nn.Tanh(), nn.Linear(hidden, hidden), nn.Tanh(),
                                nn.Linear(hidden, out))
            for m in net:
                if isinstance(m, nn.Linear):
                    nn.init.orthogonal_(m.weight, np.sqrt(2))
                    nn.init.zeros_(m.bias)
            nn.init.orthogonal_(net[-1].weight, gain)
            return net

        self.actor = mlp(sum(nvec), 0.01)
        self.critic = mlp(1, 1.0)

    def dists(self, obs: torch.Tensor) -> list[torch.distributions.Categorical]:
        return [torch.distributions.Categorical(logits=l) for l in self.actor(obs).split(self.nvec, dim=-1)]

    def act(self, obs: torch.Tensor):
        ds = self.dists(obs)
        a = torch.stack([d.sample() for d in ds], dim=-1)
        logp = sum(d.log_prob(a[:, i]) for i, d in enumerate(ds))
        return a, logp, self.critic(obs).squeeze(-1)

    def evaluate(self, obs: torch.Tensor, a: torch.Tensor):
        ds = self.dists(obs)
        logp = sum(d.log_prob(a[:, i]) for i, d in enumerate(ds))
        ent = sum(d.entropy() for d in ds)
        return logp, ent, self.critic(obs).squeeze(-1)


def violating_rules(policy: rg.Policy) -> set[str]:
    """Ids of the policy's rules, budgets and flows whose action is not allow
    (the per-rule columns of the report)."""
    return {rule for rule, action in policy.actions.items() if action != "allow"}


@dataclass
class History:
    """Per-iteration statistics of one run (one arm, one seed)."""

    steps: list[int] = field(default_factory=list)
    episodes: list[int] = field(default_factory=list)
    successes: list[int] = field(default_factory=list)
    returns: list[float] = field(default_factory=list)       # sum of task returns of finished episodes
    violations: list[list[int]] = field(default_factory=list)  # [C] per iteration
    violating_calls: list[int] = field(default_factory=list)
    rules: list[dict[str, int]] = field(default_factory=list)
    multipliers: list[list[float]] = field(default_factory=list)
    task_episodes: list[list[int]] = field(default_factory=list)   # [tasks] per iteration
    task_successes: list[list[int]] = field(default_factory=list)
    examples: dict[str, list[str]] = field(default_factory=dict)     # task -> commands of one final episode


def run_arm(arm: str, seed: int, cfg: Config, policy: rg.Policy, audit_path: str | None,
            bar: Any = None) -> History:
    torch.manual_seed(seed)
    np.random.seed(seed)
    n = cfg.num_envs
    envs = gymnasium.make_vec(E.ENV_ID, n, vectorization_mode="sync",
                              vector_kwargs={"autoreset_mode": AutoresetMode.DISABLED})
    guard = rg.Guard(policy, n, mode="shadow" if arm == "no-guard" else "enforce",
                     audit=audit_path, run_name=f"{arm}/seed{seed}")
    lag = None
    if arm == "lagrangian":
        lag = rg.Lagrangian(guard, default_limit=cfg.lagrangian_limit, ki=cfg.lagrangian_ki,
                            kp=cfg.lagrangian_kp, max_multiplier=cfg.lagrangian_max, base_weight=0.0)
    env = GuardVectorWrapper(envs, guard, tool_calls=E.vector_tool_calls, noop_action=E.NOOP,
                             blocked_observation=E.vector_blocked_observation,
                             shape_reward=arm != "no-guard")
    bad_rules = violating_rules(policy)
    C = len(guard.categories)

    agent = Agent(env.single_observation_space.shape[0], E.NVEC, cfg.hidden)
    opt = torch.optim.Adam(agent.parameters(), lr=cfg.lr, eps=1e-5)
    T = cfg.rollout
    obs_buf = torch.zeros((T, n, env.single_observation_space.shape[0]))
    act_buf = torch.zeros((T, n, len(E.NVEC)), dtype=torch.int64)
    logp_buf = torch.zeros((T, n))
    val_buf = torch.zeros((T, n))
    rew_buf = torch.zeros((T, n))
    done_buf = torch.zeros((T, n))

    obs_np, _ = env.reset(seed=seed)
    obs = torch.as_tensor(obs_np, dtype=torch.float32)
    ep_return = np.zeros(n)
    episode_costs = np.zeros((n, C))
    hist = History()

    for it in range(cfg.iterations):
        frac = 1.0 - it / cfg.iterations
        for g in opt.param_groups:
            g["lr"] = cfg.lr * frac
        ent_coef = cfg.ent_coef * frac
        viol = np.zeros(C, dtype=np.int64)
        viol_calls = 0
        rules: dict[str, int] = {}
        episodes = successes = 0
        task_eps = np.zeros(len(E.TASKS), dtype=np.int64)
        task_succ = np.zeros(len(E.TASKS), dtype=np.int64)
        ret_sum = 0.0
        cost_sum = np.zeros(C)
        for t in range(T):
            with torch.no_grad():
                a, logp, value = agent.act(obs)
            actions = a.numpy()
            next_obs, reward, term, trunc, info = env.step(actions)
            v = info["rewardguard"]
            penalty = guard.penalty(v) if env.shape_reward else 0.0
            task_reward = reward + penalty  # the env's own reward, before shaping
            bad = v.call_actions > 0
            if bad.any():
                viol_calls += int(bad.sum())
                viol += (v.call_costs[bad] > 0).sum(axis=0)
                for k, rs in zip(v.flagged.tolist(), v.flagged_rules):
                    if bad[k]:
                        for r in rs:
                            if r in bad_rules:
                                rules[r] = rules.get(r, 0) + 1
            episode_costs += v.costs
            ep_return += task_reward
            done = term | trunc
            obs_buf[t] = obs
            act_buf[t] = a
            logp_buf[t] = logp
            val_buf[t] = value
            rew_buf[t] = torch.as_tensor(reward, dtype=torch.float32)
            done_buf[t] = torch.as_tensor(done, dtype=torch.float32)
            if done.any():
                succ = info.get("success", np.zeros(n, dtype=bool)) & term & ~v.terminated
                episodes += int(done.sum())
                successes += int(succ[done].sum())
                tasks = np.array([E.TASKS.index(x) for x in info["task"][done]])
                np.add.at(task_eps, tasks, 1)
                np.add.at(task_succ, tasks[succ[done]], 1)
                ret_sum += float(ep_return[done].sum())
                cost_sum += episode_costs[done].sum(axis=0)
                ep_return[done] = 0.0
                episode_costs[done] = 0.0
                reset_obs, _ = env.reset(options={"reset_mask": done.copy()})
                next_obs = np.array(next_obs, copy=True)
                next_obs[done] = reset_obs[done]
            obs = torch.as_tensor(next_obs, dtype=torch.float32)

        # GAE (time-limit truncation is treated as terminal: the observation holds the time)
        with torch.no_grad():
            next_value = agent.critic(obs).squeeze(-1)
            adv = torch.zeros((T, n))
            last = torch.zeros(n)
            for t in reversed(range(T)):
                nv = next_value if t == T - 1 else val_buf[t + 1]
                nonterm = 1.0 - done_buf[t]
                delta = rew_buf[t] + cfg.gamma * nv * nonterm - val_buf[t]
                last = delta + cfg.gamma * cfg.gae_lambda * nonterm * last
                adv[t] = last
            ret = adv + val_buf
        b_obs = obs_buf.reshape(T * n, -1)
        b_act = act_buf.reshape(T * n, -1)
        b_logp, b_adv, b_ret = logp_buf.reshape(-1), adv.reshape(-1), ret.reshape(-1)
        mb = T * n // cfg.minibatches
        for _ in range(cfg.epochs):
            perm = torch.randperm(T * n)
            for s in range(0, T * n, mb):
                idx = perm[s:s + mb]
                logp, ent, value = agent.evaluate(b_obs[idx], b_act[idx])
                ratio = (logp - b_logp[idx]).exp()
                a_ = b_adv[idx]
                a_ = (a_ - a_.mean()) / (a_.std() + 1e-8)
                pg = -torch.min(ratio * a_, ratio.clamp(1 - cfg.clip, 1 + cfg.clip) * a_).mean()
                vloss = 0.5 * (value - b_ret[idx]).pow(2).mean()
                loss = pg + cfg.vf_coef * vloss - ent_coef * ent.mean()
                opt.zero_grad()
                loss.backward()
                nn.utils.clip_grad_norm_(agent.parameters(), 0.5)
                opt.step()

        if lag is not None and episodes:
            lag.update(cost_sum / episodes)
        hist.steps.append(T * n)
        hist.episodes.append(episodes)
        hist.successes.append(successes)
        hist.returns.append(ret_sum)
        hist.violations.append(viol.tolist())
        hist.violating_calls.append(viol_calls)
        hist.rules.append(rules)
        hist.multipliers.append(lag.multipliers.tolist() if lag is not None else [])
        hist.task_episodes.append(task_eps.tolist())
        hist.task_successes.append(task_succ.tolist())
        if bar is not None:
            bar.update(1)
            bar.set_postfix_str(f"{arm} seed {seed}: success {successes / max(episodes, 1):.0%}, "
                                f"violations/1k {1000 * viol_calls / (T * n):.1f}")
    guard.close()
    env.close()
    hist.examples = example_episodes(agent, policy, seed)
    return hist


def example_episodes(agent: Agent, policy: rg.Policy, seed: int) -> dict[str, list[str]]:
    """One episode per task of the final policy (sampled, as in training), with the
    commands it ran and the guard's verdict on each (judged in shadow mode)."""
    env = E.RomeMiniatureEnv()
    guard = rg.Guard(policy, 1, mode="shadow")
    bad = violating_rules(policy)
    out: dict[str, list[str]] = {}
    rng_seed = seed * 1000
    while len(out) < len(E.TASKS) and rng_seed < seed * 1000 + 200:
        obs, info = env.reset(seed=rng_seed)
        rng_seed += 1
        if info["task"] in out:
            continue
        guard.reset()
        lines = []
        done = False
        with torch.no_grad():
            while not done:
                a, _, _ = agent.act(torch.as_tensor(obs[None], dtype=torch.float32))
                cmd = E.command(a[0].tolist())
                v = guard.evaluate([(0, "shell", cmd)])
                act = rg.Action(int(v.actions[0])).name.lower()
                lines.append(f"{cmd}" + (f"  [{act}: {', '.join(r for r in v.env_rules(0) if r in bad)}]"
                                         if act != "allow" else ""))
                obs, r, term, trunc, step_info = env.step(a[0].numpy())
                done = term or trunc
        lines.append("-> done" if step_info["success"] else "-> not done")
        out[info["task"]] = lines
    return out


def window(h: History, frac: float) -> dict[str, Any]:
    """Totals over the last ``frac`` of a run's iterations."""
    k = max(1, int(round(len(h.steps) * frac)))
    sl = slice(len(h.steps) - k, None)
    rules: dict[str, int] = {}
    for d in h.rules[sl]:
        for r, c in d.items():
            rules[r] = rules.get(r, 0) + c
    return {"steps": sum(h.steps[sl]), "episodes": sum(h.episodes[sl]), "successes": sum(h.successes[sl]),
            "return_sum": sum(h.returns[sl]), "violating_calls": sum(h.violating_calls[sl]),
            "violations": np.sum(h.violations[sl], axis=0).tolist(), "rules": rules}


def summarize(results: dict[str, dict[int, History]], categories: tuple[str, ...], cfg: Config) -> dict:
    table = {}
    for arm, runs in results.items():
        ws = [window(h, cfg.final_frac) for h in runs.values()]
        steps = sum(w["steps"] for w in ws)
        eps = sum(w["episodes"] for w in ws)
        viol = np.sum([w["violations"] for w in ws], axis=0)
        rules: dict[str, int] = {}
        for w in ws:
            for r, c in w["rules"].items():
                rules[r] = rules.get(r, 0) + c
        per_seed_success = {s: w["successes"] / max(w["episodes"], 1) for s, w in zip(runs, ws)}
        per_seed_viol = {s: 1000 * w["violating_calls"] / w["steps"] for s, w in zip(runs, ws)}
        table[arm] = {
            "seeds": list(runs),
            "steps_in_window": steps,
            "episodes_in_window": eps,
            "task_success": sum(w["successes"] for w in ws) / max(eps, 1),
            "task_return": sum(w["return_sum"] for w in ws) / max(eps, 1),
            "violations_per_1k": 1000 * sum(w["violating_calls"] for w in ws) / steps,
            "violations_per_1k_by_category": {c: 1000 * float(x) / steps for c, x in zip(categories, viol)},
            "violations_per_1k_by_rule": {r: 1000 * c / steps for r, c in sorted(rules.items())},
            "task_success_by_seed": per_seed_success,
            "violations_per_1k_by_seed": per_seed_viol,
            "final_multipliers": {c: float(np.mean([h.multipliers[-1][k] for h in runs.values()]))
                                  for k, c in enumerate(categories)} if arm == "lagrangian" else None,
        }
    base = table.get("no-guard")
    checks = {}
    if base:
        for arm in ("penalty", "lagrangian"):
            if arm in table:
                checks[arm] = {
                    "violations_below_1_per_1k": table[arm]["violations_per_1k"] < 1.0,
                    "success_ratio_vs_no_guard": table[arm]["task_success"] / max(base["task_success"], 1e-9),
                }
                checks[arm]["success_at_least_90pct"] = checks[arm]["success_ratio_vs_no_guard"] >= 0.9
        checks["no-guard"] = {"learned_a_shortcut": base["violations_per_1k"] >= 50.0}
    first = cfg.seeds[0]
    examples = {arm: runs[first].examples for arm, runs in results.items() if first in runs}
    return {"table": table, "checks": checks, "examples": examples}


def markdown(summary: dict, categories: tuple[str, ...], cfg: Config) -> str:
    table = summary["table"]
    cats = [c for c in categories if any(t["violations_per_1k_by_category"][c] > 0 for t in table.values())]
    rules = sorted({r for t in table.values() for r in t["violations_per_1k_by_rule"]})
    lines = [f"End of training (last {cfg.final_frac:.0%} of {cfg.iterations * cfg.rollout * cfg.num_envs:,} "
             f"steps per run; seeds {', '.join(map(str, cfg.seeds))}):", "",
             "| arm | task success | task return¹ | violations / 1k steps² | "
             + " | ".join(f"{c} / 1k" for c in cats) + " |",
             "| --- | ---: | ---: | ---: | " + " | ".join("---:" for _ in cats) + " |"]
    for arm, t in table.items():
        lines.append(f"| {arm} | {t['task_success']:.1%} | {t['task_return']:.3f} | {t['violations_per_1k']:.2f} | "
                     + " | ".join(f"{t['violations_per_1k_by_category'][c]:.2f}" for c in cats) + " |")
    lines += ["", "¹ the env's own reward per episode (task, step cost, progress), before rewardguard's "
              "penalties.  \n² calls whose verdict is not `allow`, judged by `coding-sandbox` in every arm "
              "(the no-guard arm in shadow mode); one call can count in two categories."]
    if rules:
        lines += ["", "Violations per 1k steps by rule:", "",
                  "| arm | " + " | ".join(f"`{r}`" for r in rules) + " |",
                  "| --- | " + " | ".join("---:" for _ in rules) + " |"]
        for arm, t in table.items():
            lines.append(f"| {arm} | " + " | ".join(f"{t['violations_per_1k_by_rule'].get(r, 0.0):.2f}"
                                                   for r in rules) + " |")
    lag = table.get("lagrangian", {}).get("final_multipliers")
    if lag:
        nz = ", ".join(f"{c} {m:.2f}" for c, m in lag.items() if m > 0) or "all 0"
        lines += ["", f"Lagrangian weights at the end (mean over seeds): {nz}; other categories 0."]
    checks = summary["checks"]
    if checks:
        lines += [""]
        ok = checks["no-guard"]["learned_a_shortcut"]
        lines.append(f"- no-guard learned a forbidden shortcut (>= 50 violations / 1k steps): "
                     f"{'yes' if ok else 'NO'}")
        for arm in ("penalty", "lagrangian"):
            if arm in checks:
                c = checks[arm]
                lines.append(f"- {arm}: violations < 1 / 1k steps: {'yes' if c['violations_below_1_per_1k'] else 'NO'}; "
                             f"task success {c['success_ratio_vs_no_guard']:.0%} of no-guard's "
                             f"(>= 90%: {'yes' if c['success_at_least_90pct'] else 'NO'})")
    if summary.get("examples"):
        lines += ["", f"What the final policies run (seed {cfg.seeds[0]}, one sampled episode per task, "
                      "[verdict: rules] where the policy objects):", "", "```"]
        for arm, tasks in summary["examples"].items():
            for task, cmds in tasks.items():
                lines.append(f"{arm:<10} {task:<6} " + " ; ".join(cmds))
        lines.append("```")
    return "\n".join(lines) + "\n"


def plot(results: dict[str, dict[int, History]], cfg: Config, path: Path, smooth: int = 5) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    colors = {"no-guard": "tab:red", "penalty": "tab:blue", "lagrangian": "tab:green"}
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4))
    kernel = np.ones(smooth) / smooth
    for arm, runs in results.items():
        viol = np.array([[1000 * v / s for v, s in zip(h.violating_calls, h.steps)] for h in runs.values()])
        succ = np.array([[k / max(e, 1) for k, e in zip(h.successes, h.episodes)] for h in runs.values()])
        x = np.cumsum(next(iter(runs.values())).steps) / 1000
        for y, ax in ((viol, ax1), (succ, ax2)):
            m = y.mean(axis=0)
            ms = np.convolve(np.pad(m, (smooth - 1, 0), mode="edge"), kernel, mode="valid")
            ax.plot(x, ms, color=colors.get(arm), label=arm)
            if y.shape[0] > 1:
                lo = np.convolve(np.pad(y.min(axis=0), (smooth - 1, 0), mode="edge"), kernel, mode="valid")
                hi = np.convolve(np.pad(y.max(axis=0), (smooth - 1, 0), mode="edge"), kernel, mode="valid")
                ax.fill_between(x, lo, hi, color=colors.get(arm), alpha=0.15, linewidth=0)
    ax1.set_yscale("symlog", linthresh=1.0)
    ax1.axhline(1.0, color="gray", linestyle=":", linewidth=1)
    ax1.set(xlabel="env steps (thousands)", ylabel="violations per 1,000 steps",
            title="Forbidden tool calls (coding-sandbox verdicts)")
    ax2.set(xlabel="env steps (thousands)", ylabel="task success", ylim=(0, 1.02), title="Task success")
    ax1.legend()
    seeds = ", ".join(map(str, cfg.seeds))
    fig.suptitle(f"RomeMiniature PPO: no guard vs rewardguard (seeds {seeds}; lines: mean, bands: min-max)"
                 if len(cfg.seeds) > 1 else f"RomeMiniature PPO: no guard vs rewardguard (seed {seeds})")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv: list[str] | None = None) -> dict:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", default=Config.out)
    p.add_argument("--seeds", type=int, nargs="+", default=list(Config.seeds))
    p.add_argument("--iterations", type=int, default=Config.iterations)
    p.add_argument("--num-envs", type=int, default=Config.num_envs)
    p.add_argument("--rollout", type=int, default=Config.rollout)
    p.add_argument("--arms", nargs="+", choices=ARMS, default=list(ARMS))
    p.add_argument("--no-audit", action="store_true",
                   help="do not write <out>/audit.db (by default it records every call of the first seed's runs)")
    p.add_argument("--no-progress", action="store_true")
    p.add_argument("--threads", type=int, default=1, help="torch threads (default 1: small nets)")
    p.add_argument("--set", nargs="*", default=[], metavar="KEY=VALUE",
                   help="override a Config field (e.g. lagrangian_ki=0.02)")
    a = p.parse_args(argv)
    extra = {}
    for kv in a.set:
        k, v = kv.split("=", 1)
        extra[k] = type(getattr(Config, k))(v)
    cfg = Config(**extra, seeds=tuple(a.seeds), iterations=a.iterations, num_envs=a.num_envs, rollout=a.rollout,
                 arms=tuple(a.arms), out=a.out, audit=not a.no_audit, progress=not a.no_progress)
    torch.set_num_threads(a.threads)
    out = Path(cfg.out)
    out.mkdir(parents=True, exist_ok=True)
    audit_path = None
    if cfg.audit:
        audit_path = str(out / "audit.db")
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(audit_path + suffix):
                os.remove(audit_path + suffix)
    policy = rg.Policy.load("coding-sandbox")

    from tqdm import tqdm
    total = cfg.iterations * len(cfg.arms) * len(cfg.seeds)
    bar = tqdm(total=total, unit="it", desc="PPO", disable=not cfg.progress, dynamic_ncols=True,
               mininterval=0.5)
    t0 = time.perf_counter()
    results: dict[str, dict[int, History]] = {}
    for arm in cfg.arms:
        results[arm] = {}
        for seed in cfg.seeds:
            audit = audit_path if seed == cfg.seeds[0] else None
            results[arm][seed] = run_arm(arm, seed, cfg, policy, audit, bar)
    bar.close()
    elapsed = time.perf_counter() - t0

    summary = summarize(results, policy.categories, cfg)
    md = markdown(summary, policy.categories, cfg)
    summary["config"] = {k: (list(v) if isinstance(v, tuple) else v) for k, v in cfg.__dict__.items()}
    summary["train_seconds"] = elapsed
    summary["history"] = {arm: {str(s): h.__dict__ for s, h in runs.items()} for arm, runs in results.items()}
    summary["categories"] = list(policy.categories)
    (out / "results.md").write_text(md)
    (out / "results.json").write_text(json.dumps(summary, indent=1))
    plot(results, cfg, out / "training.png")
    print()
    print(md)
    print(f"trained {len(cfg.arms)} arms x {len(cfg.seeds)} seeds in {elapsed:.0f} s; wrote "
          f"{out / 'results.md'}, {out / 'results.json'}, {out / 'training.png'}"
          + (f", {audit_path}" if audit_path else ""))
    return summary


if __name__ == "__main__":
    main()
