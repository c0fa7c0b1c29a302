#include "rewardguard/audit/replay.h"

#include <sqlite3.h>

#include <charconv>
#include <utility>

#include "fmt/format.h"
#include "rewardguard/audit/internal/db.h"
#include "simdjson.h"

namespace rewardguard {

using audit_internal::Prepare;
using audit_internal::SqliteStatus;
using audit_internal::StmtPtr;

namespace {

std::string_view ColumnText(sqlite3_stmt* stmt, int column) {
  const unsigned char* text = sqlite3_column_text(stmt, column);
  if (text == nullptr) return {};
  return {reinterpret_cast<const char*>(text),
          static_cast<size_t>(sqlite3_column_bytes(stmt, column))};
}

std::optional<double> ColumnOptionalDouble(sqlite3_stmt* stmt, int column) {
  if (sqlite3_column_type(stmt, column) == SQLITE_NULL) return std::nullopt;
  return sqlite3_column_double(stmt, column);
}

// A cursor over (event_id, text[, value]) rows ordered by event_id, merged
// into the event stream.
class ChildCursor {
 public:
  explicit ChildCursor(sqlite3_stmt* stmt) : stmt_(stmt) { Advance(); }
  int rc() const { return rc_; }
  // Calls `take` for each row of `event_id`; rows of earlier events (orphans)
  // are skipped.
  template <typename Take>
  void TakeFor(int64_t event_id, Take take) {
    while (rc_ == SQLITE_ROW && sqlite3_column_int64(stmt_, 0) <= event_id) {
      if (sqlite3_column_int64(stmt_, 0) == event_id) take(stmt_);
      Advance();
    }
  }

