#include "rewardguard/audit/sqlite_sink.h"
#include "rewardguard/core/json.h"

#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <deque>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "fmt/format.h"
#include "rewardguard/audit/internal/db.h"
#include "rewardguard/core/strings.h"

namespace rewardguard {

using audit_internal::DbPtr;
using audit_internal::Exec;
using audit_internal::SqliteStatus;

namespace {

// Statements the writer reuses for every block, in the order of kSql.
enum Stmt { kBegin, kCommit, kRollback, kInsertBlock, kInsertFlagged, kNumStmts };

constexpr const char* kSql[kNumStmts] = {
    "BEGIN IMMEDIATE",
    "COMMIT",
    "ROLLBACK",
    "INSERT INTO event_blocks(run_id, events, first_ts_us, last_ts_us, counts, data) "
    "VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
    "INSERT INTO flagged_events(event_id, run_id, env, episode, step, kind, tool, arguments, "
    "action, penalty, capabilities, rules, costs, reason, reward_before, reward_after, ts_us) "
    "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
};
static_assert(kNumStmts == 5, "resize SqliteSink::stmts_");

constexpr const char kEndRunSql[] = "UPDATE runs SET ended_at_us = ?2 WHERE id = ?1";

// Emptied batches kept for WriteBatch to hand back (their buffers have grown
// to a step's size already).
constexpr size_t kMaxSpareBatches = 64;

// A block is committed when it holds max_batch events or this many bytes.
constexpr size_t kMaxBlockBytes = size_t{8} << 20;

// The writer checkpoints once the WAL holds this much.
constexpr int64_t kCheckpointBytes = int64_t{16} << 20;

// Commits asked for by RequestFlush are at most this often.
constexpr std::chrono::milliseconds kMinRequestedCommitGap(20);

void AppendInt(std::string* out, int64_t v) {
  fmt::format_int f(v);
  out->append(f.data(), f.size());
}


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

std::optional<int64_t> QueryInt(sqlite3* db, const char* sql) {
  sqlite3_stmt* stmt = nullptr;
  std::optional<int64_t> out;
  if (sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr) == SQLITE_OK &&
      sqlite3_step(stmt) == SQLITE_ROW)
    out = sqlite3_column_int64(stmt, 0);
  sqlite3_finalize(stmt);
  return out;
}

absl::Status CheckSchemaVersion(sqlite3* db, const std::string& path) {
  const std::string version = audit_internal::ReadSchemaVersion(db).value_or("");
  if (version != std::to_string(audit_internal::kSchemaVersion))
    return absl::FailedPreconditionError(fmt::format(
        "audit database `{}` has schema version `{}`; this build writes version {}", path,
        version, audit_internal::kSchemaVersion));
  return absl::OkStatus();
}

}  // namespace

absl::Status AuditSink::WriteBatch(EventBatch* batch) {
  absl::Status status;
  for (size_t i = 0; i < batch->size() && status.ok(); ++i) status = Write(batch->Record(i));
  batch->Clear();
  return status;
}

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
  if (options.queue_capacity == 0 || options.max_batch == 0 ||
      options.commit_interval.count() <= 0)
    return absl::InvalidArgumentError(
        "audit queue_capacity, max_batch and commit_interval must be positive");
  absl::StatusOr<DbPtr> db =
      audit_internal::OpenDb(path, /*create=*/true, options.busy_timeout_ms);
  if (!db.ok()) return db.status();
  sqlite3* h = db->get();
  // Large pages: blocks are large rows, and SQLite writes 64 KiB pages about
  // twice as fast as 4 KiB ones. Only takes effect on a new database.
  if (absl::Status s = Exec(h, "PRAGMA page_size=65536", path); !s.ok()) return s;
  if (absl::Status s = EnableWal(h, path, options.busy_timeout_ms); !s.ok()) return s;
  if (absl::Status s = Exec(h, options.synchronous_full ? "PRAGMA synchronous=FULL"
                                                        : "PRAGMA synchronous=NORMAL",
                            path);
      !s.ok())
    return s;
  // The writer checkpoints itself (CheckpointIfLarge), after its commits; the
  // WAL file is truncated back to 64 MiB after a checkpoint. A 4 MiB page
  // cache: blocks stream through it (64 MiB measured no faster).
  if (absl::Status s = Exec(h,
                            "PRAGMA cache_size=-4096; PRAGMA journal_size_limit=67108864; "
                            "PRAGMA temp_store=MEMORY",
                            path);
      !s.ok())
    return s;
  if (options.max_page_count > 0) {
    std::string pragma = fmt::format("PRAGMA max_page_count={}", options.max_page_count);
    if (absl::Status s = Exec(h, pragma.c_str(), path); !s.ok()) return s;
  }

  // Schema and the run's row in one transaction: concurrent openers queue up.
  if (absl::Status s = Exec(h, "BEGIN IMMEDIATE", path); !s.ok()) return s;
  absl::Status s = Exec(h, audit_internal::kSchemaSql, path);
  if (s.ok()) s = Exec(h, audit_internal::SchemaVersionSql().c_str(), path);
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

