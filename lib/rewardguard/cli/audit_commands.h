// rewardguard/cli/audit_commands.h
//
// `rewardguard audit ...`: questions to an audit database (see
// audit/sqlite_sink.h for how it is written and docs/audit.md for its schema).
//
//   rewardguard audit summary audit.db [--run RUN] [--top 10]
//   rewardguard audit diff audit.db --base week-1 --head week-2 [--all]
//   rewardguard audit export audit.db --format jsonl|csv [--run RUN] [-o FILE]
//   rewardguard audit merge OUT.db IN1.db IN2.db ...
//
// RUN is a run name (all runs of that name together) or a run id.
// Exit codes: 0 success; 2 the database or a run could not be read (the
// error goes to `err`).
#ifndef REWARDGUARD_CLI_AUDIT_COMMANDS_H_
#define REWARDGUARD_CLI_AUDIT_COMMANDS_H_

#include <iosfwd>
#include <string>
#include <vector>

namespace rewardguard {

struct AuditSummaryOptions {
  std::string db;
  std::string run;  // empty: every run
  int top = 10;     // offending episodes listed
};

// Violations (events whose action is not `allow`) by action, rule, cost
// category and run, and the episodes with the most penalty.
int RunAuditSummary(const AuditSummaryOptions& options, std::ostream& out, std::ostream& err);

struct AuditDiffOptions {
  std::string db;
  std::string base;
  std::string head;
  bool all = false;  // also list what did not grow
};

// Capabilities, tools and rules (violations) that are new in `head` or more
// frequent per 1000 events than in `base`.
int RunAuditDiff(const AuditDiffOptions& options, std::ostream& out, std::ostream& err);

struct AuditExportOptions {
  std::string db;
  std::string format = "jsonl";  // jsonl or csv
  std::string run;               // empty: every run
};

// One line (or CSV row) per event, in the order written.
int RunAuditExport(const AuditExportOptions& options, std::ostream& out, std::ostream& err);

struct AuditMergeOptions {
  std::string out;                  // created if missing; an existing one keeps its runs
  std::vector<std::string> inputs;  // at least one
};

// Copies every run of the inputs, with every record, into `out`, the runs
// renumbered after those `out` holds (audit/merge.h). Inputs of another
// schema version, missing or not audit databases are refused before
// anything is written.
int RunAuditMerge(const AuditMergeOptions& options, std::ostream& out, std::ostream& err);

}  // namespace rewardguard

#endif  // REWARDGUARD_CLI_AUDIT_COMMANDS_H_
