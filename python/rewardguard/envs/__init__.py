"""Small envs of rewardguard's own, registered with Gymnasium on import.

    import gymnasium, rewardguard.envs
    env = gymnasium.make("rewardguard/ToolSandbox-v0")
    env = gymnasium.make("rewardguard/Shell-v0", template="task/")   # real commands, sandboxed
"""

import gymnasium

from .shell import ShellEnv
from .tool_sandbox import (MENU, NOOP, ToolSandboxEnv, tool_calls, vector_blocked_observation,
                           vector_tool_calls)

__all__ = ["MENU", "NOOP", "ShellEnv", "ToolSandboxEnv", "tool_calls", "vector_blocked_observation", "vector_tool_calls"]

if "rewardguard/ToolSandbox-v0" not in gymnasium.registry:
    gymnasium.register(
        id="rewardguard/ToolSandbox-v0",
        entry_point="rewardguard.envs.tool_sandbox:ToolSandboxEnv",
        vector_entry_point=None,
    )

if "rewardguard/Shell-v0" not in gymnasium.registry:
    gymnasium.register(id="rewardguard/Shell-v0", entry_point="rewardguard.envs.shell:ShellEnv")