// The block the writer is filling: the events' JSON, and what goes into the
// indexed tables beside it (counts per capability and tool, flagged events).
// It copies what it keeps, so the queued items can be recycled as soon as
// they are serialized.
class SqliteSink::BlockBuilder {
 public:
  struct Span {
    size_t begin = 0, end = 0;
  };
  struct Flagged {
    uint32_t index = 0;  // in the block
    int64_t env = 0, episode = 0, step = 0, timestamp_us = 0;
    EventKind kind = EventKind::kCall;
    Action action = Action::kAllow;
    float penalty = 0.0f;
    // In the block's flagged text: tool, arguments, reason.
    Span tool, arguments, reason;
    std::optional<double> reward_before, reward_after;
    // JSON arrays in data(), as byte offsets; empty spans for empty lists.
    Span capabilities, rules, costs;
  };

  size_t size() const { return count_; }
  size_t bytes() const { return data_.size(); }

  void Clear() {
    data_.clear();
    count_ = 0;
    first_ts_ = last_ts_ = 0;
    capability_counts_.clear();
    std::fill(capability_counts_by_id_.begin(), capability_counts_by_id_.end(), 0);
    tool_counts_.clear();
    flagged_.clear();
    flagged_text_.clear();
  }

  void Add(const DecisionRecord& r) {
    Begin(r.env, r.episode, r.step, r.timestamp_us, r.tool, r.arguments, r.action, r.penalty);
    const Span caps = List(r.capabilities.size(), [&](size_t i) {
      audit_internal::AppendJsonText(&data_, r.capabilities[i]);
      Count(&capability_counts_, r.capabilities[i]);
    });
    const Span rules =
        List(r.rules.size(), [&](size_t i) { AppendRule(&data_, r.rules[i].id, r.rules[i].action); });
    const Span costs = List(r.costs.size(), [&](size_t i) {
      AppendCost(r.costs[i].first, r.costs[i].second);
    });
    End(r.reason, r.reward_before, r.reward_after, r.kind);
    if (Flags(r.action, r.penalty))
      flagged_.push_back(Flagged{count_ - 1, r.env, r.episode, r.step, r.timestamp_us, r.kind,
                                 r.action, r.penalty, Keep(r.tool), Keep(r.arguments),
                                 Keep(r.reason), r.reward_before, r.reward_after, caps, rules,
                                 costs});
  }

  void Add(const EventBatch& batch, const EventBatch::Event& e) {
    const CompiledPolicy& policy = batch.policy();
    if (&policy != policy_.get()) SwitchPolicy(batch.shared_policy());
    const std::string_view tool = batch.tool(e), arguments = batch.arguments(e),
                           reason = batch.reason(e);
    Begin(e.env, e.episode, e.step, e.timestamp_us, tool, arguments, e.action, e.penalty);
    const auto capability_ids = batch.capabilities(e);
    const Span caps = List(capability_ids.size(), [&](size_t i) {
      data_.append(capability_json_[capability_ids[i]]);
      ++capability_counts_by_id_[capability_ids[i]];
    });
    const auto rule_ids = batch.rules(e);
    const Span rules = List(rule_ids.size(), [&](size_t i) {
      const std::string_view id = rule_ids[i];
      auto [it, inserted] = rule_json_.try_emplace(std::pair(id.data(), id.size()));
      if (inserted) {
        it->second.clear();
        AppendRule(&it->second, id, FiredRuleAction(policy, id));
      }
      data_.append(it->second);
    });
    const auto categories = policy.categories();
    const auto cost_list = batch.costs(e);
    const Span costs = List(cost_list.size(), [&](size_t i) {
      AppendCost(categories[cost_list[i].category], cost_list[i].cost);
    });
    std::optional<double> rb, ra;
    if (e.has_reward_before) rb = e.reward_before;
    if (e.has_reward_after) ra = e.reward_after;
    End(reason, rb, ra, e.kind);
    if (Flags(e.action, e.penalty))
      flagged_.push_back(Flagged{count_ - 1, e.env, e.episode, e.step, e.timestamp_us, e.kind,
                                 e.action, e.penalty, Keep(tool), Keep(arguments), Keep(reason),
                                 rb, ra, caps, rules, costs});
  }

