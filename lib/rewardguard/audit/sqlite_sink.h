// rewardguard/audit/sqlite_sink.h
//
// The audit trail: every evaluated event, its verdict and the reward it
// changed, keyed by run, env, episode and step, in an SQLite database.
//
//   auto sink = SqliteSink::Open("audit.db", RunInfo::ForPolicy("ppo-0412", *policy));
//   if (!sink.ok()) return sink.status();
//   EventBatch batch(policy);
//   for (...) {                                 // the step loop
//     evaluator.EvaluateBatch(calls, env_ids, absl::MakeSpan(verdicts));
//     for (int i = 0; i < n; ++i)
//       batch.Add(verdicts[i], {.env = env_ids[i], .episode = ep, .step = t,
//                               .tool = calls[i].tool, .arguments = calls[i].arguments});
//     RETURN_IF_ERROR((*sink)->WriteBatch(&batch));
//   }
//   RETURN_IF_ERROR((*sink)->RequestFlush());   // episode end: commit now, don't wait
//   RETURN_IF_ERROR((*sink)->Flush());          // before a checkpoint: durable from here
//   RETURN_IF_ERROR((*sink)->Close());          // run end
//
// One event at a time works too: (*sink)->Write(MakeRecord(*policy, verdict,
// {...})), at a few hundred nanoseconds more per event on the step thread.
//
// How it stays off the step path: WriteBatch only moves the batch into a
// bounded in-memory queue (a pointer swap; the batch comes back empty with
// recycled storage); a writer thread turns the events into blocks (one row
// per up to `max_batch` events, see docs/audit.md) and commits them. When the
// queue is full, writes block until the writer has made room
// (back-pressure): events are never dropped silently.
//
// Durability: the database is in WAL mode. Once Flush (or Close) returns OK,
// every record written before it is committed and survives the process being
// killed (SIGKILL). With `synchronous_full` it also survives power loss (each
// commit is fsynced); by default commits are fsynced at WAL checkpoints only,
// which the writer runs after a commit, never before one (so they do not
// delay a Flush). RequestFlush asks for the same commit without waiting for
// it: what a step loop calls at episode end.
//
// Errors never hang: a database locked by another connection is waited for
// at most `busy_timeout_ms`, then it is an error. The first error (locked,
// disk full, I/O) is sticky: it is returned by the next Write, Flush or Close,
// and the records still queued are discarded (counted by `discarded()`), so a
// failing disk does not stall training. Open a new sink to start over.
//
// Several processes (and several sinks in one process) may write to the same
// database at once: each Open adds a run, and writers take turns on the WAL.
//
// Thread safety: every method may be called from any thread.
#ifndef REWARDGUARD_AUDIT_SQLITE_SINK_H_
#define REWARDGUARD_AUDIT_SQLITE_SINK_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "rewardguard/audit/record.h"
#include "rewardguard/policy/compiled_policy.h"

struct sqlite3;
struct sqlite3_stmt;

namespace rewardguard {

// Where records go. SqliteSink is the one this library ships; trainers may
// plug in their own (a message queue, a test double).
class AuditSink {
 public:
  virtual ~AuditSink() = default;

  // Queues `record`. Blocks while the queue is full. Returns the sink's
  // sticky error, if any (the record is then discarded).
  virtual absl::Status Write(DecisionRecord record) = 0;
  // Queues every record of `records`, moving them out, under one lock.
  virtual absl::Status WriteBatch(absl::Span<DecisionRecord> records);
  // Queues every event of `batch` and leaves it empty (same policy). The
  // default turns each event into a record and calls Write.
  virtual absl::Status WriteBatch(EventBatch* batch);
  // Returns once every record written before the call is durable, or with
  // the error that kept it from being so.
  virtual absl::Status Flush() = 0;
  // Asks for every record written before the call to be committed soon
  // (within ~20 ms: requests are coalesced), and returns at once with the
  // sticky error so far (a later Flush tells whether the commit succeeded).
  // Call it at episode end. The default waits: Flush.
  virtual absl::Status RequestFlush() { return Flush(); }
  // Flushes and ends the run. Further calls return the same status.
  virtual absl::Status Close() = 0;
};

// The run a sink records: one row of the `runs` table.
struct RunInfo {
  std::string name;            // required; names need not be unique
  std::string policy_name;
  std::string policy_source;   // file path or "<builtin:NAME>"
  std::string policy_text;     // the YAML, for reproducing verdicts later
  std::string metadata;        // free text (JSON recommended): host, git sha, seed...

