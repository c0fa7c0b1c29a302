#include "rewardguard/audit/report.h"

#include <sqlite3.h>

#include <algorithm>
#include <map>

#include "fmt/format.h"
#include "rewardguard/audit/internal/db.h"

namespace rewardguard {

using audit_internal::ColumnText;
using audit_internal::Prepare;
using audit_internal::SqliteStatus;
using audit_internal::StmtPtr;

namespace {


// "(1, 2, 3)" for an IN clause; run ids are integers, so nothing to escape.
std::string IdList(absl::Span<const int64_t> ids) {
  return fmt::format("({})", fmt::join(ids, ", "));
}

// `column IN (...)`, or a condition that always holds when `ids` is empty.
std::string RunFilter(std::string_view column, absl::Span<const int64_t> ids) {
  if (ids.empty()) return "1";
  return fmt::format("{} IN {}", column, IdList(ids));
}

// Runs `sql` and calls `row` on each result row.
template <typename Row>
absl::Status Query(const AuditReader& reader, const std::string& sql, Row row) {
  absl::StatusOr<StmtPtr> stmt = Prepare(reader.db(), sql, reader.path());
  if (!stmt.ok()) return stmt.status();
  int rc;
  while ((rc = sqlite3_step(stmt->get())) == SQLITE_ROW) row(stmt->get());
  if (rc != SQLITE_DONE) return SqliteStatus(reader.db(), rc, "querying", reader.path());
  return absl::OkStatus();
}

int ActionRank(std::string_view name) {
  std::optional<Action> a = ParseAction(name);
  return a ? static_cast<int>(*a) : -1;
}

}  // namespace

absl::StatusOr<AuditSummary> Summarize(const AuditReader& reader,
                                       absl::Span<const int64_t> runs, int top_episodes) {
  AuditSummary out;
  absl::StatusOr<std::vector<RunRow>> all_runs = reader.Runs();
  if (!all_runs.ok()) return all_runs.status();
  for (RunRow& run : *all_runs)
    if (runs.empty() || std::find(runs.begin(), runs.end(), run.id) != runs.end())
      out.runs.push_back(std::move(run));
  const std::string events_filter = RunFilter("run_id", runs);
  const std::string child_filter = RunFilter("r.run_id", runs);

  // Events not flagged are allowed without penalty: the allow row is the
  // total minus the flagged events with another action.
  int64_t total = 0;
  for (const RunRow& run : out.runs) total += run.events;
  out.events = total;
  int64_t allowed = total;
  bool any_allow = false;
  absl::Status s = Query(reader,
                         fmt::format("SELECT action, count(*), coalesce(sum(penalty), 0), "
                                     "count(DISTINCT run_id) FROM flagged_events WHERE {} "
                                     "GROUP BY action",
                                     events_filter),
                         [&](sqlite3_stmt* q) {
                           CountRow& row = out.by_action.emplace_back();
                           row.key = std::string(ColumnText(q, 0));
                           row.events = sqlite3_column_int64(q, 1);
                           row.total = sqlite3_column_double(q, 2);
                           row.runs = sqlite3_column_int64(q, 3);
                           if (row.key != "allow") {
                             out.violations += row.events;
                             allowed -= row.events;
                           } else {
                             any_allow = true;
                           }
                         });
  if (!s.ok()) return s;
  if (allowed > 0) {
    auto it = std::find_if(out.by_action.begin(), out.by_action.end(),
                           [](const CountRow& r) { return r.key == "allow"; });
    CountRow& row = any_allow ? *it : out.by_action.emplace_back();
    row.key = "allow";
    row.events = allowed;
    row.runs = 0;
    for (const RunRow& run : out.runs)
      if (run.events > run.violations) ++row.runs;
  }
  std::sort(out.by_action.begin(), out.by_action.end(), [](const CountRow& a, const CountRow& b) {
    return ActionRank(a.key) > ActionRank(b.key);
  });

  // A rule counts where it fired with an action other than allow.
  s = Query(reader,
            fmt::format("SELECT r.rule, count(DISTINCT r.event_id), coalesce(sum(e.penalty), 0), "
                        "count(DISTINCT r.run_id) FROM flagged_rules r JOIN flagged_events e "
                        "ON e.event_id = r.event_id WHERE r.action <> 'allow' AND {} "
                        "GROUP BY r.rule ORDER BY 2 DESC, 1",
                        child_filter),
            [&](sqlite3_stmt* q) {
              CountRow& row = out.by_rule.emplace_back();
              row.key = std::string(ColumnText(q, 0));
              row.events = sqlite3_column_int64(q, 1);
              row.total = sqlite3_column_double(q, 2);
              row.runs = sqlite3_column_int64(q, 3);
            });
  if (!s.ok()) return s;

  s = Query(reader,
            fmt::format("SELECT r.category, count(DISTINCT r.event_id), sum(r.cost), "
                        "count(DISTINCT r.run_id) FROM flagged_costs r WHERE {} "
                        "GROUP BY r.category ORDER BY 3 DESC, 1",
                        child_filter),
            [&](sqlite3_stmt* q) {
              CountRow& row = out.by_category.emplace_back();
              row.key = std::string(ColumnText(q, 0));
              row.events = sqlite3_column_int64(q, 1);
              row.total = sqlite3_column_double(q, 2);
              row.runs = sqlite3_column_int64(q, 3);
            });
  if (!s.ok()) return s;

  if (top_episodes > 0) {
    // Uses the index flagged_by_episode.
    s = Query(
        reader,
        fmt::format(
            R"sql(
            WITH v AS (
              SELECT run_id, env, episode, count(*) AS n, sum(penalty) AS penalty,
                     min(step) AS first_step,
                     max(CASE action WHEN 'warn' THEN 1 WHEN 'penalize' THEN 2
                                     WHEN 'block' THEN 3 WHEN 'terminate' THEN 4 ELSE 0 END)
                       AS worst
              FROM flagged_events WHERE action <> 'allow' AND {}
              GROUP BY run_id, env, episode
              ORDER BY penalty DESC, n DESC, run_id, env, episode LIMIT {})
            SELECT v.run_id, runs.name, v.env, v.episode, v.n, v.penalty, v.first_step, v.worst,
                   (SELECT r.rule FROM flagged_rules r JOIN flagged_events e
                      ON e.event_id = r.event_id
                    WHERE e.run_id = v.run_id AND e.env = v.env AND e.episode = v.episode
                      AND r.action <> 'allow'
                    GROUP BY r.rule
                    ORDER BY max(CASE r.action WHEN 'warn' THEN 1 WHEN 'penalize' THEN 2
                                 WHEN 'block' THEN 3 WHEN 'terminate' THEN 4 ELSE 0 END) DESC,
                             count(*) DESC, r.rule
                    LIMIT 1)
            FROM v JOIN runs ON runs.id = v.run_id
            ORDER BY v.penalty DESC, v.n DESC, v.run_id, v.env, v.episode)sql",
            events_filter, top_episodes),
        [&](sqlite3_stmt* q) {
          EpisodeRow& row = out.top_episodes.emplace_back();
          row.run_id = sqlite3_column_int64(q, 0);
          row.run_name = std::string(ColumnText(q, 1));
          row.env = sqlite3_column_int64(q, 2);
          row.episode = sqlite3_column_int64(q, 3);
          row.violations = sqlite3_column_int64(q, 4);
          row.penalty = sqlite3_column_double(q, 5);
          row.first_step = sqlite3_column_int64(q, 6);
          row.worst_action = ActionName(static_cast<Action>(sqlite3_column_int(q, 7)));
          row.top_rule = std::string(ColumnText(q, 8));
        });
    if (!s.ok()) return s;
  }
  return out;
}

