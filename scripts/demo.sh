#!/usr/bin/env bash
# The main job: judges a recorded agent session (examples/traces/) with the
# built-in `coding-sandbox` policy and prints a readable report.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh > build.log 2>&1 || { tail -50 build.log; exit 1; }
.venv/bin/rewardguard eval --policy coding-sandbox \
  --input examples/traces/agent_session.jsonl --report
