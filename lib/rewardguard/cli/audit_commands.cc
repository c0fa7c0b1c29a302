#include "rewardguard/cli/audit_commands.h"

#include <time.h>

#include <iterator>
#include <ostream>
#include <string>
#include <vector>

#include "fmt/format.h"
#include "rewardguard/audit/merge.h"
#include "rewardguard/audit/replay.h"
#include "rewardguard/audit/report.h"
#include "rewardguard/core/json.h"

namespace rewardguard {
namespace {

// RFC 4180: quoted when it holds a comma, quote or line break.
void AppendCsv(std::string* out, std::string_view s) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos) {
    out->append(s);
    return;
  }
  out->push_back('"');
  for (char c : s) {
    if (c == '"') out->push_back('"');
    out->push_back(c);
  }
  out->push_back('"');
}

std::string Utc(int64_t us) {
  time_t seconds = static_cast<time_t>(us / 1000000);
  struct tm tm;
  gmtime_r(&seconds, &tm);
  char buf[32];
  strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string Clip(std::string_view s, size_t n) {
  if (s.size() <= n) return std::string(s);
  return std::string(s.substr(0, n - 3)) + "...";
}

// Opens the database and resolves `run` (empty: every run). Prints the error
// and returns false on failure.
bool OpenAndResolve(const std::string& db, const std::string& run, std::ostream& err,
                    std::optional<AuditReader>* reader, std::vector<int64_t>* ids) {
  absl::StatusOr<AuditReader> r = AuditReader::Open(db);
  if (!r.ok()) {
    err << "error: " << r.status().message() << "\n";
    return false;
  }
  if (!run.empty()) {
    absl::StatusOr<std::vector<int64_t>> found = r->FindRuns(run);
    if (!found.ok()) {
      err << "error: " << found.status().message() << "\n";
      return false;
    }
    *ids = std::move(*found);
  }
  reader->emplace(std::move(*r));
  return true;
}

}  // namespace

int RunAuditSummary(const AuditSummaryOptions& options, std::ostream& out, std::ostream& err) {
  std::optional<AuditReader> reader;
  std::vector<int64_t> ids;
  if (!OpenAndResolve(options.db, options.run, err, &reader, &ids)) return 2;
  absl::StatusOr<AuditSummary> s = Summarize(*reader, ids, options.top);
  if (!s.ok()) {
    err << "error: " << s.status().message() << "\n";
    return 2;
  }
  out << fmt::format("audit database `{}`: {} runs, {} events, {} violations\n", options.db,
                     s->runs.size(), s->events, s->violations);

  out << "\nruns\n"
      << fmt::format("  {:>4}  {:<20} {:<18} {:>8} {:>10} {:>9}  {:<20}  {}\n", "id", "name",
                     "policy", "events", "violations", "penalty", "started", "ended");
  for (const RunRow& r : s->runs)
    out << fmt::format("  {:>4}  {:<20} {:<18} {:>8} {:>10} {:>9.2f}  {:<20}  {}\n", r.id,
                       Clip(r.name, 20), Clip(r.policy_name, 18), r.events, r.violations,
                       r.penalty, Utc(r.started_at_us),
                       r.ended_at_us ? Utc(*r.ended_at_us) : "(not closed)");

  out << "\nevents by action\n";
  for (const CountRow& row : s->by_action)
    out << fmt::format("  {:<10} {:>8} {:>9.2f}\n", row.key, row.events, row.total);

  out << "\nviolations by rule\n"
      << fmt::format("  {:<28} {:>8} {:>5} {:>9}\n", "rule", "events", "runs", "penalty");
  for (const CountRow& row : s->by_rule)
    out << fmt::format("  {:<28} {:>8} {:>5} {:>9.2f}\n", Clip(row.key, 28), row.events,
                       row.runs, row.total);
  if (s->by_rule.empty()) out << "  (none)\n";

  out << "\nviolations by cost category\n"
      << fmt::format("  {:<16} {:>8} {:>5} {:>9}\n", "category", "events", "runs", "cost");
  for (const CountRow& row : s->by_category)
    out << fmt::format("  {:<16} {:>8} {:>5} {:>9.2f}\n", row.key, row.events, row.runs,
                       row.total);
  if (s->by_category.empty()) out << "  (none)\n";

  out << "\ntop offending episodes\n"
      << fmt::format("  {:<20} {:>5} {:>8} {:>10} {:>9} {:>10}  {:<9}  {}\n", "run", "env",
                     "episode", "violations", "penalty", "first step", "worst", "top rule");
  for (const EpisodeRow& e : s->top_episodes)
    out << fmt::format("  {:<20} {:>5} {:>8} {:>10} {:>9.2f} {:>10}  {:<9}  {}\n",
                       Clip(e.run_name, 20), e.env, e.episode, e.violations, e.penalty,
                       e.first_step, e.worst_action, e.top_rule);
  if (s->top_episodes.empty()) out << "  (none)\n";
  return 0;
}