  // The block's JSON text, once complete.
  std::string_view Finish() {
    if (policy_ != nullptr) FoldCapabilityCounts();
    data_.push_back(']');
    return data_;
  }
  std::string_view data() const { return data_; }
  int64_t first_ts() const { return first_ts_; }
  int64_t last_ts() const { return last_ts_; }
  const absl::flat_hash_map<std::string, int64_t>& capability_counts() const {
    return capability_counts_;
  }
  const absl::flat_hash_map<std::string, int64_t>& tool_counts() const { return tool_counts_; }
  const std::vector<Flagged>& flagged() const { return flagged_; }
  // The JSON array at `span`, "[]" for an empty one.
  std::string_view Slice(Span span) const {
    if (span.begin == span.end) return "[]";
    return std::string_view(data_).substr(span.begin, span.end - span.begin);
  }
  std::string_view FlaggedText(Span span) const {
    return std::string_view(flagged_text_).substr(span.begin, span.end - span.begin);
  }

 private:
  // Kept in indexed tables: what summary and diff look up.
  static bool Flags(Action action, float penalty) {
    return action != Action::kAllow || penalty != 0.0f;
  }

  Span Keep(std::string_view text) {
    const size_t begin = flagged_text_.size();
    flagged_text_.append(text);
    return Span{begin, flagged_text_.size()};
  }

  static void Count(absl::flat_hash_map<std::string, int64_t>* counts, std::string_view name,
                    int64_t events = 1) {
    auto it = counts->find(AbslView(name));
    if (it == counts->end()) it = counts->emplace(std::string(name), 0).first;
    it->second += events;
  }

  // An event is [env, episode, step, tool, arguments, action, penalty,
  // time offset, capabilities, rules, costs, reason, reward_before,
  // reward_after, kind] (docs/audit.md); the fields from the time offset on
  // are left out while they and all after them hold their defaults (0, [],
  // [], [], "", null, null, "call"): end_ is where the last one that does
  // not ends.
  void Begin(int64_t env, int64_t episode, int64_t step, int64_t timestamp_us,
             std::string_view tool, std::string_view arguments, Action action, float penalty) {
    if (count_ == 0) {
      data_.push_back('[');
      first_ts_ = timestamp_us;
    } else {
      data_.push_back(',');
    }
    ++count_;
    last_ts_ = timestamp_us;
    data_.push_back('[');
    AppendInt(&data_, env);
    data_.push_back(',');
    AppendInt(&data_, episode);
    data_.push_back(',');
    AppendInt(&data_, step);
    data_.push_back(',');
    audit_internal::AppendJsonText(&data_, tool);
    Count(&tool_counts_, tool);
    data_.push_back(',');
    audit_internal::AppendJsonText(&data_, arguments);
    data_.append(",\"");
    data_.append(ActionName(action));
    data_.append("\",");
    // As a double, so that reading it back gives the same float exactly.
    audit_internal::AppendJsonNumber(&data_, penalty);
    end_ = data_.size();
    data_.push_back(',');
    AppendInt(&data_, timestamp_us - first_ts_);
    if (timestamp_us != first_ts_) end_ = data_.size();
  }

