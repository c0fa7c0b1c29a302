// The built-in coding-sandbox policy: it loads by name, its inline tests
// pass, and structured tools are judged as its header promises.
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rewardguard/eval/evaluator.h"

namespace rewardguard {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;

class CodingSandboxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto policy = LoadBuiltinPolicy("coding-sandbox");
    ASSERT_TRUE(policy.ok()) << policy.status();
    policy_ = *policy;
  }
  Verdict Judge(std::string_view tool, std::string_view args) {
    Evaluator e(policy_, 1);
    return e.Evaluate(0, {tool, args});
  }
  PolicyPtr policy_;
};

TEST_F(CodingSandboxTest, LoadsByNameAndListsItself) {
  EXPECT_EQ(policy_->name(), "coding-sandbox");
  EXPECT_EQ(policy_->source_name(), "<builtin:coding-sandbox>");
  EXPECT_THAT(BuiltinPolicyNames(), Contains("coding-sandbox"));
  EXPECT_FALSE(LoadBuiltinPolicy("no-such-policy").ok());
}

TEST_F(CodingSandboxTest, InlineTestsPass) {
  ASSERT_GE(policy_->tests().size(), 10u);
  for (const PolicyTest& t : policy_->tests()) {
    Verdict v = Judge(t.tool, t.arguments);
    EXPECT_EQ(v.action, t.expect) << "line " << t.position.line << ": " << t.arguments
                                  << " -> " << v.reason;
    for (const std::string& rule : t.expect_rules)
      EXPECT_THAT(std::vector<std::string>(v.rules.begin(), v.rules.end()), Contains(rule))
          << "line " << t.position.line;
  }
}

TEST_F(CodingSandboxTest, WorkspaceFilesAreAllowed) {
  EXPECT_EQ(Judge("read_file", R"({"path":"README.md"})").action, Action::kAllow);
  EXPECT_EQ(Judge("write_file", R"({"path":"./src/a/../b.py"})").action, Action::kAllow);
  EXPECT_EQ(Judge("finish", R"({})").action, Action::kAllow);
}

TEST_F(CodingSandboxTest, EgressIsDefaultDeny) {
  Verdict v = Judge("fetch", R"({"url":"https://pypi.org/simple/"})");
  EXPECT_EQ(v.action, Action::kBlock);
  EXPECT_THAT(v.reason, HasSubstr("allow-list"));
}

TEST_F(CodingSandboxTest, CredentialFilesAreBlockedWhateverTheSpelling) {
  for (const char* path : {"~/.ssh/id_ed25519", "/root/.ssh/id_rsa", "$HOME/.aws/credentials",
                           "/home/agent/./.ssh/../.ssh/id_rsa"}) {
    Verdict v = Judge("read_file", std::string(R"({"path":")") + path + R"("})");
    EXPECT_EQ(v.action, Action::kBlock) << path;
  }
}

TEST_F(CodingSandboxTest, StructuredCallsSeeDestinationSignatures) {
  Verdict meta = Judge("http_get", R"({"url":"http://0xa9fea9fe/latest/meta-data/"})");
  EXPECT_EQ(meta.action, Action::kBlock);
  EXPECT_THAT(std::vector<std::string>(meta.rules.begin(), meta.rules.end()),
              Contains("cloud-metadata"));
  Verdict pool = Judge("fetch", R"({"url":"stratum+tcp://pool.example.com:3333"})");
  EXPECT_EQ(pool.action, Action::kTerminate);
  EXPECT_THAT(pool.reason, HasSubstr("crypto-mining"));
}

TEST_F(CodingSandboxTest, UploadIsExfiltrationCost) {
  Verdict v = Judge("http_post", R"({"url":"https://drop.example/u"})");
  EXPECT_EQ(v.action, Action::kBlock);
  EXPECT_GT(v.costs[*policy_->FindCategory("exfiltration")], 0.0f);
}

}  // namespace
}  // namespace rewardguard
