#include "rewardguard/audit/internal/db.h"
#include "rewardguard/core/json.h"

#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstring>
#include <iterator>
#include <limits>

#include "fmt/format.h"
#include "simdjson.h"

namespace rewardguard {
namespace audit_internal {

// Events are stored in blocks: one row of `event_blocks` holds the events of
// one commit (up to SinkOptions::max_batch) as a JSON array, so that the
// writer inserts one row per thousand events instead of several per event.
// The `events`, `event_rules`, `event_costs` and `event_capabilities` views
// unpack them with json_each, for any query.
//
// What the reports ask about is kept beside the blocks: per block, the number
// of events with each capability and tool (`counts`, JSON:
// {"capability": {name: events}, "tool": {name: events}}), and as indexed
// rows the events that are flagged (action not `allow`, or a penalty), their
// rules and costs as JSON columns. The flagged index leads with the episode,
// so that a commit touches the index's last pages only.
//
// An event inside a block is a JSON array (see docs/audit.md):
//   [env, episode, step, tool, arguments, action, penalty,
//    ts_us - first_ts_us, [capability...], [[rule, action]...],
//    [[category, cost]...], reason, reward_before, reward_after, kind]
// where trailing fields that hold their defaults (0, [], [], [], "", null,
// null, "call") are left out (7 to 15 fields): most events end at their
// rules. (Version 2 had kind fourth and the time last: ~20% more bytes.)
// A text that is not valid UTF-8 is {"hex": "..."} instead of a string; an
// infinite number is the string "inf" or "-inf"; NaN is null.
// Its id is (block id << 20) + its index in the block.
const char kSchemaSql[] = R"sql(
CREATE TABLE IF NOT EXISTS meta(
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL);
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
CREATE TABLE IF NOT EXISTS event_blocks(
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs(id),
  events INTEGER NOT NULL,
  first_ts_us INTEGER NOT NULL,
  last_ts_us INTEGER NOT NULL,
  counts TEXT NOT NULL,
  data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS event_blocks_by_run ON event_blocks(run_id);
CREATE VIEW IF NOT EXISTS block_counts(block_id, run_id, kind, name, events) AS
  SELECT b.id, b.run_id, k.key, c.key, c.value
  FROM event_blocks b, json_each(b.counts) k, json_each(k.value) c;
CREATE TABLE IF NOT EXISTS flagged_events(
  event_id INTEGER PRIMARY KEY,
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
  rules TEXT NOT NULL,
  costs TEXT NOT NULL,
  reason TEXT NOT NULL,
  reward_before REAL,
  reward_after REAL,
  ts_us INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS flagged_by_episode ON flagged_events(run_id, episode, env);
CREATE VIEW IF NOT EXISTS flagged_rules(event_id, run_id, rule, action) AS
  SELECT f.event_id, f.run_id, json_extract(r.value, '$[0]'), json_extract(r.value, '$[1]')
  FROM flagged_events f, json_each(f.rules) r;
CREATE VIEW IF NOT EXISTS flagged_costs(event_id, run_id, category, cost) AS
  SELECT f.event_id, f.run_id, json_extract(c.value, '$[0]'),
         CAST(json_extract(c.value, '$[1]') AS REAL)
  FROM flagged_events f, json_each(f.costs) c;
CREATE VIEW IF NOT EXISTS events(id, run_id, block_id, env, episode, step, kind, tool,
    arguments, action, penalty, capabilities, rules, costs, reason, reward_before,
    reward_after, ts_us) AS
  SELECT (b.id << 20) + j.key, b.run_id, b.id, json_extract(j.value, '$[0]'),
         json_extract(j.value, '$[1]'), json_extract(j.value, '$[2]'),
         coalesce(json_extract(j.value, '$[14]'), 'call'), json_extract(j.value, '$[3]'),
         json_extract(j.value, '$[4]'), json_extract(j.value, '$[5]'),
         CAST(json_extract(j.value, '$[6]') AS REAL),
         coalesce(json_extract(j.value, '$[8]'), '[]'),
         coalesce(json_extract(j.value, '$[9]'), '[]'),
         coalesce(json_extract(j.value, '$[10]'), '[]'),
         coalesce(json_extract(j.value, '$[11]'), ''),
         CAST(json_extract(j.value, '$[12]') AS REAL), CAST(json_extract(j.value, '$[13]') AS REAL),
         b.first_ts_us + coalesce(json_extract(j.value, '$[7]'), 0)
  FROM event_blocks b, json_each(b.data) j;
CREATE VIEW IF NOT EXISTS event_rules(event_id, run_id, rule, action) AS
  SELECT (b.id << 20) + j.key, b.run_id, json_extract(r.value, '$[0]'),
         json_extract(r.value, '$[1]')
  FROM event_blocks b, json_each(b.data) j, json_each(j.value, '$[9]') r;
CREATE VIEW IF NOT EXISTS event_costs(event_id, run_id, category, cost) AS
  SELECT (b.id << 20) + j.key, b.run_id, json_extract(c.value, '$[0]'),
         CAST(json_extract(c.value, '$[1]') AS REAL)
  FROM event_blocks b, json_each(b.data) j, json_each(j.value, '$[10]') c;
CREATE VIEW IF NOT EXISTS event_capabilities(event_id, run_id, capability) AS
  SELECT (b.id << 20) + j.key, b.run_id, c.value
  FROM event_blocks b, json_each(b.data) j, json_each(j.value, '$[8]') c;
CREATE VIEW IF NOT EXISTS violations AS
  SELECT * FROM flagged_events WHERE action <> 'allow';
)sql";

void DbCloser::operator()(sqlite3* db) const { sqlite3_close_v2(db); }

void StmtFinalizer::operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }

std::string_view ColumnText(sqlite3_stmt* stmt, int column) {
  const unsigned char* text = sqlite3_column_text(stmt, column);
  if (text == nullptr) return {};
  return {reinterpret_cast<const char*>(text),
          static_cast<size_t>(sqlite3_column_bytes(stmt, column))};
}

std::string SchemaVersionSql() {
  return fmt::format("INSERT OR IGNORE INTO meta(key, value) VALUES('schema_version', '{}')",
                     kSchemaVersion);
}

std::optional<std::string> ReadSchemaVersion(sqlite3* db) {
  sqlite3_stmt* stmt = nullptr;
  std::optional<std::string> version;
  if (sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = 'schema_version'", -1, &stmt,
                         nullptr) == SQLITE_OK &&
      sqlite3_step(stmt) == SQLITE_ROW)
    version = std::string(ColumnText(stmt, 0));
  sqlite3_finalize(stmt);
  return version;
}

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

namespace {

// 1 for the bytes a JSON string literal must escape, 2 for non-ASCII bytes.
constexpr std::array<uint8_t, 256> kByteClass = [] {
  std::array<uint8_t, 256> t{};
  for (int c = 0; c < 0x20; ++c) t[c] = 1;
  t['"'] = t['\\'] = 1;
  for (int c = 0x80; c < 0x100; ++c) t[c] = 2;
  return t;
}();

// Appends the escaped body of `s` (no quotes). Returns false, having
// appended part of it, if `s` holds a non-ASCII byte and is not valid UTF-8.
// Nonzero if any byte of `w` needs a look: < 0x20, '"', '\\' or >= 0x80.
inline uint64_t SpecialBytes(uint64_t w) {
  constexpr uint64_t kOnes = 0x0101010101010101ull, kHigh = 0x8080808080808080ull;
  auto zero_byte = [&](uint64_t x) { return (x - kOnes) & ~x & kHigh; };
  return (w & kHigh) | ((w - 0x20 * kOnes) & ~w & kHigh) | zero_byte(w ^ ('"' * kOnes)) |
         zero_byte(w ^ ('\\' * kOnes));
}

bool AppendEscaped(std::string* out, std::string_view s) {
  // Escaped into a local buffer and appended in one piece per chunk: texts
  // such as JSON arguments have a quote every few bytes.
  char buf[1024];
  char* p = buf;
  bool validated = false;
  size_t i = 0;
  while (i < s.size()) {
    if (p + 8 * 6 > buf + sizeof buf) {
      out->append(buf, p);
      p = buf;
    }
    if (i + 8 <= s.size()) {
      uint64_t w;
      std::memcpy(&w, s.data() + i, 8);
      if (SpecialBytes(w) == 0) {
        std::memcpy(p, &w, 8);
        p += 8;
        i += 8;
        continue;
      }
    }
    // Up to 8 bytes one at a time.
    for (const size_t end = std::min(s.size(), i + 8); i < end; ++i) {
      const unsigned char c = static_cast<unsigned char>(s[i]);
      switch (kByteClass[c]) {
        case 0:
          *p++ = static_cast<char>(c);
          break;
        case 2:
          if (!validated && !simdjson::validate_utf8(s.data(), s.size())) return false;
          validated = true;
          *p++ = static_cast<char>(c);
          break;
        default:
          *p++ = '\\';
          switch (c) {
            case '"': *p++ = '"'; break;
            case '\\': *p++ = '\\'; break;
            case '\n': *p++ = 'n'; break;
            case '\r': *p++ = 'r'; break;
            case '\t': *p++ = 't'; break;
            default: {
              static constexpr char kHex[] = "0123456789abcdef";
              *p++ = 'u';
              *p++ = '0';
              *p++ = '0';
              *p++ = kHex[c >> 4];
              *p++ = kHex[c & 15];
            }
          }
      }
    }
  }
  out->append(buf, p);
  return true;
}

}  // namespace

void AppendJsonText(std::string* out, std::string_view s) {
  const size_t start = out->size();
  out->push_back('"');
  if (AppendEscaped(out, s)) {
    out->push_back('"');
    return;
  }
  out->resize(start);
  static constexpr char kHex[] = "0123456789abcdef";
  out->append("{\"hex\":\"");
  for (unsigned char c : s) {
    out->push_back(kHex[c >> 4]);
    out->push_back(kHex[c & 15]);
  }
  out->append("\"}");
}

void AppendJsonNumber(std::string* out, double v) {
  if (std::isnan(v)) {
    out->append("null");
  } else if (std::isinf(v)) {
    out->append(v > 0 ? "\"inf\"" : "\"-inf\"");
  } else {
    char buf[32];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    out->append(buf, ec == std::errc() ? end : buf);
  }
}

bool ParseJsonText(const simdjson::dom::element& value, std::string* out) {
  std::string_view text;
  if (value.get_string().get(text) == simdjson::SUCCESS) {
    out->assign(text);
    return true;
  }
  if (value["hex"].get_string().get(text) != simdjson::SUCCESS || text.size() % 2 != 0)
    return false;
  out->clear();
  out->reserve(text.size() / 2);
  auto digit = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  for (size_t i = 0; i < text.size(); i += 2) {
    int hi = digit(text[i]), lo = digit(text[i + 1]);
    if (hi < 0 || lo < 0) return false;
    out->push_back(static_cast<char>(hi << 4 | lo));
  }
  return true;
}

std::optional<double> ParseJsonNumber(const simdjson::dom::element& value) {
  double d = 0.0;
  if (value.get_double().get(d) == simdjson::SUCCESS) return d;  // ints too
  if (value.is_null()) return std::numeric_limits<double>::quiet_NaN();
  std::string_view text;
  if (value.get_string().get(text) == simdjson::SUCCESS) {
    if (text == "inf") return std::numeric_limits<double>::infinity();
    if (text == "-inf") return -std::numeric_limits<double>::infinity();
  }
  return std::nullopt;
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
