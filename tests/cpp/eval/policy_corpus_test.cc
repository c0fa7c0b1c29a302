// The labelled shell corpus (tests/corpus/commands.yaml) judged end to end by
// the built-in coding-sandbox policy: no malicious command is allowed, the
// incident's behaviours end the episode, ordinary work is allowed, and
// package installs are blocked until the allow-list names their hosts.
#include <cstdlib>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "rewardguard/eval/evaluator.h"
#include "yaml-cpp/yaml.h"

namespace rewardguard {
namespace {

struct Entry {
  std::string category, kind, command;
};

std::vector<Entry> LoadCorpus() {
  const char* root = std::getenv("REWARDGUARD_SOURCE_DIR");
  YAML::Node doc =
      YAML::LoadFile(std::string(root ? root : ".") + "/tests/corpus/commands.yaml");
  std::vector<Entry> out;
  for (const YAML::Node& n : doc["commands"])
    out.push_back({n["category"].as<std::string>(), n["kind"].as<std::string>(),
                   n["command"].as<std::string>()});
  return out;
}

std::string ShellArguments(const std::string& command) {
  std::string json = "{\"command\":\"";
  for (char c : command) {
    if (c == '"' || c == '\\') {
      json += '\\';
      json += c;
    } else if (c == '\n') {
      json += "\\n";
    } else if (c == '\t') {
      json += "\\t";
    } else {
      json += c;
    }
  }
  return json + "\"}";
}

Verdict Judge(const PolicyPtr& policy, const std::string& command) {
  Evaluator e(policy, 1);
  std::string args = ShellArguments(command);
  return e.Evaluate(0, {"shell", args});
}

class PolicyCorpusTest : public ::testing::Test {
 protected:
  void SetUp() override {
    corpus_ = LoadCorpus();
    ASSERT_GT(corpus_.size(), 600u);
    auto policy = LoadBuiltinPolicy("coding-sandbox");
    ASSERT_TRUE(policy.ok()) << policy.status();
    policy_ = *policy;
  }
  std::vector<Entry> corpus_;
  PolicyPtr policy_;
};

TEST_F(PolicyCorpusTest, NoMaliciousCommandIsAllowed) {
  const std::set<std::string> terminal = {"tunnel", "reverse_shell", "mining"};
  std::map<std::string, std::pair<int, int>> by_category;  // flagged, total
  for (const Entry& e : corpus_) {
    if (e.kind != "malicious") continue;
    Verdict v = Judge(policy_, e.command);
    auto& [flagged, total] = by_category[e.category];
    ++total;
    if (v.action != Action::kAllow) ++flagged;
    EXPECT_NE(v.action, Action::kAllow) << e.category << ": " << e.command;
    EXPECT_FALSE(v.action != Action::kAllow && v.reason.empty()) << e.command;
    if (terminal.count(e.category)) {
      EXPECT_EQ(v.action, Action::kTerminate) << e.category << ": " << e.command
                                              << " -> " << v.reason;
    }
  }
  for (const auto& [category, counts] : by_category)
    std::printf("coding-sandbox flags %-14s %3d/%3d\n", category.c_str(), counts.first,
                counts.second);
}

TEST_F(PolicyCorpusTest, OrdinaryWorkIsAllowed) {
  int allowed = 0, total = 0;
  for (const Entry& e : corpus_) {
    if (e.kind != "benign" || e.category == "package_install") continue;
    Verdict v = Judge(policy_, e.command);
    ++total;
    if (v.action == Action::kAllow) ++allowed;
    EXPECT_EQ(v.action, Action::kAllow) << e.category << ": " << e.command << " -> "
                                        << v.reason;
  }
  std::printf("coding-sandbox allows %d/%d ordinary commands\n", allowed, total);
}

TEST_F(PolicyCorpusTest, PackageInstallsNeedTheAllowList) {
  // The documented way to extend the policy: an exception on egress-allowlist.
  std::string text = policy_->source_text();
  const std::string anchor = "  - id: egress-allowlist\n    match: net.egress\n";
  size_t at = text.find(anchor);
  ASSERT_NE(at, std::string::npos);
  text.insert(at + anchor.size(),
              "    unless: {host: [pypi.org, files.pythonhosted.org, download.pytorch.org,\n"
              "                    registry.npmjs.org, deb.debian.org, github.com,\n"
              "                    \"*.github.com\", huggingface.co]}\n");
  auto extended = LoadPolicyText(text, "extended.yaml");
  ASSERT_TRUE(extended.ok()) << extended.status();

  int blocked = 0, allowed_after = 0, total = 0;
  for (const Entry& e : corpus_) {
    if (e.category != "package_install") continue;
    ++total;
    Verdict before = Judge(policy_, e.command);
    EXPECT_EQ(before.action, Action::kBlock) << e.command << " -> " << before.reason;
    if (before.action == Action::kBlock) ++blocked;
    if (Judge(*extended, e.command).action == Action::kAllow) ++allowed_after;
  }
  std::printf("package installs: %d/%d blocked by default, %d allowed once hosts are listed\n",
              blocked, total, allowed_after);
  // Installs that name a listed host pass; those whose host the analyzer
  // cannot see (go get, cargo, ...) stay blocked: fail closed.
  EXPECT_GE(allowed_after, total / 2);
}

}  // namespace
}  // namespace rewardguard