absl::StatusOr<AuditDiff> Diff(const AuditReader& reader, absl::Span<const int64_t> base,
                               absl::Span<const int64_t> head, bool all) {
  if (base.empty() || head.empty())
    return absl::InvalidArgumentError("audit diff needs a base run and a head run");
  AuditDiff out;
  const std::string base_ids = IdList(base), head_ids = IdList(head);
  absl::Status s = Query(reader,
                         fmt::format("SELECT coalesce(sum(CASE WHEN run_id IN {0} THEN events END), 0), "
                                     "coalesce(sum(CASE WHEN run_id IN {1} THEN events END), 0) "
                                     "FROM event_blocks "
                                     "WHERE run_id IN {0} OR run_id IN {1}",
                                     base_ids, head_ids),
                         [&](sqlite3_stmt* q) {
                           out.base_events = sqlite3_column_int64(q, 0);
                           out.head_events = sqlite3_column_int64(q, 1);
                         });
  if (!s.ok()) return s;

  // Each query yields (name, events in base, events in head).
  auto collect = [&](const std::string& sql, std::vector<DiffRow>* rows) {
    return Query(reader, sql, [&](sqlite3_stmt* q) {
      DiffRow row;
      row.name = std::string(ColumnText(q, 0));
      row.base = sqlite3_column_int64(q, 1);
      row.head = sqlite3_column_int64(q, 2);
      row.base_rate = out.base_events ? 1000.0 * row.base / out.base_events : 0.0;
      row.head_rate = out.head_events ? 1000.0 * row.head / out.head_events : 0.0;
      if (all || row.is_new() || row.head_rate > row.base_rate) rows->push_back(std::move(row));
    });
  };
  // Capabilities and tools: the per-block counts (an event counts once per
  // capability it has). Rules: violations only (an `allow` rule firing more
  // often is not news).
  const std::string runs = fmt::format("(run_id IN {} OR run_id IN {})", base_ids, head_ids);
  for (auto [kind, rows] : {std::pair{"capability", &out.capabilities}, std::pair{"tool", &out.tools}}) {
    if (!s.ok()) break;
    s = collect(fmt::format("SELECT c.key, "
                            "coalesce(sum(CASE WHEN b.run_id IN {0} THEN c.value END), 0), "
                            "coalesce(sum(CASE WHEN b.run_id IN {1} THEN c.value END), 0) "
                            "FROM event_blocks b, json_each(b.counts, '$.{2}') c "
                            "WHERE b.run_id IN {0} OR b.run_id IN {1} GROUP BY c.key",
                            base_ids, head_ids, kind),
                rows);
  }
  if (s.ok())
    s = collect(fmt::format("SELECT rule, count(DISTINCT CASE WHEN run_id IN {0} THEN event_id END), "
                            "count(DISTINCT CASE WHEN run_id IN {1} THEN event_id END) "
                            "FROM flagged_rules WHERE action <> 'allow' AND {2} GROUP BY rule",
                            base_ids, head_ids, runs),
                &out.rules);
  if (!s.ok()) return s;
  for (std::vector<DiffRow>* rows : {&out.capabilities, &out.tools, &out.rules}) {
    std::sort(rows->begin(), rows->end(), [](const DiffRow& a, const DiffRow& b) {
      if (a.is_new() != b.is_new()) return a.is_new();
      double ga = a.head_rate - a.base_rate, gb = b.head_rate - b.base_rate;
      if (ga != gb) return ga > gb;
      return a.name < b.name;
    });
  }
  return out;
}

}  // namespace rewardguard
