// Replays every seed (corpus/<target>/) and every input that once broke an
// invariant (regressions/<target>/) through the fuzz entry points, so the
// normal build keeps them fixed. A broken invariant aborts (fuzz_targets.h).
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "fuzz_targets.h"
#include "gtest/gtest.h"

namespace rewardguard::fuzz {
namespace {

namespace fs = std::filesystem;

fs::path FuzzDir() {
  const char* root = std::getenv("REWARDGUARD_SOURCE_DIR");
  return fs::path(root ? root : ".") / "tests" / "fuzz";
}

// The files of `kind`/`target`, sorted for a stable order.
std::vector<fs::path> Inputs(const char* kind, const char* target) {
  std::vector<fs::path> files;
  fs::path dir = FuzzDir() / kind / target;
  if (!fs::is_directory(dir)) return files;
  for (const fs::directory_entry& e : fs::directory_iterator(dir))
    if (e.is_regular_file() && e.path().filename().string()[0] != '.')
      files.push_back(e.path());
  std::sort(files.begin(), files.end());
  return files;
}

std::string Read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

struct Target {
  const char* name;
  void (*one_input)(std::string_view);
};

constexpr Target kTargets[] = {
    {"policy_loader", &PolicyLoaderOneInput},
    {"shell_analyzer", &ShellAnalyzerOneInput},
    {"classify_call", &ClassifyCallOneInput},
    {"jsonl_eval", &JsonlEvalOneInput},
};

class FuzzReplay : public ::testing::TestWithParam<Target> {};

TEST_P(FuzzReplay, SeedCorpus) {
  std::vector<fs::path> files = Inputs("corpus", GetParam().name);
  ASSERT_FALSE(files.empty()) << "no seeds under " << (FuzzDir() / "corpus" / GetParam().name);
  for (const fs::path& f : files) {
    SCOPED_TRACE(f.string());
    GetParam().one_input(Read(f));
  }
}

TEST_P(FuzzReplay, Regressions) {
  for (const fs::path& f : Inputs("regressions", GetParam().name)) {
    SCOPED_TRACE(f.string());
    GetParam().one_input(Read(f));
  }
}

INSTANTIATE_TEST_SUITE_P(Targets, FuzzReplay, ::testing::ValuesIn(kTargets),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace rewardguard::fuzz
