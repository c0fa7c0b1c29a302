#include "rewardguard/audit/sqlite_sink.h"

#include <sqlite3.h>

#include <chrono>
#include <utility>

#include "fmt/format.h"
#include "rewardguard/audit/internal/db.h"

namespace rewardguard {

using audit_internal::DbPtr;
using audit_internal::Exec;
using audit_internal::SqliteStatus;

namespace {

// Statements the writer reuses for every batch, in the order of kSql.
enum Stmt { kBegin, kCommit, kRollback, kInsertEvent, kInsertRule, kInsertCost, kEndRun, kNumStmts };

constexpr const char* kSql[kNumStmts] = {
    "BEGIN IMMEDIATE",
    "COMMIT",
    "ROLLBACK",
    "INSERT INTO events(run_id, env, episode, step, kind, tool, arguments, action, "
    "penalty, capabilities, reason, reward_before, reward_after, ts_us) "
    "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
    "INSERT INTO event_rules(event_id, run_id, rule, action) VALUES(?1, ?2, ?3, ?4)",
    "INSERT INTO event_costs(event_id, run_id, category, cost) VALUES(?1, ?2, ?3, ?4)",
    "UPDATE runs SET ended_at_us = ?2 WHERE id = ?1",
};
static_assert(kNumStmts == 7, "resize SqliteSink::stmts_");


void BindText(sqlite3_stmt* stmt, int index, std::string_view text) {
  sqlite3_bind_text64(stmt, index, text.data(), text.size(), SQLITE_STATIC, SQLITE_UTF8);
}

// Runs a statement with no result rows.
int StepOnce(sqlite3_stmt* stmt) {
  int rc = sqlite3_step(stmt);
  sqlite3_reset(stmt);
  sqlite3_clear_bindings(stmt);
  return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

// `PRAGMA journal_mode=WAL` needs a moment of exclusive access the first time;
// retry it within the busy timeout rather than fail on a concurrent opener.
absl::Status EnableWal(sqlite3* db, const std::string& path, int busy_timeout_ms) {
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(busy_timeout_ms);
  for (;;) {
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v2(db, "PRAGMA journal_mode=WAL", -1, &stmt, nullptr);
    std::string mode;
    if (rc == SQLITE_OK) {
      rc = sqlite3_step(stmt);
      if (rc == SQLITE_ROW) {
        const unsigned char* text = sqlite3_column_text(stmt, 0);
        mode = text != nullptr ? reinterpret_cast<const char*>(text) : "";
        rc = SQLITE_OK;
      }
    }
    sqlite3_finalize(stmt);
    if (rc == SQLITE_OK) {
      if (mode != "wal")
        return absl::FailedPreconditionError(fmt::format(
            "audit database `{}` cannot use WAL mode (journal mode is `{}`)", path, mode));
      return absl::OkStatus();
    }
    if ((rc & 0xff) != SQLITE_BUSY || std::chrono::steady_clock::now() >= deadline)
      return SqliteStatus(db, rc, "switching to WAL mode", path);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

absl::Status CheckSchemaVersion(sqlite3* db, const std::string& path) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = 'schema_version'", -1,
                              &stmt, nullptr);
  std::string version;
  if (rc == SQLITE_OK && sqlite3_step(stmt) == SQLITE_ROW) {
    const unsigned char* text = sqlite3_column_text(stmt, 0);
    version = text != nullptr ? reinterpret_cast<const char*>(text) : "";
  }
  sqlite3_finalize(stmt);
  if (version != std::to_string(audit_internal::kSchemaVersion))
    return absl::FailedPreconditionError(fmt::format(
        "audit database `{}` has schema version `{}`; this build writes version {}", path,
        version, audit_internal::kSchemaVersion));
  return absl::OkStatus();
}

}  // namespace

absl::Status AuditSink::WriteBatch(absl::Span<DecisionRecord> records) {
  for (DecisionRecord& r : records) {
    absl::Status s = Write(std::move(r));
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

RunInfo RunInfo::ForPolicy(std::string name, const CompiledPolicy& policy) {
  RunInfo run;
  run.name = std::move(name);
  run.policy_name = policy.name();
  run.policy_source = policy.source_name();
  run.policy_text = policy.source_text();
  return run;
}

absl::StatusOr<std::unique_ptr<SqliteSink>> SqliteSink::Open(const std::string& path,
                                                             const RunInfo& run,
                                                             const SinkOptions& options) {
  if (run.name.empty()) return absl::InvalidArgumentError("audit run needs a name");
  if (options.queue_capacity == 0 || options.max_batch == 0)
    return absl::InvalidArgumentError("audit queue_capacity and max_batch must be positive");
  absl::StatusOr<DbPtr> db =
      audit_internal::OpenDb(path, /*create=*/true, options.busy_timeout_ms);
  if (!db.ok()) return db.status();
  sqlite3* h = db->get();
  if (absl::Status s = EnableWal(h, path, options.busy_timeout_ms); !s.ok()) return s;
  if (absl::Status s = Exec(h, options.synchronous_full ? "PRAGMA synchronous=FULL"
                                                        : "PRAGMA synchronous=NORMAL",
                            path);
      !s.ok())
    return s;
  // A larger page cache keeps the indices' hot pages in memory; checkpoints
  // (which copy the WAL back and fsync) every ~16 MiB instead of every 4 MiB.
  if (absl::Status s = Exec(h, "PRAGMA cache_size=-65536; PRAGMA wal_autocheckpoint=4000", path);
      !s.ok())
    return s;
  if (options.max_page_count > 0) {
    std::string pragma = fmt::format("PRAGMA max_page_count={}", options.max_page_count);
    if (absl::Status s = Exec(h, pragma.c_str(), path); !s.ok()) return s;
  }

  // Schema and the run's row in one transaction: concurrent openers queue up.
  if (absl::Status s = Exec(h, "BEGIN IMMEDIATE", path); !s.ok()) return s;
  absl::Status s = Exec(h, audit_internal::kSchemaSql, path);
  if (s.ok()) s = CheckSchemaVersion(h, path);
  int64_t run_id = 0;
  if (s.ok()) {
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v2(
        h,
        "INSERT INTO runs(name, policy_name, policy_source, policy_sha256, policy_text, "
        "metadata, started_at_us) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        -1, &stmt, nullptr);
    if (rc == SQLITE_OK) {
      std::string sha = audit_internal::Sha256Hex(run.policy_text);
      BindText(stmt, 1, run.name);
      BindText(stmt, 2, run.policy_name);
      BindText(stmt, 3, run.policy_source);
      BindText(stmt, 4, sha);
      BindText(stmt, 5, run.policy_text);
      BindText(stmt, 6, run.metadata);
      sqlite3_bind_int64(stmt, 7, NowMicros());
      rc = sqlite3_step(stmt);
      if (rc == SQLITE_DONE) rc = SQLITE_OK;
    }
    sqlite3_finalize(stmt);
    if (rc != SQLITE_OK) {
      s = SqliteStatus(h, rc, "adding the run", path);
    } else {
      run_id = sqlite3_last_insert_rowid(h);
    }
  }
  if (s.ok()) s = Exec(h, "COMMIT", path);
  if (!s.ok()) {
    if (!sqlite3_get_autocommit(h)) sqlite3_exec(h, "ROLLBACK", nullptr, nullptr, nullptr);
    return s;
  }
  auto sink = std::unique_ptr<SqliteSink>(new SqliteSink(path, options, db->release(), run_id));
  if (!sink->statements_error_.ok()) {
    absl::Status error = sink->statements_error_;
    return error;
  }
  return sink;
}

SqliteSink::SqliteSink(std::string path, SinkOptions options, sqlite3* db, int64_t run_id)
    : path_(std::move(path)), options_(options), db_(db), run_id_(run_id) {
  for (int i = 0; i < kNumStmts; ++i) {
    int rc = sqlite3_prepare_v3(db_, kSql[i], -1, SQLITE_PREPARE_PERSISTENT, &stmts_[i], nullptr);
    if (rc != SQLITE_OK) {
      statements_error_ = SqliteStatus(db_, rc, "preparing statements", path_);
      closed_ = close_done_ = true;
      close_status_ = statements_error_;
      return;
    }
  }
  queue_.reserve(options_.queue_capacity);
  writer_ = std::thread([this] { WriterLoop(); });
}

SqliteSink::~SqliteSink() {
  if (writer_.joinable()) Close().IgnoreError();
  for (sqlite3_stmt*& stmt : stmts_) {
    sqlite3_finalize(stmt);
    stmt = nullptr;
  }
  sqlite3_close_v2(db_);
}

absl::Status SqliteSink::Write(DecisionRecord record) {
  std::unique_lock<std::mutex> lock(mu_);
  not_full_.wait(lock, [&] { return queue_.size() < options_.queue_capacity || closed_ || !error_.ok(); });
  if (closed_) return absl::FailedPreconditionError(fmt::format("audit sink for `{}` is closed", path_));
  if (!error_.ok()) {
    ++discarded_;
    return error_;
  }
  const bool was_empty = queue_.empty();
  queue_.push_back(std::move(record));
  ++enqueued_;
  if (was_empty) work_.notify_one();
  return absl::OkStatus();
}

absl::Status SqliteSink::WriteBatch(absl::Span<DecisionRecord> records) {
  size_t i = 0;
  while (i < records.size()) {
    std::unique_lock<std::mutex> lock(mu_);
    not_full_.wait(lock, [&] { return queue_.size() < options_.queue_capacity || closed_ || !error_.ok(); });
    if (closed_) return absl::FailedPreconditionError(fmt::format("audit sink for `{}` is closed", path_));
    if (!error_.ok()) {
      discarded_ += static_cast<int64_t>(records.size() - i);
      return error_;
    }
    const bool was_empty = queue_.empty();
    for (; i < records.size() && queue_.size() < options_.queue_capacity; ++i) {
      queue_.push_back(std::move(records[i]));
      ++enqueued_;
    }
    if (was_empty) work_.notify_one();
  }
  return absl::OkStatus();
}

absl::Status SqliteSink::Flush() {
  std::unique_lock<std::mutex> lock(mu_);
  if (closed_) {
    progress_.wait(lock, [&] { return close_done_; });
    return close_status_;
  }
  const int64_t target = enqueued_;
  work_.notify_one();
  progress_.wait(lock, [&] { return done_ >= target; });
  return error_;
}

absl::Status SqliteSink::Close() {
  {
    std::unique_lock<std::mutex> lock(mu_);
    if (closed_) {
      // Another caller is closing or has closed: wait for it.
      progress_.wait(lock, [&] { return close_done_; });
      return close_status_;
    }
    closed_ = true;
    not_full_.notify_all();
    stop_ = true;
    work_.notify_one();
  }
  writer_.join();  // drains the queue first
  absl::Status status;
  {
    std::lock_guard<std::mutex> lock(mu_);
    status = error_;
  }
  // Mark the run's end even after an error, if the database lets us.
  sqlite3_stmt* end = stmts_[kEndRun];
  sqlite3_bind_int64(end, 1, run_id_);
  sqlite3_bind_int64(end, 2, NowMicros());
  if (int rc = StepOnce(end); rc != SQLITE_OK && status.ok())
    status = SqliteStatus(db_, rc, "marking the end of the run", path_);
  std::lock_guard<std::mutex> lock(mu_);
  close_status_ = status;
  close_done_ = true;
  progress_.notify_all();
  return status;
}

int64_t SqliteSink::committed() const {
  std::lock_guard<std::mutex> lock(mu_);
  return committed_;
}

int64_t SqliteSink::discarded() const {
  std::lock_guard<std::mutex> lock(mu_);
  return discarded_;
}

void SqliteSink::WriterLoop() {
  std::vector<DecisionRecord> batch;
  batch.reserve(options_.queue_capacity);
  for (;;) {
    absl::Status error;
    {
      std::unique_lock<std::mutex> lock(mu_);
      work_.wait(lock, [&] { return !queue_.empty() || stop_; });
      if (queue_.empty()) return;  // stop_ and drained
      batch.swap(queue_);          // O(1): the step path is never held up by a copy
      error = error_;
    }
    not_full_.notify_all();
    for (size_t begin = 0; begin < batch.size(); begin += options_.max_batch) {
      const size_t count = std::min(batch.size() - begin, options_.max_batch);
      if (error.ok()) error = CommitBatch(absl::MakeSpan(batch).subspan(begin, count));
      // Per chunk, so that a Flush waiting on an early part of a large batch goes.
      std::lock_guard<std::mutex> lock(mu_);
      if (error.ok()) {
        committed_ += static_cast<int64_t>(count);
      } else {
        discarded_ += static_cast<int64_t>(count);
        if (error_.ok()) {
          error_ = error;
          not_full_.notify_all();
        }
      }
      done_ += static_cast<int64_t>(count);
      progress_.notify_all();
    }
    batch.clear();  // the records' strings are freed here, off the step path
  }
}

absl::Status SqliteSink::CommitBatch(absl::Span<DecisionRecord> batch) {
  const size_t n = batch.size();
  auto fail = [&](int rc, std::string_view what) {
    absl::Status s = SqliteStatus(db_, rc, fmt::format("{} ({} records)", what, n), path_);
    if (!sqlite3_get_autocommit(db_)) StepOnce(stmts_[kRollback]);
    return s;
  };
  if (int rc = StepOnce(stmts_[kBegin]); rc != SQLITE_OK) return fail(rc, "starting a transaction");
  std::string capabilities;
  for (const DecisionRecord& r : batch) {
    capabilities.assign("[");
    for (size_t i = 0; i < r.capabilities.size(); ++i) {
      if (i) capabilities.push_back(',');
      audit_internal::AppendJsonString(&capabilities, r.capabilities[i]);
    }
    capabilities.push_back(']');
    sqlite3_stmt* e = stmts_[kInsertEvent];
    sqlite3_bind_int64(e, 1, run_id_);
    sqlite3_bind_int64(e, 2, r.env);
    sqlite3_bind_int64(e, 3, r.episode);
    sqlite3_bind_int64(e, 4, r.step);
    BindText(e, 5, EventKindName(r.kind));
    BindText(e, 6, r.tool);
    BindText(e, 7, r.arguments);
    BindText(e, 8, ActionName(r.action));
    sqlite3_bind_double(e, 9, r.penalty);
    BindText(e, 10, capabilities);
    BindText(e, 11, r.reason);
    if (r.reward_before) sqlite3_bind_double(e, 12, *r.reward_before);
    if (r.reward_after) sqlite3_bind_double(e, 13, *r.reward_after);
    sqlite3_bind_int64(e, 14, r.timestamp_us);
    if (int rc = StepOnce(e); rc != SQLITE_OK) return fail(rc, "inserting events");
    const int64_t event_id = sqlite3_last_insert_rowid(db_);
    for (const FiredRule& rule : r.rules) {
      sqlite3_stmt* s = stmts_[kInsertRule];
      sqlite3_bind_int64(s, 1, event_id);
      sqlite3_bind_int64(s, 2, run_id_);
      BindText(s, 3, rule.id);
      BindText(s, 4, ActionName(rule.action));
      if (int rc = StepOnce(s); rc != SQLITE_OK) return fail(rc, "inserting rules");
    }
    for (const auto& [category, cost] : r.costs) {
      sqlite3_stmt* s = stmts_[kInsertCost];
      sqlite3_bind_int64(s, 1, event_id);
      sqlite3_bind_int64(s, 2, run_id_);
      BindText(s, 3, category);
      sqlite3_bind_double(s, 4, cost);
      if (int rc = StepOnce(s); rc != SQLITE_OK) return fail(rc, "inserting costs");
    }
  }
  if (int rc = StepOnce(stmts_[kCommit]); rc != SQLITE_OK) return fail(rc, "committing");
  return absl::OkStatus();
}

}  // namespace rewardguard