  // Appends a JSON array of `n` items, each written by `item(i)`.
  template <typename Item>
  Span List(size_t n, Item item) {
    data_.push_back(',');
    Span span{data_.size(), data_.size()};
    data_.push_back('[');
    for (size_t i = 0; i < n; ++i) {
      if (i) data_.push_back(',');
      item(i);
    }
    data_.push_back(']');
    if (n == 0) return Span{};
    span.end = end_ = data_.size();
    return span;
  }

  void End(std::string_view reason, const std::optional<double>& rb,
           const std::optional<double>& ra, EventKind kind) {
    data_.push_back(',');
    audit_internal::AppendJsonText(&data_, reason);
    if (!reason.empty()) end_ = data_.size();
    for (const std::optional<double>* reward : {&rb, &ra}) {
      data_.push_back(',');
      if (*reward) {
        audit_internal::AppendJsonNumber(&data_, **reward);
        end_ = data_.size();
      } else {
        data_.append("null");
      }
    }
    if (kind != EventKind::kCall) {
      data_.append(",\"");
      data_.append(EventKindName(kind));
      data_.push_back('"');
      end_ = data_.size();
    }
    data_.resize(end_);
    data_.push_back(']');
  }

  static void AppendRule(std::string* out, std::string_view id, Action action) {
    out->push_back('[');
    audit_internal::AppendJsonText(out, id);
    out->append(",\"");
    out->append(ActionName(action));
    out->append("\"]");
  }

  void AppendCost(std::string_view category, double cost) {
    data_.push_back('[');
    audit_internal::AppendJsonText(&data_, category);
    data_.push_back(',');
    audit_internal::AppendJsonNumber(&data_, cost);
    data_.push_back(']');
  }

  void SwitchPolicy(const PolicyPtr& shared) {
    FoldCapabilityCounts();
    const CompiledPolicy& policy = *shared;
    policy_ = shared;
    rule_json_.clear();
    capability_json_.assign(policy.num_capabilities(), std::string());
    for (int id = 0; id < policy.num_capabilities(); ++id)
      audit_internal::AppendJsonText(&capability_json_[id], policy.capability_name(id));
    capability_counts_by_id_.assign(policy.num_capabilities(), 0);
  }

  // Moves the per-id counts of the current policy into capability_counts_.
  void FoldCapabilityCounts() {
    for (size_t id = 0; id < capability_counts_by_id_.size(); ++id) {
      if (capability_counts_by_id_[id] == 0) continue;
      Count(&capability_counts_, policy_->capability_name(static_cast<CapabilityId>(id)),
            capability_counts_by_id_[id]);
      capability_counts_by_id_[id] = 0;
    }
  }

  std::string data_;
  size_t end_ = 0;  // of the current event's last field that is kept
  uint32_t count_ = 0;
  int64_t first_ts_ = 0, last_ts_ = 0;
  absl::flat_hash_map<std::string, int64_t> capability_counts_, tool_counts_;
  std::vector<Flagged> flagged_;
  std::string flagged_text_;
  // For events of batches made with `policy_`: each fired rule as JSON
  // (by the address of its id), each capability's name as JSON and count.
  // Held, so that the caches cannot outlive it (and its address be reused).
  PolicyPtr policy_;
  absl::flat_hash_map<std::pair<const char*, size_t>, std::string> rule_json_;
  std::vector<std::string> capability_json_;
  std::vector<int64_t> capability_counts_by_id_;
};

