// rewardguard/sandbox/internal/cgroup.h
//
// A cgroup of its own for one run, bounding the pids and memory of all its
// processes together, where this machine lets the caller create one (cgroup
// v2 with the pids and memory controllers delegated, or v1 hierarchies that
// are writable). Removed when the object goes.
#ifndef REWARDGUARD_SANDBOX_INTERNAL_CGROUP_H_
#define REWARDGUARD_SANDBOX_INTERNAL_CGROUP_H_

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace rewardguard::sandbox_internal {

class RunCgroup {
 public:
  // nullptr when no writable cgroup with both limits can be made.
  static std::unique_ptr<RunCgroup> Create(int64_t memory_bytes, int64_t max_processes);
  ~RunCgroup();
  RunCgroup(const RunCgroup&) = delete;
  RunCgroup& operator=(const RunCgroup&) = delete;

  bool AddProcess(pid_t pid) const;
  bool OomKilled() const;
  bool PidsLimitHit() const;
  const char* version() const { return v2_ ? "cgroup v2" : "cgroup v1"; }

 private:
  RunCgroup() = default;
  bool v2_ = false;
  std::string pids_dir_, memory_dir_;  // the same directory under v2
};

}  // namespace rewardguard::sandbox_internal

#endif  // REWARDGUARD_SANDBOX_INTERNAL_CGROUP_H_