  // name + the policy's name, source and text.
  static RunInfo ForPolicy(std::string name, const CompiledPolicy& policy);
};

struct SinkOptions {
  // Events the queue holds before writes block. A batch larger than this is
  // queued whole once the queue is empty.
  size_t queue_capacity = 1 << 17;
  // Events per block and per transaction, at most (capped at 2^20). The
  // writer takes queued events once a quarter of a block waits, serializes
  // them at once, and commits a block when it holds this many, when
  // (Request)Flush or Close asks, or `commit_interval` after its first event
  // was queued. Each commit also rewrites a few partly filled pages (the
  // tables' last leaves, their indexes): blocks of ~2 MB keep that to a tenth
  // of the bytes written (4,096 events: a quarter more bytes per event).
  size_t max_batch = 16384;
  std::chrono::milliseconds commit_interval{100};
  // How long a write waits for a database locked by another connection
  // before it is an error.
  int busy_timeout_ms = 5000;
  // fsync every commit (PRAGMA synchronous=FULL) instead of at checkpoints.
  bool synchronous_full = false;
  // If > 0, the database may not grow past this many pages (PRAGMA
  // max_page_count): a hard cap on disk use. Past it writes fail as on a full
  // disk (the tests use it to simulate one).
  int64_t max_page_count = 0;
};

class SqliteSink final : public AuditSink {
 public:
  // Opens (creating if needed) the database at `path`, creates the schema,
  // adds a row for `run` and starts the writer thread. Errors: a locked
  // database (after busy_timeout_ms), a path that cannot be opened, a file
  // that is not an rewardguard audit database.
  static absl::StatusOr<std::unique_ptr<SqliteSink>> Open(const std::string& path,
                                                          const RunInfo& run,
                                                          const SinkOptions& options = {});

  SqliteSink(const SqliteSink&) = delete;
  SqliteSink& operator=(const SqliteSink&) = delete;
  // Closes if Close was not called (its error is lost: call Close).
  ~SqliteSink() override;

  absl::Status Write(DecisionRecord record) override;
  absl::Status WriteBatch(absl::Span<DecisionRecord> records) override;
  absl::Status WriteBatch(EventBatch* batch) override;
  absl::Status Flush() override;
  absl::Status RequestFlush() override;
  absl::Status Close() override;

  // The id of this sink's row in `runs`.
  int64_t run_id() const { return run_id_; }
  const std::string& path() const { return path_; }
  // Records committed so far, and records discarded after an error.
  int64_t committed() const;
  int64_t discarded() const;

 private:
  // What the queue holds: records written one by one, or a whole batch.
  struct Item {
    std::vector<DecisionRecord> records;
    std::optional<EventBatch> batch;
    std::chrono::steady_clock::time_point queued_at;  // of its first event
    size_t size() const { return batch ? batch->size() : records.size(); }
  };
  class BlockBuilder;

  SqliteSink(std::string path, SinkOptions options, sqlite3* db, int64_t run_id);
  void WriterLoop();
  // Appends an item to queue_ (holds mu_).
  Item& NewItem();
  // Counts `n` events just queued and wakes the writer when wake_events_ are
  // waiting (holds mu_).
  void Enqueued(size_t n);
  // Waits for room for `n` events; returns the sticky error or a closed-sink
  // error instead. `lock` holds mu_.
  absl::Status WaitForRoom(std::unique_lock<std::mutex>& lock, size_t n);
  // Commits the block in one transaction; OK or the error (rolled back).
  absl::Status CommitBlock(BlockBuilder& block);
  // After a commit: copies the WAL back into the database (and fsyncs) once
  // it holds ~16 MiB. PASSIVE: never waits for other connections.
  void CheckpointIfLarge();

  const std::string path_;
  const SinkOptions options_;
  sqlite3* db_;  // owned; used by the writer thread only, then by Close
  const int64_t run_id_;
  // The writer is woken when a quarter of a block is queued (and by Flush
  // and Close), not for every batch: fewer wake-ups beside the step loop.
  const size_t wake_events_;
  sqlite3_stmt* stmts_[5] = {};  // see sqlite_sink.cc; finalized with db_
  absl::Status statements_error_;
  int wal_pages_ = 0;  // after the last commit (SQLite's WAL hook); writer thread
  int checkpoint_pages_ = 0;  // checkpoint when the WAL holds this many

  mutable std::mutex mu_;
  std::condition_variable work_;       // the writer waits for events or stop
  std::condition_variable not_full_;   // writers wait for room
  std::condition_variable progress_;   // Flush waits for the writer
  std::vector<Item> queue_;            // guarded by mu_
  size_t queued_ = 0;                  // events in queue_; guarded by mu_
  std::vector<EventBatch> spare_;      // emptied batches to hand back; guarded by mu_
  int64_t enqueued_ = 0;               // events ever queued; guarded by mu_
  int64_t done_ = 0;                   // committed + discarded; guarded by mu_
  int64_t flush_target_ = 0;           // (Request)Flush wants done_ to reach it; guarded by mu_
  int flush_waiters_ = 0;              // Flush calls waiting; guarded by mu_
  int64_t committed_ = 0;              // guarded by mu_
  int64_t discarded_ = 0;              // guarded by mu_
  absl::Status error_;                 // sticky; guarded by mu_
  bool stop_ = false;                  // guarded by mu_
  bool closed_ = false;                // guarded by mu_
  bool close_done_ = false;            // guarded by mu_
  absl::Status close_status_;          // guarded by mu_
  std::thread writer_;
};

}  // namespace rewardguard

#endif  // REWARDGUARD_AUDIT_SQLITE_SINK_H_
