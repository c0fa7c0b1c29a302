#include "rewardguard/audit/merge.h"

#include <sqlite3.h>

#include <filesystem>
#include <system_error>

#include "fmt/format.h"
#include "rewardguard/audit/internal/db.h"
#include "rewardguard/audit/replay.h"

namespace rewardguard {

using audit_internal::DbPtr;
using audit_internal::Exec;
using audit_internal::Prepare;
using audit_internal::SqliteStatus;
using audit_internal::StmtPtr;

namespace {

// Each table of one run of an input, read with its ids moved into the
// output: ?1 is the run's new id, ?2 the input's block id offset (an event's
// id is (block id << kBlockShift) + index, so it moves by ?2 << kBlockShift),
// ?3 the run's id in the input.
struct TableCopy {
  const char* select;
  const char* insert;
};

constexpr TableCopy kRuns = {
    "SELECT ?1, name, policy_name, policy_source, policy_sha256, policy_text, metadata, "
    "started_at_us, ended_at_us FROM runs WHERE id = ?3",
    "INSERT INTO runs(id, name, policy_name, policy_source, policy_sha256, policy_text, metadata, "
    "started_at_us, ended_at_us) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"};

constexpr TableCopy kBlocks = {
    "SELECT id + ?2, ?1, events, first_ts_us, last_ts_us, counts, data "
    "FROM event_blocks WHERE run_id = ?3 ORDER BY id",
    "INSERT INTO event_blocks(id, run_id, events, first_ts_us, last_ts_us, counts, data) "
    "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)"};

constexpr TableCopy kFlagged = {
    "SELECT event_id + (?2 << 20), ?1, env, episode, step, kind, tool, arguments, "
    "action, penalty, capabilities, rules, costs, reason, reward_before, reward_after, ts_us "
    "FROM flagged_events WHERE run_id = ?3 ORDER BY event_id",
    "INSERT INTO flagged_events(event_id, run_id, env, episode, step, kind, tool, arguments, "
    "action, penalty, capabilities, rules, costs, reason, reward_before, reward_after, ts_us) "
    "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)"};

static_assert(audit_internal::kBlockShift == 20, "kFlagged shifts block ids by 20 bits");

// What identifies a run across databases: the output already holding a run
// with all of these got it from an earlier merge of the same trail.
constexpr const char* kSourceRuns =
    "SELECT id, name, policy_sha256, started_at_us, metadata FROM runs ORDER BY id";
constexpr const char* kRunPresent =
    "SELECT count(*) FROM runs WHERE name = ?1 AND policy_sha256 = ?2 AND started_at_us = ?3 "
    "AND metadata = ?4";

// The one integer `sql` yields, its ?1 bound to `param` when it has one.
absl::StatusOr<int64_t> QueryInt(sqlite3* db, const char* sql, const std::string& path,
                                 int64_t param = 0) {
  absl::StatusOr<StmtPtr> stmt = Prepare(db, sql, path);
  if (!stmt.ok()) return stmt.status();
  if (sqlite3_bind_parameter_count(stmt->get()) >= 1) sqlite3_bind_int64(stmt->get(), 1, param);
  int rc = sqlite3_step(stmt->get());
  if (rc != SQLITE_ROW) return SqliteStatus(db, rc, "reading ids", path);
  return sqlite3_column_int64(stmt->get(), 0);
}

// Copies every row `table.select` yields from `src` into `dst`, value by
// value; returns the rows copied.
absl::StatusOr<int64_t> CopyTable(const TableCopy& table, sqlite3* src, const std::string& src_path,
                                  sqlite3* dst, const std::string& dst_path, int64_t new_run,
                                  int64_t block_offset, int64_t src_run) {
  absl::StatusOr<StmtPtr> select = Prepare(src, table.select, src_path);
  if (!select.ok()) return select.status();
  absl::StatusOr<StmtPtr> insert = Prepare(dst, table.insert, dst_path);
  if (!insert.ok()) return insert.status();
  sqlite3_stmt* in = select->get();
  sqlite3_stmt* out = insert->get();
  sqlite3_bind_int64(in, 1, new_run);
  if (sqlite3_bind_parameter_count(in) >= 2) sqlite3_bind_int64(in, 2, block_offset);
  sqlite3_bind_int64(in, 3, src_run);
  const int columns = sqlite3_column_count(in);
  int64_t rows = 0;
  int rc;
  while ((rc = sqlite3_step(in)) == SQLITE_ROW) {
    for (int c = 0; c < columns; ++c) sqlite3_bind_value(out, c + 1, sqlite3_column_value(in, c));
    int wrc = sqlite3_step(out);
    sqlite3_reset(out);
    if (wrc != SQLITE_DONE) return SqliteStatus(dst, wrc, "copying rows", dst_path);
    ++rows;
  }
  if (rc != SQLITE_DONE) return SqliteStatus(src, rc, "reading rows", src_path);
  return rows;
}

// Whether `dst` already holds the run `src_runs` is on (see kRunPresent).
absl::StatusOr<bool> RunPresent(sqlite3_stmt* src_runs, sqlite3* dst, const std::string& out) {
  absl::StatusOr<StmtPtr> present = Prepare(dst, kRunPresent, out);
  if (!present.ok()) return present.status();
  for (int c = 1; c <= 4; ++c)
    sqlite3_bind_value(present->get(), c, sqlite3_column_value(src_runs, c));
  int rc = sqlite3_step(present->get());
  if (rc != SQLITE_ROW) return SqliteStatus(dst, rc, "looking up runs", out);
  return sqlite3_column_int64(present->get(), 0) > 0;
}

// Copies the runs of `path` that `dst` does not hold yet, inside the
// caller's transaction on `dst`.
absl::Status CopyInput(const std::string& path, sqlite3* dst, const std::string& out,
                       int busy_timeout_ms, MergeResult* result) {
  absl::StatusOr<DbPtr> src = audit_internal::OpenDb(path, /*create=*/false, busy_timeout_ms);
  if (!src.ok()) return src.status();
  // Reading the input in one transaction: a consistent snapshot of it.
  absl::Status s = Exec(src->get(), "BEGIN", path);
  if (!s.ok()) return s;
  absl::StatusOr<int64_t> block_offset =
      QueryInt(dst, "SELECT coalesce(max(id), 0) FROM event_blocks", out);
  if (!block_offset.ok()) return block_offset.status();
  absl::StatusOr<StmtPtr> runs = Prepare(src->get(), kSourceRuns, path);
  if (!runs.ok()) return runs.status();
  int rc;
  while ((rc = sqlite3_step(runs->get())) == SQLITE_ROW) {
    const int64_t src_run = sqlite3_column_int64(runs->get(), 0);
    absl::StatusOr<bool> present = RunPresent(runs->get(), dst, out);
    if (!present.ok()) return present.status();
    if (*present) {
      ++result->skipped;
      continue;
    }
    absl::StatusOr<int64_t> new_run =
        QueryInt(dst, "SELECT coalesce(max(id), 0) + 1 FROM runs", out);
    if (!new_run.ok()) return new_run.status();
    int64_t blocks = 0;
    for (auto [table, count] : {std::pair{&kRuns, &result->runs}, std::pair{&kBlocks, &blocks},
                                std::pair{&kFlagged, &result->flagged}}) {
      absl::StatusOr<int64_t> rows =
          CopyTable(*table, src->get(), path, dst, out, *new_run, *block_offset, src_run);
      if (!rows.ok()) return rows.status();
      *count += *rows;
    }
    absl::StatusOr<int64_t> events = QueryInt(
        dst, "SELECT coalesce(sum(events), 0) FROM event_blocks WHERE run_id = ?1", out, *new_run);
    if (!events.ok()) return events.status();
    result->events += *events;
  }
  if (rc != SQLITE_DONE) return SqliteStatus(src->get(), rc, "reading runs", path);
  result->databases += 1;
  return absl::OkStatus();
}

// Removes a database file this merge created, with its WAL and shared-memory files.
void RemoveCreated(const std::string& out) {
  std::error_code ec;
  for (const char* suffix : {"", "-wal", "-shm", "-journal"})
    std::filesystem::remove(out + suffix, ec);
}

}  // namespace

absl::StatusOr<MergeResult> MergeAuditDatabases(const std::string& out,
                                                absl::Span<const std::string> inputs,
                                                int busy_timeout_ms) {
  if (inputs.empty()) return absl::InvalidArgumentError("audit merge needs input databases");
  for (size_t i = 0; i < inputs.size(); ++i) {
    const std::string& in = inputs[i];
    std::error_code ec;
    if (std::filesystem::equivalent(in, out, ec))
      return absl::InvalidArgumentError(
          fmt::format("`{}` is the output database: it cannot be merged into itself", in));
    for (size_t j = 0; j < i; ++j)
      if (std::filesystem::equivalent(in, inputs[j], ec))
        return absl::InvalidArgumentError(
            fmt::format("`{}` is given twice (as `{}`): its runs would be copied twice", in,
                        inputs[j]));
    // The reader's checks: the file exists, is an audit database, of this version.
    absl::StatusOr<AuditReader> reader = AuditReader::Open(in);
    if (!reader.ok()) return reader.status();
  }
  // An existing output passes the same checks, read only, before anything
  // is written to it: an SQLite file of something else is left untouched.
  std::error_code ec;
  const bool created = !std::filesystem::exists(out, ec);
  if (!created) {
    absl::StatusOr<AuditReader> reader = AuditReader::Open(out);
    if (!reader.ok())
      return absl::Status(reader.status().code(),
                          fmt::format("the output: {}", std::string(reader.status().message())));
  }

  absl::StatusOr<DbPtr> db = audit_internal::OpenDb(out, /*create=*/true, busy_timeout_ms);
  if (!db.ok()) return db.status();
  sqlite3* h = db->get();
  absl::Status s;
  if (created) {
    // As SqliteSink::Open makes a database: large pages, WAL, the schema.
    s = Exec(h, "PRAGMA page_size=65536; PRAGMA journal_mode=WAL", out);
  }
  // One transaction for every input: a failure anywhere leaves the output
  // as it was, so running the merge again copies nothing twice.
  if (s.ok()) s = Exec(h, "BEGIN IMMEDIATE", out);
  const bool begun = s.ok();
  if (s.ok() && created) {
    s = Exec(h, audit_internal::kSchemaSql, out);
    if (s.ok()) s = Exec(h, audit_internal::SchemaVersionSql().c_str(), out);
  }
  MergeResult result;
  for (const std::string& in : inputs) {
    if (!s.ok()) break;
    s = CopyInput(in, h, out, busy_timeout_ms, &result);
  }
  if (s.ok()) s = Exec(h, "COMMIT", out);
  if (!s.ok()) {
    if (begun) Exec(h, "ROLLBACK", out).IgnoreError();
    db->reset();
    if (created) RemoveCreated(out);
    return s;
  }
  return result;
}

}  // namespace rewardguard
