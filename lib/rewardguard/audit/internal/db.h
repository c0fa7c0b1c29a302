// rewardguard/audit/internal/db.h
//
// Private to audit/: the schema, small RAII wrappers over the SQLite C API,
// and the mapping of SQLite result codes to absl::Status.
#ifndef REWARDGUARD_AUDIT_INTERNAL_DB_H_
#define REWARDGUARD_AUDIT_INTERNAL_DB_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

struct sqlite3;
struct sqlite3_stmt;

namespace simdjson::dom {
class element;
}  // namespace simdjson::dom

namespace rewardguard {
namespace audit_internal {

inline constexpr int kSchemaVersion = 3;

// Events per block at most: an event's id is (block id << kBlockShift) + index.
inline constexpr int kBlockShift = 20;

// The whole schema, idempotent (CREATE ... IF NOT EXISTS), without its
// version: SchemaVersionSql() records that.
extern const char kSchemaSql[];
// INSERT OR IGNORE of kSchemaVersion into `meta` (a new database's version).
std::string SchemaVersionSql();
// The version `meta` records; nullopt when the database has none (or no
// `meta` table: not an audit database).
std::optional<std::string> ReadSchemaVersion(sqlite3* db);

struct DbCloser {
  void operator()(sqlite3* db) const;
};
using DbPtr = std::unique_ptr<sqlite3, DbCloser>;

struct StmtFinalizer {
  void operator()(sqlite3_stmt* stmt) const;
};
using StmtPtr = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

// A status for SQLite result `rc` while doing `what` on the database at
// `path`: Unavailable for a locked database, ResourceExhausted for a full
// disk, DataLoss for a corrupt file or one that is not a database, Internal
// otherwise. The message names the path and SQLite's own words.
absl::Status SqliteStatus(sqlite3* db, int rc, std::string_view what,
                          std::string_view path);

// Opens `path` with a bounded busy timeout. `create`: create the file if
// missing (read-write); otherwise read-only and the file must exist.
absl::StatusOr<DbPtr> OpenDb(const std::string& path, bool create, int busy_timeout_ms);

// Runs `sql` (one or more statements, no results).
absl::Status Exec(sqlite3* db, const char* sql, std::string_view path);

absl::StatusOr<StmtPtr> Prepare(sqlite3* db, std::string_view sql, std::string_view path);

// Column `column` of the current row as text (empty for NULL); valid until
// the statement steps again.
std::string_view ColumnText(sqlite3_stmt* stmt, int column);

// Lowercase hex SHA-256 of `data` (FIPS 180-4), as `sha256sum` prints it.
std::string Sha256Hex(std::string_view data);

// AppendJsonString (core/json.h), but a text that is not valid UTF-8 becomes {"hex": "<lowercase hex>"}
// (JSON strings cannot hold arbitrary bytes). See ParseJsonText.
void AppendJsonText(std::string* out, std::string_view s);
// A double as JSON: shortest round-trip form; "inf"/"-inf" (strings) for
// infinities, null for NaN.
void AppendJsonNumber(std::string* out, double v);

// Inverses: a string or {"hex": ...} into `out`; a number, "inf"/"-inf" or
// null (NaN). False (nullopt) for anything else.
bool ParseJsonText(const simdjson::dom::element& value, std::string* out);
std::optional<double> ParseJsonNumber(const simdjson::dom::element& value);

}  // namespace audit_internal
}  // namespace rewardguard

#endif  // REWARDGUARD_AUDIT_INTERNAL_DB_H_
