#include "rewardguard/audit/internal/db.h"

#include <sqlite3.h>

#include <array>
#include <cstring>
#include <iterator>

#include "fmt/format.h"

namespace rewardguard {
namespace audit_internal {

// Rules (with the action of each) and costs live in child tables with
// indices: costs are sparse (violations only), rules are few per event. Capabilities are dense (every event has
// some), so they are one JSON array column: one row per event keeps the
// writer fast, and the `event_capabilities` view gives them the same shape as
// the child tables for queries.
const char kSchemaSql[] = R"sql(
CREATE TABLE IF NOT EXISTS meta(
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL);
INSERT OR IGNORE INTO meta(key, value) VALUES('schema_version', '1');
CREATE TABLE IF NOT EXISTS runs(
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  policy_name TEXT NOT NULL,
  policy_source TEXT NOT NULL,
  policy_sha256 TEXT NOT NULL,
  policy_text TEXT NOT NULL,
  metadata TEXT NOT NULL DEFAULT '',
  started_at_us INTEGER NOT NULL,
  ended_at_us INTEGER);
CREATE INDEX IF NOT EXISTS runs_by_name ON runs(name);
CREATE TABLE IF NOT EXISTS events(
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs(id),
  env INTEGER NOT NULL,
  episode INTEGER NOT NULL,
  step INTEGER NOT NULL,
  kind TEXT NOT NULL,
  tool TEXT NOT NULL,
  arguments TEXT NOT NULL,
  action TEXT NOT NULL,
  penalty REAL NOT NULL,
  capabilities TEXT NOT NULL,
  reason TEXT NOT NULL,
  reward_before REAL,
  reward_after REAL,
  ts_us INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS events_by_key ON events(run_id, env, episode, step);
CREATE INDEX IF NOT EXISTS events_violations ON events(run_id, env, episode)
  WHERE action <> 'allow';
CREATE TABLE IF NOT EXISTS event_rules(
  event_id INTEGER NOT NULL REFERENCES events(id),
  run_id INTEGER NOT NULL,
  rule TEXT NOT NULL,
  action TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS event_rules_by_rule ON event_rules(rule, run_id);
CREATE INDEX IF NOT EXISTS event_rules_by_run ON event_rules(run_id, event_id);
CREATE TABLE IF NOT EXISTS event_costs(
  event_id INTEGER NOT NULL REFERENCES events(id),
  run_id INTEGER NOT NULL,
  category TEXT NOT NULL,
  cost REAL NOT NULL);
CREATE INDEX IF NOT EXISTS event_costs_by_category ON event_costs(category, run_id);
CREATE INDEX IF NOT EXISTS event_costs_by_run ON event_costs(run_id, event_id);
CREATE VIEW IF NOT EXISTS event_capabilities(event_id, run_id, capability) AS
  SELECT e.id, e.run_id, j.value FROM events e, json_each(e.capabilities) j;
CREATE VIEW IF NOT EXISTS violations AS
  SELECT * FROM events WHERE action <> 'allow';
)sql";

void DbCloser::operator()(sqlite3* db) const { sqlite3_close_v2(db); }

void StmtFinalizer::operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }

absl::Status SqliteStatus(sqlite3* db, int rc, std::string_view what,
                          std::string_view path) {
  const char* detail = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return absl::UnavailableError(fmt::format(
          "audit database `{}` is locked by another connection; gave up {} ({})", path,
          what, detail));
    case SQLITE_FULL:
      return absl::ResourceExhaustedError(fmt::format(
          "audit database `{}` is full (disk full or page limit reached) while {} ({})",
          path, what, detail));
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return absl::DataLossError(fmt::format(
          "`{}` is not a readable audit database: {} failed ({})", path, what, detail));
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_READONLY:
      return absl::PermissionDeniedError(fmt::format(
          "cannot write audit database `{}` while {} ({})", path, what, detail));
    case SQLITE_IOERR:
      return absl::UnavailableError(fmt::format(
          "i/o error on audit database `{}` while {} ({})", path, what, detail));
    default:
      return absl::InternalError(
          fmt::format("audit database `{}`: {} failed ({})", path, what, detail));
  }
}

absl::StatusOr<DbPtr> OpenDb(const std::string& path, bool create, int busy_timeout_ms) {
  sqlite3* raw = nullptr;
  const int flags = create ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
                           : SQLITE_OPEN_READONLY;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  DbPtr db(raw);
  if (rc != SQLITE_OK) {
    if (!create && (rc & 0xff) == SQLITE_CANTOPEN)
      return absl::NotFoundError(fmt::format("cannot open audit database `{}`", path));
    return SqliteStatus(db.get(), rc, "opening", path);
  }
  sqlite3_extended_result_codes(db.get(), 1);
  sqlite3_busy_timeout(db.get(), busy_timeout_ms);
  return db;
}

absl::Status Exec(sqlite3* db, const char* sql, std::string_view path) {
  char* message = nullptr;
  int rc = sqlite3_exec(db, sql, nullptr, nullptr, &message);
  sqlite3_free(message);
  if (rc != SQLITE_OK) {
    std::string_view s(sql);
    while (!s.empty() && (s.front() == '\n' || s.front() == ' ')) s.remove_prefix(1);
    return SqliteStatus(db, rc, fmt::format("running `{}`", s.substr(0, s.find_first_of("(\n"))), path);
  }
  return absl::OkStatus();
}

absl::StatusOr<StmtPtr> Prepare(sqlite3* db, std::string_view sql, std::string_view path) {
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
  StmtPtr stmt(raw);
  if (rc != SQLITE_OK) return SqliteStatus(db, rc, "preparing a query", path);
  return stmt;
}

void AppendJsonString(std::string* out, std::string_view s) {
  out->push_back('"');
  for (unsigned char c : s) {
    switch (c) {
      case '"': out->append("\\\""); break;
      case '\\': out->append("\\\\"); break;
      case '\n': out->append("\\n"); break;
      case '\r': out->append("\\r"); break;
      case '\t': out->append("\\t"); break;
      default:
        if (c < 0x20) {
          fmt::format_to(std::back_inserter(*out), "\\u{:04x}", c);
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
  }
  out->push_back('"');
}

namespace {

constexpr std::array<uint32_t, 64> kK = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
    0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
    0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
    0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
    0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
    0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
    0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
    0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
    0xc67178f2};

constexpr uint32_t Rotr(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

void Sha256Block(const unsigned char* p, std::array<uint32_t, 8>& h) {
  uint32_t w[64];
  for (int i = 0; i < 16; ++i)
    w[i] = uint32_t{p[4 * i]} << 24 | uint32_t{p[4 * i + 1]} << 16 |
           uint32_t{p[4 * i + 2]} << 8 | uint32_t{p[4 * i + 3]};
  for (int i = 16; i < 64; ++i) {
    uint32_t s0 = Rotr(w[i - 15], 7) ^ Rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
    uint32_t s1 = Rotr(w[i - 2], 17) ^ Rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
    w[i] = w[i - 16] + s0 + w[i - 7] + s1;
  }
  uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
  for (int i = 0; i < 64; ++i) {
    uint32_t t1 = hh + (Rotr(e, 6) ^ Rotr(e, 11) ^ Rotr(e, 25)) + ((e & f) ^ (~e & g)) +
                  kK[i] + w[i];
    uint32_t t2 = (Rotr(a, 2) ^ Rotr(a, 13) ^ Rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
    hh = g; g = f; f = e; e = d + t1; d = c; c = b; b = a; a = t1 + t2;
  }
  h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
}

}  // namespace

std::string Sha256Hex(std::string_view data) {
  std::array<uint32_t, 8> h = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                               0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  size_t n = data.size();
  size_t full = n / 64 * 64;
  for (size_t i = 0; i < full; i += 64) Sha256Block(p + i, h);
  unsigned char tail[128] = {};
  size_t rest = n - full;
  if (rest) std::memcpy(tail, p + full, rest);
  tail[rest] = 0x80;
  size_t tail_len = rest + 9 <= 64 ? 64 : 128;
  uint64_t bits = static_cast<uint64_t>(n) * 8;
  for (int i = 0; i < 8; ++i) tail[tail_len - 1 - i] = static_cast<unsigned char>(bits >> (8 * i));
  for (size_t i = 0; i < tail_len; i += 64) Sha256Block(tail + i, h);
  std::string out;
  out.reserve(64);
  for (uint32_t v : h) fmt::format_to(std::back_inserter(out), "{:08x}", v);
  return out;
}

}  // namespace audit_internal
}  // namespace rewardguard
