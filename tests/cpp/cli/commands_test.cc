// The CLI's subcommands, run over streams: eval against a golden file, the
// error paths, lint and test.
#include "rewardguard/cli/commands.h"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace rewardguard {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string TestData(const std::string& name) {
  const char* root = std::getenv("REWARDGUARD_SOURCE_DIR");
  return std::string(root ? root : ".") + "/tests/cpp/cli/testdata/" + name;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(EvalCommand, MatchesGoldenVerdicts) {
  std::ifstream in(TestData("calls.jsonl"));
  ASSERT_TRUE(in) << TestData("calls.jsonl");
  std::ostringstream out, err;
  EvalCommandOptions options;
  options.policy = TestData("policy.yaml");
  EXPECT_EQ(RunEval(options, in, out, err), 0) << err.str();
  EXPECT_EQ(out.str(), ReadFile(TestData("verdicts.jsonl")));
  EXPECT_EQ(err.str(), "");
}

TEST(EvalCommand, OneVerdictPerNonBlankLineInOrder) {
  std::istringstream in(
      "{\"tool\":\"read_file\",\"arguments\":{\"path\":\"a\"}}\n\n  \n"
      "garbage\n{\"tool\":\"read_file\",\"arguments\":{\"path\":\"b\"}}");
  std::ostringstream out, err;
  EvalCommandOptions options;
  options.policy = TestData("policy.yaml");
  ASSERT_EQ(RunEval(options, in, out, err), 0);
  std::istringstream lines(out.str());
  std::string line;
  std::vector<std::string> got;
  while (std::getline(lines, line)) got.push_back(line);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_THAT(got[0], StartsWith("{\"action\":\"allow\""));
  EXPECT_THAT(got[1], StartsWith("{\"action\":\"block\""));
  EXPECT_THAT(got[1], HasSubstr("\"error\":\"line 4: not valid JSON\""));
  EXPECT_THAT(got[2], StartsWith("{\"action\":\"allow\""));
}

TEST(EvalCommand, ReportIsReadable) {
  std::ifstream in(TestData("calls.jsonl"));
  std::ostringstream out, err;
  EvalCommandOptions options;
  options.policy = TestData("policy.yaml");
  options.report = true;
  ASSERT_EQ(RunEval(options, in, out, err), 0);
  EXPECT_THAT(out.str(), HasSubstr("11 calls judged by policy `cli-golden`"));
  EXPECT_THAT(out.str(), HasSubstr("-> `egress`: egress outside the allow-list"));
  EXPECT_THAT(out.str(), HasSubstr("exfil x1"));
}

TEST(EvalCommand, BadPolicyExitsTwoWithPosition) {
  std::string path = ::testing::TempDir() + "/bad_policy.yaml";
  std::ofstream(path) << "version: 1\nname: bad\ndefault: maybe\n";
  std::istringstream in("");
  std::ostringstream out, err;
  EvalCommandOptions options;
  options.policy = path;
  EXPECT_EQ(RunEval(options, in, out, err), 2);
  EXPECT_THAT(err.str(), HasSubstr(path + ":3:10:"));
  EXPECT_EQ(out.str(), "");
}

TEST(PolicyCommands, LintSummarizes) {
  std::ostringstream out, err;
  EXPECT_EQ(RunPolicyLint(TestData("policy.yaml"), out, err), 0) << err.str();
  EXPECT_THAT(out.str(), HasSubstr("ok: policy `cli-golden` (version 1): 3 rules, 0 budgets, 1 flows"));
}

TEST(PolicyCommands, TestRunsInlineTests) {
  std::ostringstream out, err;
  EXPECT_EQ(RunPolicyTest(TestData("policy.yaml"), out, err), 0) << out.str() << err.str();
  EXPECT_EQ(out.str(), "2 passed, 0 failed\n");
}

TEST(PolicyCommands, FailingInlineTestNamesItsLine) {
  std::string path = ::testing::TempDir() + "/failing_tests.yaml";
  std::ofstream(path) << "version: 1\nname: t\ndefault: allow\ntools:\n"
                         "  read_file: {capability: fs.read, path: $.path}\n"
                         "tests:\n"
                         "  - {call: {tool: read_file, arguments: {path: a}}, expect: block}\n";
  std::ostringstream out, err;
  EXPECT_EQ(RunPolicyTest(path, out, err), 1);
  EXPECT_THAT(out.str(), HasSubstr(path + ":7:5: FAIL `read_file`"));
  EXPECT_THAT(out.str(), HasSubstr("expected block, got allow"));
  EXPECT_THAT(out.str(), HasSubstr("0 passed, 1 failed"));
}

}  // namespace
}  // namespace rewardguard
