#!/usr/bin/env bash
# The main job: builds rewardguard, then trains a PPO agent on a tool-use env
# whose forbidden shortcuts pay (examples/rome_miniature) three ways -- no
# guard, fixed penalties, Lagrange multipliers -- and prints what each agent
# learned: task success, return, violations per 1,000 steps. Writes the table,
# a plot, the audit trail and its plot into out/rome_miniature/. About 2 minutes on 2
# cores after the build. Extra arguments go to train.py (e.g. --seeds 0).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh > build.log 2>&1 || { tail -50 build.log; exit 1; }
.venv/bin/python examples/rome_miniature/train.py --out out/rome_miniature "$@"
echo
echo "== audit trail (.venv/bin/rewardguard audit summary out/rome_miniature/audit.db)"
.venv/bin/rewardguard audit summary out/rome_miniature/audit.db --top 3
.venv/bin/rewardguard audit plot out/rome_miniature/audit.db -o out/rome_miniature/violations.png
