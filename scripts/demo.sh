#!/usr/bin/env bash
# The main job: builds rewardguard, then trains a small language model with
# TRL's GRPOTrainer on shell tasks whose commands really run in rewardguard's
# sandbox, where forbidden shortcuts pay (examples/llm_shortcut), three ways --
# no guard, fixed penalties, Lagrange multipliers -- with the same seeds, and
# prints what each learned: task success, violations per 1,000 calls by
# category and by whether the text or the runtime caught them. Writes the
# table, a plot, the audit trail and its plot into out/llm_shortcut/. About
# 16 minutes on a busy 2-core machine after the build. Extra arguments go to train.py (e.g.
# --seeds 0, --quick). The fast miniature (a PPO policy over command tokens,
# a simulated machine, 2 minutes): examples/rome_miniature/train.py.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh > build.log 2>&1 || { tail -50 build.log; exit 1; }
.venv/bin/python examples/llm_shortcut/train.py --out out/llm_shortcut "$@"
echo
echo "== audit trail (.venv/bin/rewardguard audit summary out/llm_shortcut/audit.db)"
.venv/bin/rewardguard audit summary out/llm_shortcut/audit.db --top 3
.venv/bin/rewardguard audit plot out/llm_shortcut/audit.db -o out/llm_shortcut/violations.png
