// rewardguard/audit/replay.h
//
// Reading an audit database back: its runs, and the records of a run in the
// order they were written (for export, replay through another policy, tests).
//
//   auto reader = AuditReader::Open("audit.db");
//   if (!reader.ok()) return reader.status();
//   for (const RunRow& run : *reader->Runs()) ...
//   auto ids = reader->FindRuns("ppo-0412");              // by name or id
//   reader->ForEachRecord(ids->front(), [](const DecisionRecord& r) {
//     ...;
//     return true;                                        // false stops
//   });
//
// The reader opens the database read-only and never blocks a writer (WAL):
// it sees the records committed when each query starts.
#ifndef REWARDGUARD_AUDIT_REPLAY_H_
#define REWARDGUARD_AUDIT_REPLAY_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "rewardguard/audit/record.h"

struct sqlite3;

namespace rewardguard {

// One row of `runs`, with counts over its events.
struct RunRow {
  int64_t id = 0;
  std::string name;
  std::string policy_name;
  std::string policy_source;
  std::string policy_sha256;
  std::string policy_text;
  std::string metadata;
  int64_t started_at_us = 0;
  std::optional<int64_t> ended_at_us;  // nullopt: still running, or killed
  int64_t events = 0;
  int64_t violations = 0;  // events whose action is not `allow`
  double penalty = 0.0;
};

class AuditReader {
 public:
  // Opens an existing audit database read-only. NotFound if there is no
  // such file; DataLoss if it is not an audit database.
  static absl::StatusOr<AuditReader> Open(const std::string& path);

  AuditReader(AuditReader&&) noexcept;
  AuditReader& operator=(AuditReader&&) noexcept;
  ~AuditReader();

  // Every run, by id.
  absl::StatusOr<std::vector<RunRow>> Runs() const;

  // The ids of the runs named `name_or_id` (several runs may share a name:
  // a resumed run), or the run whose id it is when it is a number and no run
  // has that name. NotFound if none.
  absl::StatusOr<std::vector<int64_t>> FindRuns(std::string_view name_or_id) const;

  // Calls `visit` on each record of `run` (every run if nullopt), in the
  // order written; stops early when `visit` returns false.
  absl::Status ForEachRecord(std::optional<int64_t> run,
                             const std::function<bool(const DecisionRecord&)>& visit) const;

  // All records of `run` (every run if nullopt). For tests and small runs.
  absl::StatusOr<std::vector<DecisionRecord>> ReadRecords(std::optional<int64_t> run) const;

  const std::string& path() const { return path_; }
  // The connection, for report queries (see report.h). Owned by the reader.
  sqlite3* db() const { return db_; }

 private:
  AuditReader(std::string path, sqlite3* db) : path_(std::move(path)), db_(db) {}
  std::string path_;
  sqlite3* db_ = nullptr;
};

}  // namespace rewardguard

#endif  // REWARDGUARD_AUDIT_REPLAY_H_
