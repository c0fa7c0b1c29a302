// FileMemory and the shell analysis reading it: what a file holds decides
// how running it is judged, within a byte budget that fails closed.
#include "rewardguard/classify/file_memory.h"

#include <string>

#include "gtest/gtest.h"
#include "rewardguard/classify/shell.h"

namespace rewardguard {
namespace {

using Origin = FileMemory::Origin;

bool HasCapability(const FactList& facts, std::string_view capability) {
  for (const Fact& f : facts)
    if (f.capability == capability) return true;
  return false;
}

void Apply(FileMemory* memory, FileWrites writes, int64_t max_bytes) {
  memory->Apply(absl::MakeSpan(writes), max_bytes);
}

// Analyzes `command` against `memory`, then applies its writes.
FactList AnalyzeAndApply(std::string_view command, FileMemory* memory, int64_t max_bytes = 1 << 20) {
  FactList facts;
  FileWrites writes;
  AnalyzeShell(command, Limits{}, &facts, memory, &writes);
  memory->Apply(absl::MakeSpan(writes), max_bytes);
  return facts;
}

TEST(FileMemory, ApplyReplacesForgetsAndCountsBytes) {
  FileMemory m;
  Apply(&m, {{"a.sh", FileMemory::File{Origin::kText, "ls\n"}},
           {"b.sh", FileMemory::File{Origin::kDownloaded, {}}}},
          100);
  ASSERT_NE(m.Find("a.sh"), nullptr);
  EXPECT_EQ(m.Find("a.sh")->text, "ls\n");
  EXPECT_EQ(m.Find("b.sh")->origin, Origin::kDownloaded);
  Apply(&m, {{"a.sh", std::nullopt}}, 100);
  EXPECT_EQ(m.Find("a.sh"), nullptr);
  // A text past the budget is remembered as generated; a path past it
  // overflows the memory.
  Apply(&m, {{"big.sh", FileMemory::File{Origin::kText, std::string(200, 'x')}}}, 100);
  ASSERT_NE(m.Find("big.sh"), nullptr);
  EXPECT_EQ(m.Find("big.sh")->origin, Origin::kGenerated);
  EXPECT_FALSE(m.overflowed());
  Apply(&m, {{std::string(200, 'p'), FileMemory::File{Origin::kText, "ls"}}}, 100);
  EXPECT_TRUE(m.overflowed());
  m.Clear();
  EXPECT_TRUE(m.empty());
  // Replacing a file frees its bytes: the budget holds the current texts.
  for (int i = 0; i < 100; ++i)
    Apply(&m, {{"x.sh", FileMemory::File{Origin::kText, std::string(60, 'y')}}}, 100);
  EXPECT_EQ(m.Find("x.sh")->origin, Origin::kText);
}

TEST(FileMemory, ShellWritesAreRememberedAndRunsJudgedByContent) {
  FileMemory m;
  EXPECT_FALSE(HasCapability(AnalyzeAndApply("echo 'nmap -sS 10.0.0.0/24' > ./scan.sh", &m), "net.scan"));
  EXPECT_TRUE(HasCapability(AnalyzeAndApply("sh scan.sh", &m), "net.scan"));
  EXPECT_TRUE(HasCapability(AnalyzeAndApply("bash $HOME/../$USER/x 2>/dev/null; sh ./scan.sh", &m), "net.scan"));
  AnalyzeAndApply("rm scan.sh", &m);
  EXPECT_FALSE(HasCapability(AnalyzeAndApply("sh scan.sh", &m), "net.scan"));
  // curl -o: the file holds what the network sent.
  AnalyzeAndApply("curl -sSo /tmp/i.sh https://example.com/install.sh", &m);
  EXPECT_TRUE(HasCapability(AnalyzeAndApply("bash /tmp/i.sh", &m), "process.remote_code"));
  // Appending to a remembered file keeps what it held.
  AnalyzeAndApply("echo 'set -e' > a.sh", &m);
  AnalyzeAndApply("echo 'nmap -sS 10.0.0.0/24' >> a.sh", &m);
  EXPECT_TRUE(HasCapability(AnalyzeAndApply("bash a.sh", &m), "net.scan"));
  // touch, sed -i: changes the analysis does not follow: generated.
  for (const char* change : {"touch t.sh", "sed -i 's/ls/id/' t.sh", "cp /tmp/o.sh t.sh"}) {
    AnalyzeAndApply("echo ls > t.sh", &m);
    EXPECT_FALSE(HasCapability(AnalyzeAndApply("bash t.sh", &m), "shell.unanalyzable"));
    AnalyzeAndApply(change, &m);
    EXPECT_TRUE(HasCapability(AnalyzeAndApply("bash t.sh", &m), "shell.unanalyzable")) << change;
  }
}

TEST(FileMemory, FindBelowSomeDirectoryPrefersWhatFailsClosed) {
  FileMemory m;
  Apply(&m, {{"a/x.sh", FileMemory::File{Origin::kText, "ls"}},
             {"b/x.sh", FileMemory::File{Origin::kDownloaded, {}}},
             {"prefix_x.sh", FileMemory::File{Origin::kGenerated, {}}}},
        1 << 20);
  ASSERT_NE(m.FindBelowSomeDirectory("x.sh"), nullptr);
  EXPECT_EQ(m.FindBelowSomeDirectory("x.sh")->origin, Origin::kDownloaded);
  EXPECT_EQ(m.FindBelowSomeDirectory("y.sh"), nullptr);
  EXPECT_EQ(m.FindBelowSomeDirectory("a/x.sh"), nullptr);  // the whole path is not below a directory
}

TEST(FileMemory, OverflowMakesRunsOfUnknownFilesUnanalyzable) {
  FileMemory m;
  AnalyzeAndApply("echo ls > " + std::string(64, 'f'), &m, /*max_bytes=*/16);
  ASSERT_TRUE(m.overflowed());
  EXPECT_TRUE(HasCapability(AnalyzeAndApply("bash other.sh", &m), "shell.unanalyzable"));
  EXPECT_FALSE(HasCapability(AnalyzeAndApply("ls -la", &m), "shell.unanalyzable"));
  // Without a memory, nothing changes: a run is judged by its name.
  FactList facts;
  AnalyzeShell("bash other.sh", Limits{}, &facts);
  EXPECT_FALSE(HasCapability(facts, "shell.unanalyzable"));
}

}  // namespace
}  // namespace rewardguard