SqliteSink::SqliteSink(std::string path, SinkOptions options, sqlite3* db, int64_t run_id)
    : path_(std::move(path)),
      options_(options),
      db_(db),
      run_id_(run_id),
      wake_events_(std::max<size_t>(1, std::min(options.max_batch, options.queue_capacity) / 4)) {
  for (int i = 0; i < kNumStmts; ++i) {
    int rc = sqlite3_prepare_v3(db_, kSql[i], -1, SQLITE_PREPARE_PERSISTENT, &stmts_[i], nullptr);
    if (rc != SQLITE_OK) {
      statements_error_ = SqliteStatus(db_, rc, "preparing statements", path_);
      closed_ = close_done_ = true;
      close_status_ = statements_error_;
      return;
    }
  }
  // Replaces SQLite's automatic checkpoint, which would run inside a commit
  // that a Flush may be waiting for.
  const int64_t page_size = QueryInt(db_, "PRAGMA page_size").value_or(4096);
  checkpoint_pages_ = static_cast<int>(
      std::max<int64_t>(16, kCheckpointBytes / std::max<int64_t>(page_size, 512)));
  sqlite3_wal_hook(
      db_,
      [](void* self, sqlite3*, const char*, int pages) {
        static_cast<SqliteSink*>(self)->wal_pages_ = pages;
        return SQLITE_OK;
      },
      this);
  queue_.reserve(64);
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

absl::Status SqliteSink::WaitForRoom(std::unique_lock<std::mutex>& lock, size_t n) {
  not_full_.wait(lock, [&] {
    return closed_ || !error_.ok() || queued_ == 0 || queued_ + n <= options_.queue_capacity;
  });
  if (closed_) return absl::FailedPreconditionError(fmt::format("audit sink for `{}` is closed", path_));
  return error_;
}

SqliteSink::Item& SqliteSink::NewItem() {
  Item& item = queue_.emplace_back();
  item.queued_at = std::chrono::steady_clock::now();
  return item;
}

void SqliteSink::Enqueued(size_t n) {
  const bool was_below = queued_ < wake_events_;
  queued_ += n;
  enqueued_ += static_cast<int64_t>(n);
  if (was_below && queued_ >= wake_events_) work_.notify_one();
}

absl::Status SqliteSink::Write(DecisionRecord record) {
  std::unique_lock<std::mutex> lock(mu_);
  if (absl::Status s = WaitForRoom(lock, 1); !s.ok()) {
    if (!closed_) ++discarded_;
    return s;
  }
  if (queue_.empty() || queue_.back().batch) NewItem();
  queue_.back().records.push_back(std::move(record));
  Enqueued(1);
  return absl::OkStatus();
}

absl::Status SqliteSink::WriteBatch(absl::Span<DecisionRecord> records) {
  size_t i = 0;
  while (i < records.size()) {
    std::unique_lock<std::mutex> lock(mu_);
    if (absl::Status s = WaitForRoom(lock, 1); !s.ok()) {
      if (!closed_) discarded_ += static_cast<int64_t>(records.size() - i);
      return s;
    }
    if (queue_.empty() || queue_.back().batch) NewItem();
    std::vector<DecisionRecord>& to = queue_.back().records;
    // WaitForRoom left room for one at least.
    const size_t n = std::min(records.size() - i, options_.queue_capacity - queued_);
    for (size_t end = i + n; i < end; ++i) to.push_back(std::move(records[i]));
    Enqueued(n);
  }
  return absl::OkStatus();
}

absl::Status SqliteSink::WriteBatch(EventBatch* batch) {
  const size_t n = batch->size();
  if (n == 0) return absl::OkStatus();
  std::unique_lock<std::mutex> lock(mu_);
  if (absl::Status s = WaitForRoom(lock, n); !s.ok()) {
    if (!closed_) discarded_ += static_cast<int64_t>(n);
    batch->Clear();
    return s;
  }
  PolicyPtr policy = batch->shared_policy();
  NewItem().batch.emplace(std::move(*batch));
  // Hand back an emptied batch whose buffers have grown to size already.
  if (!spare_.empty()) {
    *batch = std::move(spare_.back());
    spare_.pop_back();
    batch->Reset(std::move(policy));
  } else {
    *batch = EventBatch(std::move(policy));
  }
  Enqueued(n);
  return absl::OkStatus();
}

absl::Status SqliteSink::Flush() {
  std::unique_lock<std::mutex> lock(mu_);
  if (closed_) {
    progress_.wait(lock, [&] { return close_done_; });
    return close_status_;
  }
  const int64_t target = enqueued_;
  flush_target_ = std::max(flush_target_, target);
  ++flush_waiters_;
  work_.notify_one();
  progress_.wait(lock, [&] { return done_ >= target; });
  --flush_waiters_;
  return error_;
}

absl::Status SqliteSink::RequestFlush() {
  std::lock_guard<std::mutex> lock(mu_);
  if (closed_) return close_done_ ? close_status_ : error_;
  if (flush_target_ < enqueued_) {
    flush_target_ = enqueued_;
    work_.notify_one();
  }
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
  sqlite3_stmt* end = nullptr;
  int rc = sqlite3_prepare_v2(db_, kEndRunSql, -1, &end, nullptr);
  if (rc == SQLITE_OK) {
    sqlite3_bind_int64(end, 1, run_id_);
    sqlite3_bind_int64(end, 2, NowMicros());
    rc = StepOnce(end);
  }
  sqlite3_finalize(end);
  if (rc != SQLITE_OK && status.ok())
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
  const size_t limit = std::min<size_t>(options_.max_batch, size_t{1} << audit_internal::kBlockShift);
  std::vector<Item> taken;  // the items of the queue being serialized
  size_t pending = 0;  // events taken since the last commit (in `block`, or skipped after an error)
  auto pending_since = std::chrono::steady_clock::now();  // when the first of them was queued
  auto last_commit = pending_since;
  BlockBuilder block;
  absl::Status error;

  // Commits (or, after an error, discards) the block and tells Flush.
  auto settle = [&] {
    if (error.ok() && block.size() > 0) error = CommitBlock(block);
    last_commit = std::chrono::steady_clock::now();
    block.Clear();
    std::lock_guard<std::mutex> lock(mu_);
    if (error.ok()) {
      committed_ += static_cast<int64_t>(pending);
    } else {
      discarded_ += static_cast<int64_t>(pending);
      if (error_.ok()) {
        error_ = error;
        not_full_.notify_all();
      }
    }
    done_ += static_cast<int64_t>(pending);
    pending = 0;
    progress_.notify_all();
  };

  // Whether Close, a waiting Flush, or a RequestFlush wants a commit now;
  // requested ones at most every kMinRequestedCommitGap (episodes of vector
  // envs end at different steps: a request nearly every step). Holds mu_.
  auto commit_due = [&] {
    return stop_ || (flush_target_ > done_ &&
                     (flush_waiters_ > 0 ||
                      std::chrono::steady_clock::now() - last_commit >= kMinRequestedCommitGap));
  };
  for (;;) {
    bool commit_now = false, stop = false;
    {
      std::unique_lock<std::mutex> lock(mu_);
      // Woken by WriteBatch once wake_events_ are queued, by Flush and Close;
      // otherwise events wait at most commit_interval, and a requested
      // commit its turn.
      const auto now = std::chrono::steady_clock::now();
      auto deadline = now + options_.commit_interval;
      if (!queue_.empty()) deadline = std::min(deadline, queue_.front().queued_at + options_.commit_interval);
      if (pending > 0) {
        deadline = std::min(deadline, pending_since + options_.commit_interval);
        if (flush_target_ > done_) deadline = std::min(deadline, last_commit + kMinRequestedCommitGap);
      }
      work_.wait_until(lock, std::max(deadline, now + std::chrono::milliseconds(1)), [&] {
        return stop_ || queued_ >= wake_events_ || (queued_ > 0 && flush_target_ > done_) ||
               (pending > 0 && commit_due());
      });
      taken.swap(queue_);
      queued_ = 0;
      stop = stop_;
      commit_now = commit_due();
    }
    not_full_.notify_all();
    // Serialize what came in right away (so that a Flush only waits for the
    // commit); commit whenever the block is full.
    for (const Item& item : taken) {
      if (pending == 0) pending_since = item.queued_at;
      for (size_t i = 0, n = item.size(); i < n; ++i) {
        if (error.ok()) {
          if (item.batch) {
            block.Add(*item.batch, item.batch->event(i));
          } else {
            block.Add(item.records[i]);
          }
        }
        ++pending;
        if (block.size() >= limit || block.bytes() >= kMaxBlockBytes) {
          settle();
          pending_since = item.queued_at;
        }
      }
    }
    // The block holds its own copies: batches go back to WriteBatch with
    // their storage (records are freed here, off the step path).
    if (!taken.empty()) {
      std::lock_guard<std::mutex> lock(mu_);
      for (Item& item : taken) {
        if (!item.batch || spare_.size() >= kMaxSpareBatches) continue;
        item.batch->Clear();
        spare_.push_back(std::move(*item.batch));
      }
    }
    taken.clear();
    if (pending > 0 && !commit_now) {
      // A (Request)Flush may have come while the events were serialized.
      std::lock_guard<std::mutex> lock(mu_);
      commit_now = commit_due();
    }
    if (pending > 0 &&
        (commit_now || std::chrono::steady_clock::now() - pending_since >= options_.commit_interval))
      settle();
    if (error.ok()) CheckpointIfLarge();
    if (stop) return;  // Close: nothing more can be queued, and all is committed
  }
}

void SqliteSink::CheckpointIfLarge() {
  if (wal_pages_ < checkpoint_pages_) return;
  {
    // A Flush waiting for events not committed yet goes first; once they
    // are, the checkpoint runs (a run that ends with a Flush still gets it).
    std::lock_guard<std::mutex> lock(mu_);
    if (flush_waiters_ > 0 && flush_target_ > done_) return;
  }
  // Failing (another connection reading, an I/O error) is harmless here: the
  // WAL keeps the data, and the next commit tries again.
  if (sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr) ==
      SQLITE_OK)
    wal_pages_ = 0;
}