int RunAuditDiff(const AuditDiffOptions& options, std::ostream& out, std::ostream& err) {
  std::optional<AuditReader> reader;
  std::vector<int64_t> base, head;
  if (options.base.empty() || options.head.empty()) {
    err << "error: audit diff needs --base RUN and --head RUN\n";
    return 2;
  }
  if (!OpenAndResolve(options.db, options.base, err, &reader, &base)) return 2;
  absl::StatusOr<std::vector<int64_t>> h = reader->FindRuns(options.head);
  if (!h.ok()) {
    err << "error: " << h.status().message() << "\n";
    return 2;
  }
  head = std::move(*h);
  absl::StatusOr<AuditDiff> d = Diff(*reader, base, head, options.all);
  if (!d.ok()) {
    err << "error: " << d.status().message() << "\n";
    return 2;
  }
  out << fmt::format("base `{}` ({} events) -> head `{}` ({} events); rates per 1000 events\n",
                     options.base, d->base_events, options.head, d->head_events);
  auto section = [&](std::string_view title, const std::vector<DiffRow>& rows) {
    out << "\n" << title << (options.all ? "" : " (new or grown)") << "\n";
    if (rows.empty()) {
      out << "  (none)\n";
      return;
    }
    out << fmt::format("  {:<28} {:>8} {:>8} {:>8} {:>8}  {}\n", "name", "base", "rate", "head",
                       "rate", "change");
    for (const DiffRow& r : rows) {
      std::string change = r.is_new() ? "new"
                           : r.head_rate == r.base_rate
                               ? "="
                               : fmt::format("{:+.1f}", r.head_rate - r.base_rate);
      out << fmt::format("  {:<28} {:>8} {:>8.1f} {:>8} {:>8.1f}  {}\n", Clip(r.name, 28), r.base,
                         r.base_rate, r.head, r.head_rate, change);
    }
  };
  section("capabilities", d->capabilities);
  section("tools", d->tools);
  section("rules (violations)", d->rules);
  return 0;
}

