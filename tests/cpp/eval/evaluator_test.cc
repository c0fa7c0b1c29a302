// Graph semantics of the evaluator: inheritance, precedence, exceptions,
// defaults, fail-closed, budgets, flows, reset, batch == single.
#include "rewardguard/eval/evaluator.h"
#include "rewardguard/eval/internal/evaluator_peer.h"
#include "rewardguard/eval/step.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace rewardguard {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kPolicy[] = R"yaml(
version: 1
name: test
default: block
default_penalty: 0.5
capabilities:
  net.egress.http.api: net.egress.http
tools:
  shell: {analyzer: shell, command: $.command}
  http_get: {capability: net.egress.http, url: $.url}
  api_call: {capability: net.egress.http.api, url: $.url}
  read_file: {capability: fs.read, path: $.path}
  write_file: {capability: fs.write, path: $.path}
  noop: {}
rules:
  - id: files
    match: fs
    action: allow
  - id: tools
    match: tool.call
    action: allow
  - id: egress
    match: net.egress
    unless: {host: ["*.corp.example"], port: [443]}
    action: block
    penalty: 1
    reason: "egress outside the allow-list"
  - id: internal
    match: net
    when: {cidr: ["10.0.0.0/8"]}
    action: terminate
    penalty: 4
    category: privilege
    reason: "internal network"
  - id: http-warn
    match: net.egress.http
    when: {regex: {url: "debug"}}
    action: warn
    penalty: 0.25
  - id: secrets
    match: fs.read.secret
    action: block
    penalty: 2
budgets:
  - {id: http-budget, match: net.egress.http, max_per_episode: 2, action: penalize, penalty: 0.1}
flows:
  - {id: exfil, after: fs.read, then: net.egress, action: terminate, penalty: 10, category: exfiltration}
)yaml";

class EvaluatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto policy = LoadPolicyText(kPolicy, "test.yaml");
    ASSERT_TRUE(policy.ok()) << policy.status();
    policy_ = *policy;
  }
  int Category(std::string_view name) const { return *policy_->FindCategory(name); }
  std::vector<std::string> Rules(const Verdict& v) const {
    return std::vector<std::string>(v.rules.begin(), v.rules.end());
  }
  PolicyPtr policy_;
};