 private:
  void Advance() { rc_ = sqlite3_step(stmt_); }
  sqlite3_stmt* stmt_;
  int rc_ = SQLITE_DONE;
};

}  // namespace

absl::StatusOr<AuditReader> AuditReader::Open(const std::string& path) {
  absl::StatusOr<audit_internal::DbPtr> db =
      audit_internal::OpenDb(path, /*create=*/false, /*busy_timeout_ms=*/5000);
  if (!db.ok()) return db.status();
  absl::StatusOr<StmtPtr> stmt =
      Prepare(db->get(), "SELECT value FROM meta WHERE key = 'schema_version'", path);
  if (!stmt.ok() || sqlite3_step(stmt->get()) != SQLITE_ROW)
    return absl::DataLossError(fmt::format("`{}` is not a rewardguard audit database", path));
  if (ColumnText(stmt->get(), 0) != std::to_string(audit_internal::kSchemaVersion))
    return absl::FailedPreconditionError(
        fmt::format("audit database `{}` has schema version `{}`; this build reads version {}",
                    path, ColumnText(stmt->get(), 0), audit_internal::kSchemaVersion));
  stmt->reset();
  return AuditReader(path, db->release());
}

AuditReader::AuditReader(AuditReader&& other) noexcept
    : path_(std::move(other.path_)), db_(std::exchange(other.db_, nullptr)) {}

AuditReader& AuditReader::operator=(AuditReader&& other) noexcept {
  if (this != &other) {
    sqlite3_close_v2(db_);
    path_ = std::move(other.path_);
    db_ = std::exchange(other.db_, nullptr);
  }
  return *this;
}

AuditReader::~AuditReader() { sqlite3_close_v2(db_); }

absl::StatusOr<std::vector<RunRow>> AuditReader::Runs() const {
  absl::StatusOr<StmtPtr> stmt = Prepare(db_, R"sql(
      SELECT r.id, r.name, r.policy_name, r.policy_source, r.policy_sha256, r.policy_text,
             r.metadata, r.started_at_us, r.ended_at_us,
             (SELECT count(*) FROM events e WHERE e.run_id = r.id),
             (SELECT count(*) FROM events e WHERE e.run_id = r.id AND e.action <> 'allow'),
             (SELECT coalesce(sum(penalty), 0) FROM events e WHERE e.run_id = r.id)
      FROM runs r ORDER BY r.id)sql", path_);
  if (!stmt.ok()) return stmt.status();
  std::vector<RunRow> runs;
  int rc;
  while ((rc = sqlite3_step(stmt->get())) == SQLITE_ROW) {
    sqlite3_stmt* s = stmt->get();
    RunRow& r = runs.emplace_back();
    r.id = sqlite3_column_int64(s, 0);
    r.name = ColumnText(s, 1);
    r.policy_name = ColumnText(s, 2);
    r.policy_source = ColumnText(s, 3);
    r.policy_sha256 = ColumnText(s, 4);
    r.policy_text = ColumnText(s, 5);
    r.metadata = ColumnText(s, 6);
    r.started_at_us = sqlite3_column_int64(s, 7);
    if (sqlite3_column_type(s, 8) != SQLITE_NULL) r.ended_at_us = sqlite3_column_int64(s, 8);
    r.events = sqlite3_column_int64(s, 9);
    r.violations = sqlite3_column_int64(s, 10);
    r.penalty = sqlite3_column_double(s, 11);
  }
  if (rc != SQLITE_DONE) return SqliteStatus(db_, rc, "reading runs", path_);
  return runs;
}

absl::StatusOr<std::vector<int64_t>> AuditReader::FindRuns(std::string_view name_or_id) const {
  absl::StatusOr<StmtPtr> stmt =
      Prepare(db_, "SELECT id FROM runs WHERE name = ?1 ORDER BY id", path_);
  if (!stmt.ok()) return stmt.status();
  sqlite3_bind_text64(stmt->get(), 1, name_or_id.data(), name_or_id.size(), SQLITE_STATIC,
                      SQLITE_UTF8);
  std::vector<int64_t> ids;
  int rc;
  while ((rc = sqlite3_step(stmt->get())) == SQLITE_ROW)
    ids.push_back(sqlite3_column_int64(stmt->get(), 0));
  if (rc != SQLITE_DONE) return SqliteStatus(db_, rc, "finding runs", path_);
  if (ids.empty()) {
    int64_t id = 0;
    auto [end, ec] = std::from_chars(name_or_id.data(), name_or_id.data() + name_or_id.size(), id);
    if (ec == std::errc() && end == name_or_id.data() + name_or_id.size()) {
      absl::StatusOr<StmtPtr> by_id = Prepare(db_, "SELECT id FROM runs WHERE id = ?1", path_);
      if (!by_id.ok()) return by_id.status();
      sqlite3_bind_int64(by_id->get(), 1, id);
      if (sqlite3_step(by_id->get()) == SQLITE_ROW) ids.push_back(id);
    }
  }
  if (ids.empty())
    return absl::NotFoundError(
        fmt::format("no run named `{}` in audit database `{}`", name_or_id, path_));
  return ids;
}

absl::Status AuditReader::ForEachRecord(
    std::optional<int64_t> run, const std::function<bool(const DecisionRecord&)>& visit) const {
  const char* where = run ? " WHERE run_id = ?1" : "";
  absl::StatusOr<StmtPtr> events = Prepare(
      db_,
      fmt::format("SELECT id, run_id, env, episode, step, kind, tool, arguments, action, "
                  "penalty, capabilities, reason, reward_before, reward_after, ts_us "
                  "FROM events{} ORDER BY id",
                  where),
      path_);
  if (!events.ok()) return events.status();
  absl::StatusOr<StmtPtr> rules = Prepare(
      db_, fmt::format("SELECT event_id, rule, action FROM event_rules{} ORDER BY event_id, rowid", where),
      path_);
  if (!rules.ok()) return rules.status();
  absl::StatusOr<StmtPtr> costs = Prepare(
      db_,
      fmt::format("SELECT event_id, category, cost FROM event_costs{} ORDER BY event_id, rowid",
                  where),
      path_);
  if (!costs.ok()) return costs.status();
  if (run) {
    for (sqlite3_stmt* s : {events->get(), rules->get(), costs->get()})
      sqlite3_bind_int64(s, 1, *run);
  }

  ChildCursor rule_cursor(rules->get());
  ChildCursor cost_cursor(costs->get());
  simdjson::dom::parser parser;
  DecisionRecord r;
  int rc;
  while ((rc = sqlite3_step(events->get())) == SQLITE_ROW) {
    sqlite3_stmt* s = events->get();
    const int64_t id = sqlite3_column_int64(s, 0);
    r = DecisionRecord();
    r.run_id = sqlite3_column_int64(s, 1);
    r.env = sqlite3_column_int64(s, 2);
    r.episode = sqlite3_column_int64(s, 3);
    r.step = sqlite3_column_int64(s, 4);
    if (!ParseEventKind(ColumnText(s, 5), &r.kind))
      return absl::DataLossError(fmt::format("audit database `{}`: event {} has unknown kind `{}`",
                                             path_, id, ColumnText(s, 5)));
    r.tool = ColumnText(s, 6);
    r.arguments = ColumnText(s, 7);
    std::optional<Action> action = ParseAction(ColumnText(s, 8));
    if (!action)
      return absl::DataLossError(fmt::format(
          "audit database `{}`: event {} has unknown action `{}`", path_, id, ColumnText(s, 8)));
    r.action = *action;
    r.penalty = static_cast<float>(sqlite3_column_double(s, 9));
    simdjson::dom::array capabilities;
    std::string_view json = ColumnText(s, 10);
    if (parser.parse(json.data(), json.size()).get_array().get(capabilities) != simdjson::SUCCESS)
      return absl::DataLossError(fmt::format(
          "audit database `{}`: event {} has unreadable capabilities", path_, id));
    for (simdjson::dom::element c : capabilities) {
      std::string_view name;
      if (c.get_string().get(name) == simdjson::SUCCESS) r.capabilities.emplace_back(name);
    }
    r.reason = ColumnText(s, 11);
    r.reward_before = ColumnOptionalDouble(s, 12);
    r.reward_after = ColumnOptionalDouble(s, 13);
    r.timestamp_us = sqlite3_column_int64(s, 14);
    rule_cursor.TakeFor(id, [&](sqlite3_stmt* c) {
      r.rules.push_back(FiredRule{std::string(ColumnText(c, 1)),
                                  ParseAction(ColumnText(c, 2)).value_or(Action::kBlock)});
    });
    cost_cursor.TakeFor(id, [&](sqlite3_stmt* c) {
      r.costs.emplace_back(std::string(ColumnText(c, 1)),
                           static_cast<float>(sqlite3_column_double(c, 2)));
    });
    if (!visit(r)) return absl::OkStatus();
  }
  if (rc != SQLITE_DONE) return SqliteStatus(db_, rc, "reading events", path_);
  for (int child_rc : {rule_cursor.rc(), cost_cursor.rc()})
    if (child_rc != SQLITE_ROW && child_rc != SQLITE_DONE)
      return SqliteStatus(db_, child_rc, "reading rules and costs", path_);
  return absl::OkStatus();
}

absl::StatusOr<std::vector<DecisionRecord>> AuditReader::ReadRecords(
    std::optional<int64_t> run) const {
  std::vector<DecisionRecord> out;
  absl::Status s = ForEachRecord(run, [&](const DecisionRecord& r) {
    out.push_back(r);
    return true;
  });
  if (!s.ok()) return s;
  return out;
}

}  // namespace rewardguard
