#include "rewardguard/sandbox/internal/cgroup.h"

#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <set>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "fmt/format.h"
#include "rewardguard/sandbox/internal/os.h"

namespace rewardguard::sandbox_internal {
namespace {

constexpr char kRoot[] = "/sys/fs/cgroup";

// The value of `key` in a flat keyed file ("max 3\n" or "oom_kill 1\n").
int64_t KeyedValue(const std::string& text, absl::string_view key) {
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    std::vector<absl::string_view> kv = absl::StrSplit(line, ' ');
    int64_t v = 0;
    if (kv.size() == 2 && kv[0] == key && absl::SimpleAtoi(kv[1], &v)) return v;
  }
  return 0;
}

// This process's cgroup path in `controller`'s hierarchy ("" for v2).
std::string OwnPath(absl::string_view controller) {
  for (absl::string_view line : absl::StrSplit(ReadSmallFile("/proc/self/cgroup"), '\n')) {
    std::vector<absl::string_view> f = absl::StrSplit(line, absl::MaxSplits(':', 2));
    if (f.size() != 3) continue;
    for (absl::string_view c : absl::StrSplit(f[1], ','))
      if (c == controller) return std::string(f[2]);
  }
  return "";
}

std::string UniqueName() {
  static std::atomic<int> counter{0};
  return fmt::format("rewardguard-{}-{}", getpid(), counter.fetch_add(1));
}

bool MakeDir(const std::string& dir) { return mkdir(dir.c_str(), 0755) == 0; }

// Removes the empty cgroups of runs whose supervisor was killed before it
// could (rewardguard-PID-N with no process PID left). Once per parent
// directory and process: not on the path of every run.
void SweepStale(const std::string& parent) {
  static std::mutex mu;
  static auto* swept = new std::set<std::string>();
  std::lock_guard<std::mutex> lock(mu);
  if (!swept->insert(parent).second) return;
  DIR* d = opendir(parent.c_str());
  if (d == nullptr) return;
  while (dirent* e = readdir(d)) {
    int pid = 0, n = 0;
    if (sscanf(e->d_name, "rewardguard-%d-%d", &pid, &n) != 2 || pid == getpid()) continue;
    if (kill(pid, 0) != 0 && errno == ESRCH) rmdir(fmt::format("{}/{}", parent, e->d_name).c_str());
  }
  closedir(d);
}

}  // namespace

std::unique_ptr<RunCgroup> RunCgroup::Create(int64_t memory_bytes, int64_t max_processes) {
  std::unique_ptr<RunCgroup> g(new RunCgroup());
  const std::string name = UniqueName();
  struct stat st;
  if (stat(fmt::format("{}/cgroup.controllers", kRoot).c_str(), &st) == 0) {
    // v2: a child of our own cgroup, if pids and memory are delegated to it.
    std::string own;
    for (absl::string_view line : absl::StrSplit(ReadSmallFile("/proc/self/cgroup"), '\n'))
      if (absl::StartsWith(line, "0::")) own = std::string(line.substr(3));
    const std::string parent = fmt::format("{}{}", kRoot, own);
    const std::string control = ReadSmallFile(parent + "/cgroup.subtree_control");
    if (!absl::StrContains(control, "pids") || !absl::StrContains(control, "memory"))
      return nullptr;
    SweepStale(parent);
    const std::string dir = fmt::format("{}/{}", parent, name);
    if (!MakeDir(dir)) return nullptr;
    g->v2_ = true;
    g->pids_dir_ = g->memory_dir_ = dir;
    if (!WriteSmallFile(dir + "/pids.max", std::to_string(max_processes)) ||
        !WriteSmallFile(dir + "/memory.max", std::to_string(memory_bytes)))
      return nullptr;  // the destructor removes the directory
    WriteSmallFile(dir + "/memory.swap.max", "0");
    return g;
  }
  const std::string pids_parent = fmt::format("{}/pids{}", kRoot, OwnPath("pids"));
  const std::string memory_parent = fmt::format("{}/memory{}", kRoot, OwnPath("memory"));
  SweepStale(pids_parent);
  SweepStale(memory_parent);
  const std::string pids = fmt::format("{}/{}", pids_parent, name);
  const std::string memory = fmt::format("{}/{}", memory_parent, name);
  if (!MakeDir(pids)) return nullptr;
  g->pids_dir_ = pids;
  if (!MakeDir(memory)) return nullptr;
  g->memory_dir_ = memory;
  if (!WriteSmallFile(pids + "/pids.max", std::to_string(max_processes)) ||
      !WriteSmallFile(memory + "/memory.limit_in_bytes", std::to_string(memory_bytes)))
    return nullptr;
  WriteSmallFile(memory + "/memory.memsw.limit_in_bytes", std::to_string(memory_bytes));
  return g;
}

RunCgroup::~RunCgroup() {
  // The run's processes are dead by now, but the kernel may take a moment to
  // let go of the last of them. Under v2 both limits share one directory.
  auto remove = [](const std::string& dir) {
    if (dir.empty()) return;
    for (int i = 0; i < 100 && rmdir(dir.c_str()) != 0 && errno == EBUSY; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
  };
  remove(pids_dir_);
  if (!v2_) remove(memory_dir_);
}

bool RunCgroup::AddProcess(pid_t pid) const {
  bool ok = WriteSmallFile(pids_dir_ + "/cgroup.procs", std::to_string(pid));
  if (!v2_) ok = ok && WriteSmallFile(memory_dir_ + "/cgroup.procs", std::to_string(pid));
  return ok;
}

bool RunCgroup::OomKilled() const {
  if (v2_) return KeyedValue(ReadSmallFile(memory_dir_ + "/memory.events"), "oom_kill") > 0;
  return KeyedValue(ReadSmallFile(memory_dir_ + "/memory.oom_control"), "oom_kill") > 0;
}

bool RunCgroup::PidsLimitHit() const {
  return KeyedValue(ReadSmallFile(pids_dir_ + "/pids.events"), "max") > 0;
}

}  // namespace rewardguard::sandbox_internal
