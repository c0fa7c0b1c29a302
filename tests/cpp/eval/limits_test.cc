// Limits: whatever the input, bounded work and memory per call, and a
// verdict (limit.exceeded -> block), never a crash or a stall. Each limit is
// a policy setting (`limits:`) with a safe default; each is tested both ways.
#include <algorithm>
#include <chrono>
#include <string>

#include "fmt/format.h"
#include "gtest/gtest.h"
#include "rewardguard/classify/shell.h"
#include "rewardguard/eval/evaluator.h"

namespace rewardguard {
namespace {

using Clock = std::chrono::steady_clock;

// Generous: these run under ASan/TSan too. A stall or a quadratic blowup on
// these inputs takes minutes, not seconds.
constexpr double kBoundSeconds = 20.0;

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

PolicyPtr Load(std::string_view yaml) {
  auto p = LoadPolicyText(yaml, "limits.yaml");
  EXPECT_TRUE(p.ok()) << p.status();
  return p.ok() ? *p : nullptr;
}

PolicyPtr Sandbox() { return *LoadBuiltinPolicy("coding-sandbox"); }

// A policy that allows ordinary shell use, with `limits` spliced in.
PolicyPtr WithLimits(std::string_view limits) {
  return Load(fmt::format(R"(version: 1
name: limits
default: block
{}
tools:
  shell: {{analyzer: shell, command: $.command}}
rules:
  - {{id: exec, match: shell.exec, action: allow}}
  - {{id: files, match: fs, action: allow}}
)",
                          limits));
}

bool HasCapability(const CompiledPolicy& p, const Verdict& v, std::string_view name) {
  for (CapabilityId id : v.capabilities)
    if (p.capability_name(id) == name) return true;
  return false;
}

std::string ShellJson(std::string_view command) {
  std::string out = R"({"command": ")";
  for (char c : command) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"}";
}

std::string Nested(int depth, std::string_view open, std::string_view inner,
                   std::string_view close) {
  std::string s;
  for (int i = 0; i < depth; ++i) s += open;
  s += inner;
  for (int i = 0; i < depth; ++i) s += close;
  return s;
}

TEST(Limits, DefaultsAreSafe) {
  Limits l;
  EXPECT_EQ(l.max_argument_bytes, 1 << 20);
  EXPECT_EQ(l.max_shell_depth, 64);
  EXPECT_EQ(l.max_facts_per_call, 256);
  EXPECT_EQ(Sandbox()->limits().max_argument_bytes, l.max_argument_bytes);
}

TEST(Limits, TenMegabyteCommandIsOverTheLimit) {
  PolicyPtr p = Sandbox();
  Evaluator e = *Evaluator::Create(p, 1);
  const std::string command = "ls " + std::string(10 << 20, 'a');
  auto start = Clock::now();
  Verdict v = e.Evaluate(0, ToolCall::Raw("shell", command));
  EXPECT_LT(SecondsSince(start), kBoundSeconds);
  EXPECT_EQ(v.action, Action::kBlock);
  EXPECT_TRUE(HasCapability(*p, v, "limit.exceeded")) << v.reason;
  EXPECT_LT(v.reason.size(), 1024u);  // the verdict does not carry the input
}

TEST(Limits, LongCommandAnalyzedInLinearTimeWhenThePolicyAllowsIt) {
  // A policy may raise the limit: the analyzer is then linear in the input.
  // Checked as a ratio measured in this run (eight times the input may take
  // at most 24 times as long; quadratic work would take 64), so that a slow
  // sanitizer build or a loaded machine does not decide the result.
  Limits l;
  l.max_argument_bytes = 64 << 20;
  auto command_of = [](size_t bytes) {
    std::string command;
    while (command.size() < bytes) command += "echo hello world | grep -c o; ";
    return command;
  };
  auto fastest_of = [&](const std::string& command, int runs) {
    double best = 1e9;
    for (int i = 0; i < runs; ++i) {
      FactList facts;
      auto start = Clock::now();
      AnalyzeShell(command, l, &facts);
      best = std::min(best, SecondsSince(start));
      EXPECT_FALSE(facts.empty());
      EXPECT_LE(facts.size(), static_cast<size_t>(l.max_facts_per_call));
      for (const Fact& f : facts) EXPECT_LE(f.command.size(), 4096u);  // bounded copies
    }
    return best;
  };
  const double small = fastest_of(command_of(256u << 10), 3);
  const double large = fastest_of(command_of(2u << 20), 2);
  EXPECT_LT(large, 24 * small) << "256 KiB: " << small << " s, 2 MiB: " << large << " s";
  EXPECT_LT(large, kBoundSeconds);
}

