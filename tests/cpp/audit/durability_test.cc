// Crash and concurrency: real processes (fork), real SIGKILL.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>

#include "gtest/gtest.h"
#include "rewardguard/audit/replay.h"
#include "rewardguard/audit/sqlite_sink.h"
#include "test_util.h"

namespace rewardguard {
namespace {

using testing::SampleRecord;
using testing::TempDir;

constexpr int kPerEpisode = 200;

// In a forked child: writes episodes of kPerEpisode records, flushing after
// each and reporting the number of flushed episodes on `report_fd`. Never
// returns.
[[noreturn]] void WriteEpisodes(const std::string& path, const std::string& run, int episodes,
                                int report_fd) {
  RunInfo info;
  info.name = run;
  info.policy_name = "p";
  auto sink = SqliteSink::Open(path, info);
  if (!sink.ok()) _exit(10);
  for (int episode = 0; episode < episodes; ++episode) {
    for (int i = 0; i < kPerEpisode; ++i)
      if (!(*sink)->Write(SampleRecord(episode * kPerEpisode + i, episode)).ok()) _exit(11);
    if (!(*sink)->Flush().ok()) _exit(12);
    if (report_fd >= 0) {
      int32_t flushed = episode + 1;
      if (write(report_fd, &flushed, sizeof flushed) != sizeof flushed) _exit(13);
    }
  }
  if (!(*sink)->Close().ok()) _exit(14);
  _exit(0);
}

TEST(Durability, SigkillMidRunKeepsEveryFlushedRecord) {
  TempDir dir;
  const std::string path = dir.File("crash.db");
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(fds[0]);
    WriteEpisodes(path, "doomed", /*episodes=*/1000000, fds[1]);
  }
  close(fds[1]);
  // Let it flush a few episodes, then kill it while it writes the next.
  int32_t flushed = 0;
  while (flushed < 5) ASSERT_EQ(read(fds[0], &flushed, sizeof flushed), sizeof flushed);
  ASSERT_EQ(kill(child, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status));
  EXPECT_EQ(WTERMSIG(status), SIGKILL);
  // Reports that were in the pipe when it died: flushed before the kill too.
  int32_t more;
  while (read(fds[0], &more, sizeof more) == sizeof more) flushed = more;
  close(fds[0]);

  auto reader = AuditReader::Open(path);
  ASSERT_TRUE(reader.ok()) << reader.status();
  auto runs = reader->Runs();
  ASSERT_TRUE(runs.ok()) << runs.status();
  ASSERT_EQ(runs->size(), 1u);
  EXPECT_FALSE(runs->front().ended_at_us.has_value());  // it never closed
  auto records = reader->ReadRecords(std::nullopt);
  ASSERT_TRUE(records.ok()) << records.status();
  ASSERT_GE(records->size(), static_cast<size_t>(flushed) * kPerEpisode);
  // Every record present is whole and in order, with nothing missing between.
  for (size_t i = 0; i < records->size(); ++i) {
    DecisionRecord expected = SampleRecord(static_cast<int64_t>(i), static_cast<int64_t>(i) / kPerEpisode);
    expected.run_id = runs->front().id;
    ASSERT_EQ((*records)[i], expected) << "record " << i;
  }
  // The database takes new runs afterwards.
  auto again = SqliteSink::Open(path, RunInfo{.name = "after"});
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE((*again)->Write(SampleRecord(0)).ok());
  EXPECT_TRUE((*again)->Close().ok());
}

TEST(Durability, ConcurrentProcessesShareOneDatabase) {
  TempDir dir;
  const std::string path = dir.File("shared.db");
  constexpr int kEpisodes = 10;
  pid_t children[2];
  for (int c = 0; c < 2; ++c) {
    children[c] = fork();
    ASSERT_GE(children[c], 0);
    if (children[c] == 0) WriteEpisodes(path, c == 0 ? "left" : "right", kEpisodes, -1);
  }
  for (pid_t child : children) {
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0);
  }
  auto reader = AuditReader::Open(path);
  ASSERT_TRUE(reader.ok()) << reader.status();
  auto runs = reader->Runs();
  ASSERT_TRUE(runs.ok());
  ASSERT_EQ(runs->size(), 2u);
  for (const RunRow& run : *runs) {
    EXPECT_EQ(run.events, kEpisodes * kPerEpisode) << run.name;
    EXPECT_TRUE(run.ended_at_us.has_value());
    auto records = reader->ReadRecords(run.id);
    ASSERT_TRUE(records.ok());
    ASSERT_EQ(records->size(), static_cast<size_t>(kEpisodes * kPerEpisode));
    for (size_t i = 0; i < records->size(); ++i) ASSERT_EQ((*records)[i].step, static_cast<int64_t>(i));
  }
}

}  // namespace
}  // namespace rewardguard
