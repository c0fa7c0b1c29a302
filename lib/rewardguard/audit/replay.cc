#include "rewardguard/audit/replay.h"

#include <sqlite3.h>

#include <charconv>
#include <utility>

#include "fmt/format.h"
#include "rewardguard/audit/internal/db.h"
#include "simdjson.h"

namespace rewardguard {

using audit_internal::ColumnText;
using audit_internal::Prepare;
using audit_internal::SqliteStatus;
using audit_internal::StmtPtr;

absl::StatusOr<AuditReader> AuditReader::Open(const std::string& path) {
  absl::StatusOr<audit_internal::DbPtr> db =
      audit_internal::OpenDb(path, /*create=*/false, /*busy_timeout_ms=*/5000);
  if (!db.ok()) return db.status();
  const std::optional<std::string> version = audit_internal::ReadSchemaVersion(db->get());
  if (!version)
    return absl::DataLossError(fmt::format("`{}` is not a rewardguard audit database", path));
  if (*version != std::to_string(audit_internal::kSchemaVersion))
    return absl::FailedPreconditionError(
        fmt::format("audit database `{}` has schema version `{}`; this build reads version {}",
                    path, *version, audit_internal::kSchemaVersion));
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
             (SELECT coalesce(sum(events), 0) FROM event_blocks b WHERE b.run_id = r.id),
             (SELECT count(*) FROM flagged_events f WHERE f.run_id = r.id AND f.action <> 'allow'),
             (SELECT coalesce(sum(penalty), 0) FROM flagged_events f WHERE f.run_id = r.id)
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
  absl::StatusOr<StmtPtr> blocks = Prepare(
      db_,
      fmt::format("SELECT id, run_id, events, first_ts_us, data FROM event_blocks{} ORDER BY id",
                  run ? " WHERE run_id = ?1" : ""),
      path_);
  if (!blocks.ok()) return blocks.status();
  if (run) sqlite3_bind_int64(blocks->get(), 1, *run);

  simdjson::dom::parser parser;
  DecisionRecord r;
  int rc;
  while ((rc = sqlite3_step(blocks->get())) == SQLITE_ROW) {
    sqlite3_stmt* s = blocks->get();
    const int64_t block_id = sqlite3_column_int64(s, 0);
    const int64_t run_id = sqlite3_column_int64(s, 1);
    const int64_t first_ts = sqlite3_column_int64(s, 3);
    const std::string_view json = ColumnText(s, 4);
    auto corrupt = [&](std::string_view what) {
      return absl::DataLossError(fmt::format("audit database `{}`: event block {} has {}", path_,
                                             block_id, what));
    };
    simdjson::dom::array events;
    if (parser.parse(json.data(), json.size()).get_array().get(events) != simdjson::SUCCESS)
      return corrupt("unreadable JSON");
    if (static_cast<int64_t>(events.size()) != sqlite3_column_int64(s, 2))
      return corrupt("a wrong event count");
    for (simdjson::dom::element event : events) {
      simdjson::dom::array f;
      if (event.get_array().get(f) != simdjson::SUCCESS || f.size() < 7 || f.size() > 15)
        return corrupt("an event that is not an array of 7 to 15 fields");
      const size_t fields = f.size();
      r = DecisionRecord();
      r.run_id = run_id;
      bool ok = f.at(0).get_int64().get(r.env) == simdjson::SUCCESS &&
                f.at(1).get_int64().get(r.episode) == simdjson::SUCCESS &&
                f.at(2).get_int64().get(r.step) == simdjson::SUCCESS;
      std::string_view action;
      ok = ok && audit_internal::ParseJsonText(f.at(3), &r.tool) &&
           audit_internal::ParseJsonText(f.at(4), &r.arguments);
      ok = ok && f.at(5).get_string().get(action) == simdjson::SUCCESS;
      std::optional<Action> parsed = ok ? ParseAction(action) : std::nullopt;
      if (!parsed) return corrupt("an event with an unreadable tool, arguments or action");
      r.action = *parsed;
      std::optional<double> penalty = audit_internal::ParseJsonNumber(f.at(6));
      if (!penalty) return corrupt("an event with an unreadable penalty");
      r.penalty = static_cast<float>(*penalty);
      int64_t ts = 0;
      if (fields > 7 && f.at(7).get_int64().get(ts) != simdjson::SUCCESS)
        return corrupt("an unreadable time");
      simdjson::dom::array list;
      if (fields > 8) {
        if (f.at(8).get_array().get(list) != simdjson::SUCCESS)
          return corrupt("an event with unreadable capabilities");
        for (simdjson::dom::element c : list)
          if (!audit_internal::ParseJsonText(c, &r.capabilities.emplace_back()))
            return corrupt("an event with unreadable capabilities");
      }
      if (fields > 9) {
        if (f.at(9).get_array().get(list) != simdjson::SUCCESS) return corrupt("unreadable rules");
        for (simdjson::dom::element pair : list) {
          simdjson::dom::array p;
          FiredRule& rule = r.rules.emplace_back();
          std::string_view rule_action;
          if (pair.get_array().get(p) != simdjson::SUCCESS || p.size() != 2 ||
              !audit_internal::ParseJsonText(p.at(0), &rule.id) ||
              p.at(1).get_string().get(rule_action) != simdjson::SUCCESS)
            return corrupt("unreadable rules");
          rule.action = ParseAction(rule_action).value_or(Action::kBlock);
        }
      }
      if (fields > 10) {
        if (f.at(10).get_array().get(list) != simdjson::SUCCESS) return corrupt("unreadable costs");
        for (simdjson::dom::element pair : list) {
          simdjson::dom::array p;
          auto& cost = r.costs.emplace_back();
          std::optional<double> value;
          if (pair.get_array().get(p) != simdjson::SUCCESS || p.size() != 2 ||
              !audit_internal::ParseJsonText(p.at(0), &cost.first) ||
              !(value = audit_internal::ParseJsonNumber(p.at(1))))
            return corrupt("unreadable costs");
          cost.second = static_cast<float>(*value);
        }
      }
      if (fields > 11 && !audit_internal::ParseJsonText(f.at(11), &r.reason))
        return corrupt("an unreadable reason");
      for (auto [index, out] : {std::pair{12, &r.reward_before}, std::pair{13, &r.reward_after}}) {
        if (fields <= static_cast<size_t>(index) || f.at(index).is_null()) continue;
        *out = audit_internal::ParseJsonNumber(f.at(index));
        if (!*out) return corrupt("an unreadable reward");
      }
      std::string_view kind;
      if (fields > 14 && (f.at(14).get_string().get(kind) != simdjson::SUCCESS ||
                          !ParseEventKind(kind, &r.kind)))
        return corrupt("an unreadable kind");
      r.timestamp_us = first_ts + ts;
      if (!visit(r)) return absl::OkStatus();
    }
  }
  if (rc != SQLITE_DONE) return SqliteStatus(db_, rc, "reading events", path_);
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
