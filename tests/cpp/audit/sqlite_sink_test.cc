#include "rewardguard/audit/sqlite_sink.h"

#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "gtest/gtest.h"
#include "rewardguard/audit/internal/db.h"
#include "rewardguard/audit/replay.h"
#include "rewardguard/eval/evaluator.h"
#include "test_util.h"

namespace rewardguard {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;
using testing::SampleRecord;
using testing::TempDir;

RunInfo TestRun(std::string name) {
  RunInfo run;
  run.name = std::move(name);
  run.policy_name = "test-policy";
  run.policy_source = "<test>";
  run.policy_text = "abc";
  return run;
}

// Another connection holding the write lock, as a second trainer might.
class ExclusiveLock {
 public:
  explicit ExclusiveLock(const std::string& path) {
    EXPECT_EQ(sqlite3_open(path.c_str(), &db_), SQLITE_OK);
    EXPECT_EQ(sqlite3_exec(db_, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr), SQLITE_OK);
  }
  void Release() {
    if (db_ == nullptr) return;
    sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr);
    sqlite3_close(db_);
    db_ = nullptr;
  }
  ~ExclusiveLock() { Release(); }

 private:
  sqlite3* db_ = nullptr;
};

TEST(Sha256, KnownVectors) {
  EXPECT_EQ(audit_internal::Sha256Hex(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(audit_internal::Sha256Hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(audit_internal::Sha256Hex(
                "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(SqliteSink, RoundTrip) {
  TempDir dir;
  const std::string path = dir.File("audit.db");
  std::vector<DecisionRecord> written;
  int64_t run_id = 0;
  {
    auto sink = SqliteSink::Open(path, TestRun("round-trip"));
    ASSERT_TRUE(sink.ok()) << sink.status();
    run_id = (*sink)->run_id();
    for (int i = 0; i < 50; ++i) {
      written.push_back(SampleRecord(i));
      ASSERT_TRUE((*sink)->Write(written.back()).ok());
    }
    ASSERT_TRUE((*sink)->Close().ok());
    EXPECT_EQ((*sink)->committed(), 50);
    EXPECT_EQ((*sink)->discarded(), 0);
  }
  auto reader = AuditReader::Open(path);
  ASSERT_TRUE(reader.ok()) << reader.status();
  auto read = reader->ReadRecords(run_id);
  ASSERT_TRUE(read.ok()) << read.status();
  ASSERT_EQ(read->size(), written.size());
  for (size_t i = 0; i < written.size(); ++i) {
    written[i].run_id = run_id;
    EXPECT_EQ((*read)[i], written[i]) << "record " << i;
  }
  auto runs = reader->Runs();
  ASSERT_TRUE(runs.ok());
  ASSERT_EQ(runs->size(), 1u);
  const RunRow& run = runs->front();
  EXPECT_EQ(run.name, "round-trip");
  EXPECT_EQ(run.policy_name, "test-policy");
  EXPECT_EQ(run.policy_text, "abc");
  EXPECT_EQ(run.policy_sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_GT(run.started_at_us, 0);
  ASSERT_TRUE(run.ended_at_us.has_value());
  EXPECT_GE(*run.ended_at_us, run.started_at_us);
  EXPECT_EQ(run.events, 50);
  EXPECT_EQ(run.violations, 10);
  auto ids = reader->FindRuns("round-trip");
  ASSERT_TRUE(ids.ok());
  EXPECT_EQ(*ids, std::vector<int64_t>{run_id});
  EXPECT_EQ(reader->FindRuns(std::to_string(run_id)).value(), std::vector<int64_t>{run_id});
  EXPECT_EQ(reader->FindRuns("nope").status().code(), absl::StatusCode::kNotFound);
}

TEST(SqliteSink, RecordsVerdictsOfARealPolicy) {
  TempDir dir;
  PolicyPtr policy = *LoadBuiltinPolicy("coding-sandbox");
  Evaluator evaluator(policy, 1);
  auto sink = SqliteSink::Open(dir.File("a.db"), RunInfo::ForPolicy("real", *policy));
  ASSERT_TRUE(sink.ok()) << sink.status();
  const std::string args = R"({"url": "http://169.254.169.254/latest/meta-data/"})";
  Verdict v = evaluator.Evaluate(0, ToolCall{"http_get", args});
  ASSERT_EQ(v.action, Action::kBlock);
  DecisionRecord r = MakeRecord(*policy, v,
                                {.env = 0, .episode = 2, .step = 7, .tool = "http_get",
                                 .arguments = args, .reward_before = 1.0, .reward_after = -4.0});
  ASSERT_TRUE((*sink)->Write(r).ok());
  ASSERT_TRUE((*sink)->Close().ok());
  auto reader = AuditReader::Open(dir.File("a.db"));
  auto read = reader->ReadRecords(std::nullopt);
  ASSERT_TRUE(read.ok()) << read.status();
  ASSERT_EQ(read->size(), 1u);
  const DecisionRecord& got = read->front();
  EXPECT_EQ(got.tool, "http_get");
  EXPECT_EQ(got.arguments, args);
  EXPECT_EQ(got.action, Action::kBlock);
  EXPECT_EQ(got.penalty, v.penalty);
  ASSERT_FALSE(got.rules.empty());
  bool internal = false;
  for (const FiredRule& rule : got.rules)
    if (rule.id == "internal-network") internal = rule.action == Action::kBlock;
  EXPECT_TRUE(internal);
  EXPECT_EQ(got.reason, v.reason);
  EXPECT_EQ(got.reward_after, -4.0);
  EXPECT_EQ(reader->Runs()->front().policy_sha256,
            audit_internal::Sha256Hex(policy->source_text()));
}

// A writer stalled on a locked database: the producer blocks on the full
// queue instead of dropping, and every record lands once the lock goes.
TEST(SqliteSink, BackPressureBlocksAndDropsNothing) {
  TempDir dir;
  const std::string path = dir.File("bp.db");
  SinkOptions options;
  options.queue_capacity = 4;
  options.max_batch = 2;
  options.busy_timeout_ms = 10000;
  auto sink = SqliteSink::Open(path, TestRun("bp"), options);
  ASSERT_TRUE(sink.ok()) << sink.status();
  ExclusiveLock lock(path);
  constexpr int kRecords = 300;
  std::atomic<int> written{0};
  std::thread producer([&] {
    for (int i = 0; i < kRecords; ++i) {
      ASSERT_TRUE((*sink)->Write(SampleRecord(i)).ok());
      written.fetch_add(1);
    }
  });
  std::this_thread::sleep_for(milliseconds(300));
  // Queue (4) + the writer's batch in hand (4) at most.
  EXPECT_LE(written.load(), 8);
  lock.Release();
  producer.join();
  EXPECT_TRUE((*sink)->Flush().ok());
  EXPECT_EQ((*sink)->committed(), kRecords);
  EXPECT_EQ((*sink)->discarded(), 0);
  ASSERT_TRUE((*sink)->Close().ok());
  auto read = AuditReader::Open(path)->ReadRecords(std::nullopt);
  ASSERT_TRUE(read.ok());
  ASSERT_EQ(read->size(), static_cast<size_t>(kRecords));
  for (int i = 0; i < kRecords; ++i) EXPECT_EQ((*read)[i].step, i);
}

TEST(SqliteSink, LockedDatabaseIsAnErrorNotAHang) {
  TempDir dir;
  const std::string path = dir.File("locked.db");
  SinkOptions options;
  options.busy_timeout_ms = 200;
  auto sink = SqliteSink::Open(path, TestRun("locked"), options);
  ASSERT_TRUE(sink.ok()) << sink.status();
  ExclusiveLock lock(path);

  auto start = steady_clock::now();
  ASSERT_TRUE((*sink)->Write(SampleRecord(1)).ok());
  absl::Status flushed = (*sink)->Flush();
  EXPECT_LT(steady_clock::now() - start, milliseconds(3000));
  EXPECT_EQ(flushed.code(), absl::StatusCode::kUnavailable) << flushed;
  EXPECT_NE(flushed.message().find("locked"), std::string_view::npos) << flushed;
  EXPECT_NE(flushed.message().find(path), std::string_view::npos) << flushed;
  // Sticky: the next write says so at once, and the record is counted.
  EXPECT_EQ((*sink)->Write(SampleRecord(2)).code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ((*sink)->discarded(), 2);
  EXPECT_FALSE((*sink)->Close().ok());

  // Opening a second run while the lock is held fails the same way.
  start = steady_clock::now();
  auto second = SqliteSink::Open(path, TestRun("second"), options);
  EXPECT_LT(steady_clock::now() - start, milliseconds(3000));
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable) << second.status();
}

// The disk filling up, simulated with PRAGMA max_page_count.
TEST(SqliteSink, FullDiskIsAClearError) {
  TempDir dir;
  const std::string path = dir.File("full.db");
  SinkOptions options;
  options.max_page_count = 40;  // the schema takes ~20 pages of 4 KiB
  auto sink = SqliteSink::Open(path, TestRun("full"), options);
  ASSERT_TRUE(sink.ok()) << sink.status();
  absl::Status status;
  for (int i = 0; i < 5000 && status.ok(); ++i) {
    DecisionRecord r = SampleRecord(i);
    r.arguments.assign(1000, 'x');
    status = (*sink)->Write(std::move(r));
  }
  if (status.ok()) status = (*sink)->Flush();
  EXPECT_EQ(status.code(), absl::StatusCode::kResourceExhausted) << status;
  EXPECT_NE(status.message().find("full"), std::string_view::npos) << status;
  EXPECT_FALSE((*sink)->Close().ok());
  // What was committed before the disk filled is intact.
  auto reader = AuditReader::Open(path);
  ASSERT_TRUE(reader.ok()) << reader.status();
  auto read = reader->ReadRecords(std::nullopt);
  ASSERT_TRUE(read.ok()) << read.status();
  for (size_t i = 0; i < read->size(); ++i) EXPECT_EQ((*read)[i].step, static_cast<int64_t>(i));
}

TEST(SqliteSink, WriteBatchAndClosedSink) {
  TempDir dir;
  auto sink = SqliteSink::Open(dir.File("b.db"), TestRun("batch"));
  ASSERT_TRUE(sink.ok());
  std::vector<DecisionRecord> batch;
  for (int i = 0; i < 10; ++i) batch.push_back(SampleRecord(i));
  ASSERT_TRUE((*sink)->WriteBatch(absl::MakeSpan(batch)).ok());
  ASSERT_TRUE((*sink)->Close().ok());
  EXPECT_TRUE((*sink)->Close().ok());  // idempotent
  EXPECT_EQ((*sink)->Write(SampleRecord(0)).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ((*sink)->committed(), 10);
}

TEST(SqliteSink, RejectsAFileThatIsNotADatabase) {
  TempDir dir;
  const std::string path = dir.File("not.db");
  {
    std::FILE* f = std::fopen(path.c_str(), "w");
    std::fputs("this is not sqlite, just a text file that is long enough to have a header....",
               f);
    std::fclose(f);
  }
  auto sink = SqliteSink::Open(path, TestRun("x"));
  ASSERT_FALSE(sink.ok());
  EXPECT_EQ(sink.status().code(), absl::StatusCode::kDataLoss) << sink.status();
  EXPECT_EQ(AuditReader::Open(dir.File("missing.db")).status().code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace rewardguard
