// Helpers shared by the audit tests.
#ifndef REWARDGUARD_TESTS_AUDIT_TEST_UTIL_H_
#define REWARDGUARD_TESTS_AUDIT_TEST_UTIL_H_

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "gtest/gtest.h"
#include "rewardguard/audit/record.h"

namespace rewardguard::testing {

// A fresh directory under the test's temp dir, removed at scope exit.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "rg_audit_XXXXXX").string();
    path_ = mkdtemp(pattern.data());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string File(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// A record with everything set, distinguishable by `i`.
inline DecisionRecord SampleRecord(int64_t i, int64_t episode = 0) {
  DecisionRecord r;
  r.env = i % 4;
  r.episode = episode;
  r.step = i;
  r.kind = i % 3 == 0 ? EventKind::kObservation : EventKind::kCall;
  r.tool = i % 3 == 0 ? "sandbox" : "shell";
  r.arguments = "{\"command\":\"echo " + std::to_string(i) + "\"}";
  r.action = i % 5 == 0 ? Action::kBlock : Action::kAllow;
  r.penalty = i % 5 == 0 ? 1.5f : 0.0f;
  if (i % 5 == 0) {
    r.costs.emplace_back("network", 1.0f);
    r.costs.emplace_back("privilege", 0.5f);
    r.rules.push_back({"egress-allowlist", Action::kBlock});
  }
  r.rules.push_back({"run-programs", Action::kAllow});
  r.capabilities.push_back("shell.exec");
  if (i % 5 == 0) r.capabilities.push_back("net.egress.\"quoted\"");
  r.reason = i % 5 == 0 ? "`egress-allowlist`: blocked" : "";
  if (i % 2 == 0) {
    r.reward_before = 1.0 + static_cast<double>(i);
    r.reward_after = static_cast<double>(i) - 0.5;
  }
  r.timestamp_us = 1700000000000000 + i;
  return r;
}

}  // namespace rewardguard::testing

#endif  // REWARDGUARD_TESTS_AUDIT_TEST_UTIL_H_
