// rewardguard/audit/report.h
//
// The questions the audit trail answers, as SQL over an audit database:
// what fired, in which category and run, which episodes were worst
// (Summarize), and what a run started doing that an earlier run did not
// (Diff). `rewardguard audit summary|diff` print these.
//
//   auto reader = AuditReader::Open("audit.db");
//   auto summary = Summarize(*reader, /*runs=*/{}, /*top_episodes=*/10);
//   auto base = reader->FindRuns("week-1"), head = reader->FindRuns("week-2");
//   auto diff = Diff(*reader, *base, *head);
//   for (const DiffRow& row : diff->capabilities) ...   // new or grew
//
// A violation is an event whose action is not `allow` (warn and above).
#ifndef REWARDGUARD_AUDIT_REPORT_H_
#define REWARDGUARD_AUDIT_REPORT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "rewardguard/audit/replay.h"

namespace rewardguard {

struct CountRow {
  std::string key;     // rule id, category, action
  int64_t events = 0;  // events (violations, for rules and categories)
  double total = 0.0;  // summed cost (categories) or penalty
  int64_t runs = 0;    // distinct runs
};

struct EpisodeRow {
  int64_t run_id = 0;
  std::string run_name;
  int64_t env = 0;
  int64_t episode = 0;
  int64_t violations = 0;
  double penalty = 0.0;
  int64_t first_step = 0;  // of the first violation
  std::string worst_action;
  std::string top_rule;    // the violated rule with the strongest action (then most often)
};

struct AuditSummary {
  std::vector<RunRow> runs;            // with event, violation and penalty counts
  int64_t events = 0;
  int64_t violations = 0;
  std::vector<CountRow> by_action;     // every action present, strongest first
  std::vector<CountRow> by_rule;       // most violations first
  std::vector<CountRow> by_category;   // largest total cost first
  std::vector<EpisodeRow> top_episodes;  // most penalty first
};

// Over the runs `runs` (every run if empty).
absl::StatusOr<AuditSummary> Summarize(const AuditReader& reader,
                                       absl::Span<const int64_t> runs, int top_episodes);

struct DiffRow {
  std::string name;
  int64_t base = 0;        // events with it in the base runs
  int64_t head = 0;        // and in the head runs
  double base_rate = 0.0;  // per 1000 events of the base runs
  double head_rate = 0.0;
  bool is_new() const { return base == 0 && head > 0; }
};

struct AuditDiff {
  int64_t base_events = 0;
  int64_t head_events = 0;
  // New in head, or more frequent (per 1000 events) than in base: new ones
  // first, then by growth of the rate. With `all`, every name seen in either.
  std::vector<DiffRow> capabilities;
  std::vector<DiffRow> tools;
  std::vector<DiffRow> rules;
};

absl::StatusOr<AuditDiff> Diff(const AuditReader& reader, absl::Span<const int64_t> base,
                               absl::Span<const int64_t> head, bool all = false);

}  // namespace rewardguard

#endif  // REWARDGUARD_AUDIT_REPORT_H_