absl::Status SqliteSink::CommitBlock(BlockBuilder& block) {
  const size_t n = block.size();
  auto fail = [&](int rc, std::string_view what) {
    absl::Status s = SqliteStatus(db_, rc, fmt::format("{} ({} records)", what, n), path_);
    if (!sqlite3_get_autocommit(db_)) StepOnce(stmts_[kRollback]);
    return s;
  };
  const std::string_view data = block.Finish();
  if (int rc = StepOnce(stmts_[kBegin]); rc != SQLITE_OK) return fail(rc, "starting a transaction");
  std::string counts = "{";
  for (auto [kind, map] : {std::pair{"capability", &block.capability_counts()},
                           std::pair{"tool", &block.tool_counts()}}) {
    if (counts.size() > 1) counts.push_back(',');
    fmt::format_to(std::back_inserter(counts), "\"{}\":{{", kind);
    bool first = true;
    for (const auto& [name, events] : *map) {
      if (!first) counts.push_back(',');
      first = false;
      AppendJsonString(&counts, name);  // a key: no {"hex"} form
      counts.push_back(':');
      AppendInt(&counts, events);
    }
    counts.push_back('}');
  }
  counts.push_back('}');
  sqlite3_stmt* b = stmts_[kInsertBlock];
  sqlite3_bind_int64(b, 1, run_id_);
  sqlite3_bind_int64(b, 2, static_cast<int64_t>(n));
  sqlite3_bind_int64(b, 3, block.first_ts());
  sqlite3_bind_int64(b, 4, block.last_ts());
  BindText(b, 5, counts);
  BindText(b, 6, data);
  if (int rc = StepOnce(b); rc != SQLITE_OK) return fail(rc, "inserting events");
  const int64_t block_id = sqlite3_last_insert_rowid(db_);
  for (const BlockBuilder::Flagged& f : block.flagged()) {
    const int64_t event_id = (block_id << audit_internal::kBlockShift) + f.index;
    sqlite3_stmt* e = stmts_[kInsertFlagged];
    sqlite3_bind_int64(e, 1, event_id);
    sqlite3_bind_int64(e, 2, run_id_);
    sqlite3_bind_int64(e, 3, f.env);
    sqlite3_bind_int64(e, 4, f.episode);
    sqlite3_bind_int64(e, 5, f.step);
    BindText(e, 6, EventKindName(f.kind));
    BindText(e, 7, block.FlaggedText(f.tool));
    BindText(e, 8, block.FlaggedText(f.arguments));
    BindText(e, 9, ActionName(f.action));
    sqlite3_bind_double(e, 10, f.penalty);
    BindText(e, 11, block.Slice(f.capabilities));
    BindText(e, 12, block.Slice(f.rules));
    BindText(e, 13, block.Slice(f.costs));
    BindText(e, 14, block.FlaggedText(f.reason));
    if (f.reward_before) sqlite3_bind_double(e, 15, *f.reward_before);
    if (f.reward_after) sqlite3_bind_double(e, 16, *f.reward_after);
    sqlite3_bind_int64(e, 17, f.timestamp_us);
    if (int rc = StepOnce(e); rc != SQLITE_OK) return fail(rc, "inserting flagged events");
  }
  if (int rc = StepOnce(stmts_[kCommit]); rc != SQLITE_OK) return fail(rc, "committing");
  return absl::OkStatus();
}

}  // namespace rewardguard