int RunAuditExport(const AuditExportOptions& options, std::ostream& out, std::ostream& err) {
  const bool csv = options.format == "csv";
  if (!csv && options.format != "jsonl") {
    err << "error: unknown export format `" << options.format << "`; expected jsonl or csv\n";
    return 2;
  }
  std::optional<AuditReader> reader;
  std::vector<int64_t> ids;
  if (!OpenAndResolve(options.db, options.run, err, &reader, &ids)) return 2;
  absl::StatusOr<std::vector<RunRow>> runs = reader->Runs();
  if (!runs.ok()) {
    err << "error: " << runs.status().message() << "\n";
    return 2;
  }
  auto run_name = [&](int64_t id) -> std::string_view {
    for (const RunRow& r : *runs)
      if (r.id == id) return r.name;
    return {};
  };
  if (csv)
    out << "run,run_id,env,episode,step,kind,tool,action,penalty,rules,capabilities,costs,"
           "reason,reward_before,reward_after,ts_us,arguments\r\n";
  std::string line;
  auto visit = [&](const DecisionRecord& r) {
    line.clear();
    auto it = std::back_inserter(line);
    if (csv) {
      AppendCsv(&line, run_name(r.run_id));
      fmt::format_to(it, ",{},{},{},{},{},", r.run_id, r.env, r.episode, r.step,
                     EventKindName(r.kind));
      AppendCsv(&line, r.tool);
      fmt::format_to(it, ",{},{},", ActionName(r.action), r.penalty);
      std::string rules, caps, costs;
      for (const FiredRule& f : r.rules)
        fmt::format_to(std::back_inserter(rules), "{}{}:{}", rules.empty() ? "" : ";", f.id,
                       ActionName(f.action));
      for (const std::string& c : r.capabilities) caps += (caps.empty() ? "" : ";") + c;
      for (const auto& [category, cost] : r.costs)
        fmt::format_to(std::back_inserter(costs), "{}{}={}", costs.empty() ? "" : ";", category,
                       cost);
      AppendCsv(&line, rules);
      line.push_back(',');
      AppendCsv(&line, caps);
      line.push_back(',');
      AppendCsv(&line, costs);
      line.push_back(',');
      AppendCsv(&line, r.reason);
      line.push_back(',');
      if (r.reward_before) fmt::format_to(it, "{}", *r.reward_before);
      line.push_back(',');
      if (r.reward_after) fmt::format_to(it, "{}", *r.reward_after);
      fmt::format_to(it, ",{},", r.timestamp_us);
      AppendCsv(&line, r.arguments);
      line.append("\r\n");
    } else {
      line.append("{\"run\":");
      AppendJsonString(&line, run_name(r.run_id));
      fmt::format_to(it, ",\"run_id\":{},\"env\":{},\"episode\":{},\"step\":{},\"kind\":\"{}\","
                         "\"tool\":",
                     r.run_id, r.env, r.episode, r.step, EventKindName(r.kind));
      AppendJsonString(&line, r.tool);
      line.append(",\"arguments\":");
      AppendJsonString(&line, r.arguments);
      fmt::format_to(it, ",\"action\":\"{}\",\"penalty\":{},\"costs\":{{", ActionName(r.action),
                     r.penalty);
      for (size_t i = 0; i < r.costs.size(); ++i) {
        if (i) line.push_back(',');
        AppendJsonString(&line, r.costs[i].first);
        fmt::format_to(it, ":{}", r.costs[i].second);
      }
      line.append("},\"rules\":[");
      for (size_t i = 0; i < r.rules.size(); ++i) {
        if (i) line.push_back(',');
        line.append("{\"id\":");
        AppendJsonString(&line, r.rules[i].id);
        fmt::format_to(it, ",\"action\":\"{}\"}}", ActionName(r.rules[i].action));
      }
      line.append("],\"capabilities\":[");
      for (size_t i = 0; i < r.capabilities.size(); ++i) {
        if (i) line.push_back(',');
        AppendJsonString(&line, r.capabilities[i]);
      }
      line.append("],\"reason\":");
      AppendJsonString(&line, r.reason);
      line.append(",\"reward_before\":");
      line.append(r.reward_before ? fmt::format("{}", *r.reward_before) : "null");
      line.append(",\"reward_after\":");
      line.append(r.reward_after ? fmt::format("{}", *r.reward_after) : "null");
      fmt::format_to(it, ",\"ts_us\":{}}}\n", r.timestamp_us);
    }
    out << line;
    return static_cast<bool>(out);
  };
  absl::Status s;
  if (ids.empty()) {
    s = reader->ForEachRecord(std::nullopt, visit);
  } else {
    for (int64_t id : ids) {
      s = reader->ForEachRecord(id, visit);
      if (!s.ok()) break;
    }
  }
  if (!s.ok()) {
    err << "error: " << s.message() << "\n";
    return 2;
  }
  out.flush();
  return 0;
}

int RunAuditMerge(const AuditMergeOptions& options, std::ostream& out, std::ostream& err) {
  absl::StatusOr<MergeResult> merged = MergeAuditDatabases(options.out, options.inputs);
  if (!merged.ok()) {
    err << "error: " << merged.status().message() << "\n";
    return 2;
  }
  out << fmt::format("merged {} databases into `{}`: {} runs, {} events ({} flagged)",
                     merged->databases, options.out, merged->runs, merged->events,
                     merged->flagged);
  if (merged->skipped > 0)
    out << fmt::format("; {} runs already in the output skipped", merged->skipped);
  out << "\n";
  return 0;
}

}  // namespace rewardguard