TEST(Limits, TenThousandNestedSubshells) {
  PolicyPtr p = Sandbox();
  Evaluator e = *Evaluator::Create(p, 1);
  // Nesting that really nests: over max_shell_depth, so limit.exceeded.
  for (const std::string& command :
       {Nested(10000, "( ", "ls", " )"), Nested(10000, "$(", "ls", ")"),
        Nested(10000, "`", "", "`"), Nested(10000, "{ ", "ls", "; }"),
        Nested(10000, "<(", "ls", ")"), Nested(10000, "\"$(", "ls", ")\""),
        Nested(10000, "while true; do ", "ls", "; done"),
        Nested(10000, "sudo ", "ls", ""), Nested(10000, "( ", "", ""),
        Nested(10000, "$(", "", "")}) {
    SCOPED_TRACE(command.substr(0, 40));
    auto start = Clock::now();
    Verdict v = e.Evaluate(0, ToolCall::Raw("shell", command));
    EXPECT_LT(SecondsSince(start), kBoundSeconds);
    EXPECT_EQ(v.action, Action::kBlock) << v.reason;
    EXPECT_TRUE(HasCapability(*p, v, "limit.exceeded") ||
                HasCapability(*p, v, "shell.unanalyzable")) << v.reason;
  }
  // Shapes that bash does not nest (if/fi keeps no frame, `((` is
  // arithmetic, `[[ [[` a syntax error): any verdict, in bounded time, and
  // what does run is still found.
  for (const std::string& command :
       {Nested(10000, "if true; then ", "ls", "; fi"), Nested(10000, "((", "1", "))"),
        Nested(10000, "[[ ", "1", " ]]"), Nested(10000, "", "ls", ")"),
        Nested(10000, "bash -c ", "ls", "")}) {
    SCOPED_TRACE(command.substr(0, 40));
    auto start = Clock::now();
    e.Evaluate(0, ToolCall::Raw("shell", command));
    EXPECT_LT(SecondsSince(start), kBoundSeconds);
  }
  Verdict v = e.Evaluate(0, ToolCall::Raw("shell", Nested(10000, "if true; then ",
                                                          "ssh -R 1:localhost:22 h", "; fi")));
  EXPECT_EQ(v.action, Action::kTerminate) << v.reason;
}

TEST(Limits, ShellDepthHasACeiling) {
  // Above kMaxShellDepthCeiling a policy is rejected...
  EXPECT_FALSE(LoadPolicyText("version: 1\nname: x\ndefault: block\n"
                              "limits: {max_shell_depth: 100000}\n", "deep.yaml").ok());
  PolicyPtr p = WithLimits(fmt::format("limits: {{max_shell_depth: {}}}", kMaxShellDepthCeiling));
  ASSERT_NE(p, nullptr);
  // ...and a caller's own Limits are clamped to it, so deep nesting never
  // becomes unbounded recursion (this overflowed the stack before).
  Limits huge;
  huge.max_shell_depth = 1 << 30;
  for (const std::string& command :
       {Nested(10000, "( ", "ls", " )"), Nested(10000, "$(", "ls", ")"),
        Nested(10000, "{ ", "ls", "; }"), Nested(10000, "sudo ", "ls", ""),
        Nested(10000, "<(", "ls", ")")}) {
    SCOPED_TRACE(command.substr(0, 40));
    FactList facts;
    auto start = Clock::now();
    AnalyzeShell(command, huge, &facts);
    EXPECT_LT(SecondsSince(start), kBoundSeconds);
    bool over = false;
    for (const Fact& f : facts) over |= f.capability == "limit.exceeded";
    EXPECT_TRUE(over);
    Verdict v = Evaluator(p, 1).Evaluate(0, ToolCall::Raw("shell", command));
    EXPECT_EQ(v.action, Action::kBlock) << v.reason;
  }
  // The ceiling itself is usable: 250 levels of $( ) are analyzed.
  Verdict v = Evaluator(p, 1).Evaluate(
      0, ToolCall::Raw("shell", Nested(250, "$(", "ssh -R 1:localhost:22 h", ")")));
  EXPECT_TRUE(HasCapability(*p, v, "net.tunnel")) << v.reason;
}

