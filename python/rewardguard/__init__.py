"""rewardguard: policy-aware rewards for RL training of tool-using agents.

    import rewardguard as rg

    guard = rg.Guard(rg.Policy.load("coding-sandbox"), num_envs=64)
    verdicts = guard.evaluate([(env, "shell", "nmap 10.0.0.0/24"), ...])
    rewards = guard.shape(rewards, verdicts)   # r - costs @ weights, any device
    guard.reset(done_env_ids)

Submodules (imported on demand): ``rewardguard.gym`` (Gymnasium wrappers),
``rewardguard.torchrl`` (a TorchRL Transform), ``rewardguard.llm`` (token-level
shaping for GRPO/PPO), ``rewardguard.distributed`` (torch.distributed sync),
``rewardguard.lagrangian`` (PID Lagrange multipliers), ``rewardguard.trl``
(TRL GRPOTrainer tools, environments and penalty reward),
``rewardguard.skyrl`` (a SkyRL-gym BaseTextEnv wrapper), ``rewardguard.verl``
(veRL tools, reward manager and plugin), ``rewardguard.ray`` (guards in Ray
rollout workers, one coordinator for the multipliers). See docs/python.md.
"""

try:  # LibTorch must be loaded before the extension that links it.
    import torch as _torch  # noqa: F401
except ImportError:  # pragma: no cover
    pass

from . import _C
from ._core import Action, Calls, Guard, Policy, Verdicts, builtin_policies
from .lagrangian import Lagrangian
from .sandbox import Observed, Sandbox, SandboxResult

__version__ = "0.1.0"

__all__ = [
    "Action",
    "Calls",
    "Guard",
    "Lagrangian",
    "Observed",
    "Policy",
    "Sandbox",
    "SandboxResult",
    "Verdicts",
    "builtin_policies",
    "has_torch_ops",
]


def has_torch_ops() -> bool:
    """True when ``torch.ops.rewardguard.*`` (the LibTorch shaping ops) are registered."""
    return bool(_C.WITH_TORCH)