TEST_F(EvaluatorTest, AllowListExceptionAllows) {
  Evaluator e(policy_, 1);
  Verdict v = e.Evaluate(0, {"http_get", R"({"url":"https://git.corp.example/x"})"});
  EXPECT_EQ(v.action, Action::kAllow);
  EXPECT_EQ(v.penalty, 0.0f);
  EXPECT_TRUE(v.rules.empty());
  EXPECT_TRUE(v.reason.empty());
}

TEST_F(EvaluatorTest, RuleOnAncestorAppliesToDescendant) {
  Evaluator e(policy_, 1);
  // api_call maps to net.egress.http.api, declared by the file; `egress`
  // matches its ancestor net.egress.
  Verdict v = e.Evaluate(0, {"api_call", R"({"url":"https://api.example.com/"})"});
  EXPECT_EQ(v.action, Action::kBlock);
  EXPECT_THAT(Rules(v), ElementsAre("egress"));
  EXPECT_EQ(policy_->capability_name(v.capabilities[0]), "net.egress.http.api");
  EXPECT_THAT(v.reason, HasSubstr("egress outside the allow-list"));
  EXPECT_THAT(v.reason, HasSubstr("host=api.example.com"));
}

TEST_F(EvaluatorTest, ExceptionNeedsEveryKey) {
  Evaluator e(policy_, 1);
  // Allow-listed host but not port 443: the exception does not hold.
  Verdict v = e.Evaluate(0, {"http_get", R"({"url":"http://git.corp.example/x"})"});
  EXPECT_EQ(v.action, Action::kBlock);
}

TEST_F(EvaluatorTest, StrongestActionWinsAndPenaltiesAdd) {
  Evaluator e(policy_, 1);
  Verdict v = e.Evaluate(0, {"http_get", R"({"url":"http://10.1.2.3/debug"})"});
  EXPECT_EQ(v.action, Action::kTerminate);
  EXPECT_THAT(Rules(v), ElementsAre("egress", "internal", "http-warn"));
  EXPECT_FLOAT_EQ(v.penalty, 1.0f + 4.0f + 0.25f);
  EXPECT_FLOAT_EQ(v.costs[Category("network")], 1.25f);
  EXPECT_FLOAT_EQ(v.costs[Category("privilege")], 4.0f);
  // The reason names the rule that decided the action.
  EXPECT_THAT(v.reason, HasSubstr("`internal`"));
}

TEST_F(EvaluatorTest, WarnAloneKeepsTheCallRunning) {
  Evaluator e(policy_, 1);
  Verdict v = e.Evaluate(0, {"http_get", R"({"url":"https://git.corp.example/debug"})"});
  EXPECT_EQ(v.action, Action::kWarn);
  EXPECT_FLOAT_EQ(v.penalty, 0.25f);
}

TEST_F(EvaluatorTest, UncoveredFactGetsDefault) {
  Evaluator e(policy_, 1);
  Verdict v = e.Evaluate(0, ToolCall::Raw("shell", "ls"));  // shell.exec: no rule
  EXPECT_EQ(v.action, Action::kBlock);
  EXPECT_THAT(Rules(v), ElementsAre(std::string(kDefaultRuleId)));
  EXPECT_FLOAT_EQ(v.penalty, 0.5f);
}

TEST_F(EvaluatorTest, UnknownToolGetsDefault) {
  Evaluator e(policy_, 1);
  Verdict v = e.Evaluate(0, {"launch_rocket", "{}"});
  EXPECT_EQ(v.action, Action::kBlock);
  EXPECT_EQ(policy_->capability_name(v.capabilities[0]), "tool.unknown");
  EXPECT_THAT(v.reason, HasSubstr("launch_rocket"));
}

TEST_F(EvaluatorTest, MalformedArgumentsFailClosed) {
  Evaluator e(policy_, 1);
  for (const char* args : {"{not json", R"({"path": 3})", R"({})", "[1,2]", R"("two words")"}) {
    Verdict v = e.Evaluate(0, {"http_get", args});
    EXPECT_EQ(v.action, Action::kBlock) << args;
    EXPECT_EQ(policy_->capability_name(v.capabilities[0]), "tool.malformed") << args;
    EXPECT_FALSE(v.reason.empty()) << args;
  }
}

TEST_F(EvaluatorTest, FailClosedEvenWhenDefaultAllows) {
  auto lenient = LoadPolicyText(R"yaml(
version: 1
name: lenient
default: allow
tools:
  http_get: {capability: net.egress.http, url: $.url}
)yaml", "lenient.yaml");
  ASSERT_TRUE(lenient.ok()) << lenient.status();
  Evaluator e(*lenient, 1);
  EXPECT_EQ(e.Evaluate(0, {"http_get", R"({"url":"https://a.example"})"}).action, Action::kAllow);
  Verdict v = e.Evaluate(0, {"http_get", "{oops"});
  EXPECT_EQ(v.action, Action::kBlock);
  EXPECT_THAT(Rules(v), ElementsAre(std::string(kFailClosedRuleId)));
}

TEST_F(EvaluatorTest, ArgumentsAsJsonStringAndRawText) {
  Evaluator e(policy_, 1);
  // OpenAI style: the arguments object arrives as a JSON string.
  Verdict v1 = e.Evaluate(0, {"http_get", R"("{\"url\": \"https://git.corp.example/\"}")"});
  EXPECT_EQ(v1.action, Action::kAllow);
  Verdict v2 = e.Evaluate(0, ToolCall::Raw("http_get", "https://git.corp.example/"));
  EXPECT_EQ(v2.action, Action::kAllow);
}

TEST_F(EvaluatorTest, BudgetFiresBeyondMaxAndResets) {
  Evaluator e(policy_, 2);
  ToolCall ok{"http_get", R"({"url":"https://git.corp.example/"})"};
  EXPECT_EQ(e.Evaluate(0, ok).action, Action::kAllow);
  EXPECT_EQ(e.Evaluate(0, ok).action, Action::kAllow);
  Verdict third = e.Evaluate(0, ok);
  EXPECT_EQ(third.action, Action::kPenalize);
  EXPECT_THAT(Rules(third), ElementsAre("http-budget"));
  EXPECT_EQ(e.BudgetCount(0, 0), 3);
  EXPECT_EQ(e.BudgetCount(1, 0), 0);  // per env
  e.Reset(0);
  EXPECT_EQ(e.Evaluate(0, ok).action, Action::kAllow);
}

TEST_F(EvaluatorTest, BlockedEventsDoNotConsumeBudget) {
  Evaluator e(policy_, 1);
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(e.Evaluate(0, {"http_get", R"({"url":"https://x.example/"})"}).action,
              Action::kBlock);
  EXPECT_EQ(e.BudgetCount(0, 0), 0);
}

TEST_F(EvaluatorTest, FlowFiresAcrossStepsAndResets) {
  Evaluator e(policy_, 2);
  ToolCall read{"read_file", R"({"path":"notes.txt"})"};
  ToolCall send{"http_get", R"({"url":"https://git.corp.example/"})"};
  EXPECT_EQ(e.Evaluate(0, send).action, Action::kAllow);  // nothing read yet
  EXPECT_EQ(e.Evaluate(0, read).action, Action::kAllow);
  Verdict v = e.Evaluate(0, send);
  EXPECT_EQ(v.action, Action::kTerminate);
  EXPECT_THAT(Rules(v), ElementsAre("exfil"));
  EXPECT_FLOAT_EQ(v.costs[Category("exfiltration")], 10.0f);
  EXPECT_EQ(e.Evaluate(1, send).action, Action::kAllow);  // other env: untouched
  e.Reset(0);
  EXPECT_EQ(e.Evaluate(0, send).action, Action::kAllow);
}

TEST_F(EvaluatorTest, BlockedReadDoesNotTaintButShadowModeDoes) {
  ToolCall secret{"read_file", R"({"path":"~/.ssh/id_rsa"})"};
  ToolCall send{"http_get", R"({"url":"https://git.corp.example/"})"};
  Evaluator enforce(policy_, 1);
  EXPECT_EQ(enforce.Evaluate(0, secret).action, Action::kBlock);
  EXPECT_EQ(enforce.Evaluate(0, send).action, Action::kAllow);  // the read never ran
  Evaluator shadow(policy_, 1, {Mode::kShadow});
  EXPECT_EQ(shadow.Evaluate(0, secret).action, Action::kBlock);  // still reported
  EXPECT_EQ(shadow.Evaluate(0, send).action, Action::kTerminate);  // but it ran
}

TEST_F(EvaluatorTest, OutOfRangeEnvBlocks) {
  Evaluator e(policy_, 2);
  for (int env : {-1, 2, 1000}) {
    Verdict v = e.Evaluate(env, {"read_file", R"({"path":"a"})"});
    EXPECT_EQ(v.action, Action::kBlock) << env;
    EXPECT_THAT(v.reason, HasSubstr("env id out of range"));
  }
}

TEST_F(EvaluatorTest, BatchEqualsSingle) {
  std::vector<std::string> args = {
      R"({"url":"https://git.corp.example/"})", R"({"path":"notes.txt"})",
      R"({"url":"http://10.0.0.1/"})", "{bad", R"({"url":"https://git.corp.example/"})",
      R"({"url":"https://git.corp.example/"})", R"({"path":"~/.aws/credentials"})"};
  std::vector<std::string> tools = {"http_get", "read_file", "http_get", "http_get",
                                    "http_get", "http_get", "read_file"};
  std::vector<int32_t> envs = {0, 1, 2, 0, 1, 0, 2};
  std::vector<ToolCall> calls;
  for (size_t i = 0; i < args.size(); ++i) calls.push_back({tools[i], args[i]});

  Evaluator batch(policy_, 3), single(policy_, 3);
  std::vector<Verdict> out(calls.size());
  batch.EvaluateBatch(calls, envs, absl::MakeSpan(out));
  for (size_t i = 0; i < calls.size(); ++i) {
    Verdict v = single.Evaluate(envs[i], calls[i]);
    EXPECT_EQ(out[i].action, v.action) << i;
    EXPECT_EQ(out[i].penalty, v.penalty) << i;
    EXPECT_EQ(out[i].costs, v.costs) << i;
    EXPECT_EQ(Rules(out[i]), Rules(v)) << i;
    EXPECT_EQ(out[i].reason, v.reason) << i;
  }
  // Env 1 read a file, then sent: the flow fired inside the batch.
  EXPECT_EQ(out[4].action, Action::kTerminate);
}

TEST_F(EvaluatorTest, BatchSizeMismatchBlocksAll) {
  Evaluator e(policy_, 1);
  std::vector<ToolCall> calls(2, ToolCall{"read_file", R"({"path":"a"})"});
  std::vector<int32_t> envs = {0};
  std::vector<Verdict> out(2);
  e.EvaluateBatch(calls, envs, absl::MakeSpan(out));
  for (const Verdict& v : out) EXPECT_EQ(v.action, Action::kBlock);
}

TEST_F(EvaluatorTest, ObservedFactsAreJudgedLikeCalls) {
  Evaluator e(policy_, 1);
  FactList facts(1);
  facts[0].capability = "net.egress";
  facts[0].host = "10.9.9.9";
  facts[0].port = 22;
  Verdict v;
  internal::EvaluatorPeer::JudgeFacts(e, 0, "sandbox", facts, &v);
  EXPECT_EQ(v.action, Action::kTerminate);
  EXPECT_THAT(Rules(v), ElementsAre("egress", "internal"));
}

TEST_F(EvaluatorTest, TooManyFactsIsALimitVerdict) {
  auto small = LoadPolicyText(R"yaml(
version: 1
name: small
default: allow
limits: {max_facts_per_call: 2}
)yaml", "small.yaml");
  ASSERT_TRUE(small.ok()) << small.status();
  Evaluator e(*small, 1);
  FactList facts(5);
  for (Fact& f : facts) f.capability = "shell.exec";
  Verdict v;
  internal::EvaluatorPeer::JudgeFacts(e, 0, "shell", facts, &v);
  EXPECT_EQ(v.action, Action::kBlock);
  EXPECT_THAT(Rules(v), ElementsAre(std::string(kDefaultRuleId), std::string(kFailClosedRuleId)));
  EXPECT_THAT(v.reason, HasSubstr("exceed the limit"));
}

TEST_F(EvaluatorTest, CollectStepSumsPerEnv) {
  Evaluator e(policy_, 3);
  std::vector<ToolCall> calls = {
      {"http_get", R"({"url":"https://x.example/"})"},   // env 0: block, 1 network
      {"http_get", R"({"url":"http://10.0.0.1/"})"},     // env 0: terminate, 1+4
      {"read_file", R"({"path":"a"})"},                  // env 2: allow
      {"read_file", R"({"path":"a"})"}};                 // env 7: out of range
  std::vector<int32_t> envs = {0, 0, 2, 7};
  std::vector<Verdict> out(calls.size());
  e.EvaluateBatch(calls, envs, absl::MakeSpan(out));
  StepColumns step;
  CollectStep(e, out, envs, &step);
  const int c = step.num_categories;
  ASSERT_EQ(step.num_envs, 3);
  ASSERT_EQ(step.costs.size(), 3u * c);
  EXPECT_FLOAT_EQ(step.costs[Category("network")], 2.0f);
  EXPECT_FLOAT_EQ(step.costs[Category("privilege")], 4.0f);
  EXPECT_FLOAT_EQ(step.penalty[0], 6.0f);
  EXPECT_EQ(step.action[0], static_cast<int8_t>(Action::kTerminate));
  EXPECT_EQ(step.terminate, (std::vector<uint8_t>{1, 0, 0}));
  EXPECT_FLOAT_EQ(step.penalty[1] + step.penalty[2], 0.0f);

  Evaluator shadow(policy_, 3, {Mode::kShadow});
  shadow.EvaluateBatch(calls, envs, absl::MakeSpan(out));
  CollectStep(shadow, out, envs, &step);
  EXPECT_EQ(step.terminate, (std::vector<uint8_t>{0, 0, 0}));  // shadow never ends episodes
  EXPECT_FLOAT_EQ(step.penalty[0], 6.0f);                        // but still penalizes
}

}  // namespace
}  // namespace rewardguard