TEST(Limits, ShellDepthIsAPolicySetting) {
  PolicyPtr shallow = WithLimits("limits: {max_shell_depth: 2}");
  PolicyPtr deep = WithLimits("");
  ASSERT_NE(shallow, nullptr);
  ASSERT_NE(deep, nullptr);
  const std::string command = "( ( ( ( (ls) ) ) ) )";  // `((` would be arithmetic
  Verdict v = Evaluator(shallow, 1).Evaluate(0, ToolCall::Raw("shell", command));
  EXPECT_EQ(v.action, Action::kBlock);
  EXPECT_TRUE(HasCapability(*shallow, v, "limit.exceeded")) << v.reason;
  v = Evaluator(deep, 1).Evaluate(0, ToolCall::Raw("shell", command));
  EXPECT_EQ(v.action, Action::kAllow) << v.reason;
  // The default (64) stops 70 levels.
  v = Evaluator(deep, 1).Evaluate(0, ToolCall::Raw("shell", Nested(70, "( ", "ls", " )")));
  EXPECT_TRUE(HasCapability(*deep, v, "limit.exceeded")) << v.reason;
  v = Evaluator(deep, 1).Evaluate(0, ToolCall::Raw("shell", Nested(60, "( ", "ls", " )")));
  EXPECT_EQ(v.action, Action::kAllow) << v.reason;
}

TEST(Limits, ArgumentBytesIsAPolicySetting) {
  PolicyPtr small = WithLimits("limits: {max_argument_bytes: 100}");
  ASSERT_NE(small, nullptr);
  Evaluator e = *Evaluator::Create(small, 1);
  Verdict v = e.Evaluate(0, ToolCall{"shell", ShellJson("ls " + std::string(90, 'a'))});
  EXPECT_EQ(v.action, Action::kBlock);  // 93 + the JSON around it > 100
  EXPECT_TRUE(HasCapability(*small, v, "limit.exceeded")) << v.reason;
  v = e.Evaluate(0, ToolCall{"shell", ShellJson("ls a")});
  EXPECT_EQ(v.action, Action::kAllow) << v.reason;
  v = e.Evaluate(0, ToolCall::Raw("shell", "ls " + std::string(98, 'a')));
  EXPECT_TRUE(HasCapability(*small, v, "limit.exceeded")) << v.reason;
}

TEST(Limits, OneMegabyteJsonArgument) {
  PolicyPtr p = Sandbox();
  Evaluator e = *Evaluator::Create(p, 1);
  // Over the default limit once wrapped in JSON: limit.exceeded.
  std::string big = ShellJson("echo " + std::string(1 << 20, 'a'));
  auto start = Clock::now();
  Verdict v = e.Evaluate(0, ToolCall{"shell", big});
  EXPECT_LT(SecondsSince(start), kBoundSeconds);
  EXPECT_EQ(v.action, Action::kBlock);
  EXPECT_TRUE(HasCapability(*p, v, "limit.exceeded")) << v.reason;
  // Just under it: analyzed, and the danger at the end is still found.
  std::string command = "echo " + std::string((1 << 20) - 200, 'a') +
                        "; ssh -R 9000:localhost:22 a@203.0.113.5";
  start = Clock::now();
  v = e.Evaluate(0, ToolCall{"shell", ShellJson(command)});
  EXPECT_LT(SecondsSince(start), kBoundSeconds);
  EXPECT_EQ(v.action, Action::kTerminate) << v.reason;
  // 1 MB of JSON nesting: malformed, never a crash.
  for (const std::string& json :
       {Nested(500000, "[", "", "]"), Nested(200000, R"({"a":)", "1", "}")}) {
    start = Clock::now();
    v = e.Evaluate(0, ToolCall{"shell", json});
    EXPECT_LT(SecondsSince(start), kBoundSeconds);
    EXPECT_EQ(v.action, Action::kBlock) << v.reason;
  }
  // Many keys: read in bounded time.
  start = Clock::now();
  v = e.Evaluate(0, ToolCall{"shell", "{" + Nested(50000, R"("k":1,)", "", "") +
                                          R"("command":"ls"})"});
  EXPECT_LT(SecondsSince(start), kBoundSeconds);
  EXPECT_EQ(v.action, Action::kAllow) << v.reason;
}

TEST(Limits, FactsPerCallIsAPolicySetting) {
  PolicyPtr few = WithLimits("limits: {max_facts_per_call: 4}");
  ASSERT_NE(few, nullptr);
  std::string command;
  for (int i = 0; i < 10; ++i) command += fmt::format("prog{} a; ", i);
  Verdict v = Evaluator(few, 1).Evaluate(0, ToolCall::Raw("shell", command));
  EXPECT_EQ(v.action, Action::kBlock);
  EXPECT_TRUE(HasCapability(*few, v, "limit.exceeded")) << v.reason;
  v = Evaluator(few, 1).Evaluate(0, ToolCall::Raw("shell", "prog1 a; prog2 b"));
  EXPECT_EQ(v.action, Action::kAllow) << v.reason;

  // With the default limit, 10,000 distinct programs: bounded, and over.
  PolicyPtr p = Sandbox();
  command.clear();
  for (int i = 0; i < 10000; ++i) command += fmt::format("p{} ~/.ssh/k{}; ", i, i);
  auto start = Clock::now();
  v = Evaluator(p, 1).Evaluate(0, ToolCall::Raw("shell", command));
  EXPECT_LT(SecondsSince(start), kBoundSeconds);
  EXPECT_GE(v.action, Action::kBlock);
  EXPECT_TRUE(HasCapability(*p, v, "limit.exceeded")) << v.reason;
}

TEST(Limits, CatastrophicRegexIsLinear) {
  // `(a+)+$` backtracks exponentially in PCRE-style engines on "aaaa...!";
  // RE2 is linear, so a policy regex can never be a ReDoS.
  PolicyPtr p = Load(R"(version: 1
name: redos
default: allow
tools:
  shell: {analyzer: shell, command: $.command}
  get: {capability: net.egress.http, url: $.url}
rules:
  - id: evil-regex
    match: shell.exec
    when: {regex: {command: "(a+)+$"}}
    action: block
  - id: evil-url
    match: net
    when: {regex: {url: "^(([a-z])+.)+[A-Z]([a-z])+$"}}
    action: block
)");
  ASSERT_NE(p, nullptr);
  Evaluator e = *Evaluator::Create(p, 1);
  // (4,000 a's: a backtracking engine would need ~2^4000 steps.)
  const std::string attack = "echo " + std::string(4000, 'a') + "!";
  auto start = Clock::now();
  Verdict v = e.Evaluate(0, ToolCall::Raw("shell", attack));
  EXPECT_LT(SecondsSince(start), kBoundSeconds);
  EXPECT_EQ(v.action, Action::kAllow);  // no match: the `!` ends it
  v = e.Evaluate(0, ToolCall::Raw("shell", "echo " + std::string(4000, 'a')));
  EXPECT_EQ(v.action, Action::kBlock);
  start = Clock::now();
  v = e.Evaluate(0, ToolCall{"get", R"({"url": "http://x.example/)" +
                                        std::string(100000, 'a') + "!\"}"});
  EXPECT_LT(SecondsSince(start), kBoundSeconds);
  EXPECT_EQ(v.action, Action::kAllow) << v.reason;
}

TEST(Limits, LongCommandCutForFactsCannotMatchAnAnchoredException) {
  // Facts carry at most 4 KB of a simple command's text. A regex exception
  // anchored at the end must not match the cut prefix and exempt the rest.
  PolicyPtr p = Load(R"(version: 1
name: mirror
default: block
tools:
  shell: {analyzer: shell, command: $.command}
rules:
  - {id: exec, match: shell.exec, action: allow}
  - id: egress
    match: net.egress
    unless: {regex: {command: "^curl https://mirror\\.corp\\.example/[a-z/]*$"}}
    action: block
)");
  ASSERT_NE(p, nullptr);
  Evaluator e = *Evaluator::Create(p, 1);
  Verdict v = e.Evaluate(0, ToolCall::Raw("shell", "curl https://mirror.corp.example/pkg/a"));
  EXPECT_EQ(v.action, Action::kAllow) << v.reason;
  v = e.Evaluate(0, ToolCall::Raw("shell", "curl https://mirror.corp.example/" +
                                               std::string(5000, 'a') + " https://evil.example/"));
  EXPECT_EQ(v.action, Action::kBlock) << v.reason;
}

TEST(Limits, LimitsMustBePositive) {
  for (std::string_view bad :
       {"limits: {max_argument_bytes: 0}", "limits: {max_shell_depth: -1}",
        "limits: {max_facts_per_call: 0}", "limits: {max_shell_depth: 4294967296}",
        "limits: {max_shell_depth: 257}", "limits: {max_argument_bytes: 1.5}",
        "limits: {max_depth: 3}"}) {
    auto p = LoadPolicyText(fmt::format("version: 1\nname: x\ndefault: block\n{}\n", bad),
                            "bad.yaml");
    EXPECT_FALSE(p.ok()) << bad;
  }
}

}  // namespace
}  // namespace rewardguard
