// rewardguard/sandbox/internal/child.h
//
// The processes inside a run. The first (the run's init, PID 1 of its own
// PID namespace) builds the file system view, installs the seccomp filter,
// hands its listener to the supervisor, starts the program as its child and
// reaps until the program exits; its exit then ends every process left in
// the namespace. Everything it needs is prepared by the supervisor before
// clone(), because after clone() in a multi-threaded process only
// async-signal-safe calls are allowed: no allocation here.
#ifndef REWARDGUARD_SANDBOX_INTERNAL_CHILD_H_
#define REWARDGUARD_SANDBOX_INTERNAL_CHILD_H_

#include <linux/filter.h>
#include <sys/resource.h>

#include <cstdint>
#include <string>
#include <vector>

namespace rewardguard::sandbox_internal {

// What init tells the supervisor on the status pipe, one fixed-size record
// at a time (writes below PIPE_BUF are atomic).
struct StatusMessage {
  enum Kind : int32_t { kListener = 1, kExited = 2, kError = 3 };
  int32_t kind = 0;
  int32_t value = 0;  // the listener's fd; the program's wait status; errno
  char what[120] = {};  // for kError: the step that failed
};

// One step in building the run's root file system (under `root`).
struct MountStep {
  enum Kind : uint8_t {
    kBindReadOnly,   // source -> target, recursively read-only
    kBindReadWrite,  // source -> target
    kBindDevice,     // a device node: an empty file bind-mounted over
    kTmpfs,          // a fresh tmpfs at target (options in `source`)
    kProc,           // a proc of the run's PID namespace
    kSymlink,        // target -> source
    kHideFile,       // /dev/null bind-mounted over target, if it exists
  };
  Kind kind;
  std::string source, target;  // target is absolute inside the root
};

struct ChildPlan {
  // Pipe ends, as the supervisor opened them; init moves them into place.
  int status_write = -1, control_read = -1;
  int stdin_read = -1, stdout_write = -1, stderr_write = -1;

  std::string root;  // an empty host directory to build the root on
  std::vector<MountStep> mounts;
  std::string workdir;
  std::vector<std::string> argv, envp;
  bool limit_with_rlimits = false;  // no cgroup: NPROC and AS as well
  int64_t memory_bytes = 0, max_processes = 0, cpu_seconds = 0, max_file_bytes = 0;
  std::vector<sock_filter> filter;

  // Filled by Finish(): the pointers init uses.
  std::vector<std::string> full_targets;  // root + target
  std::vector<char*> argv_ptrs, envp_ptrs;
  void Finish();
};

// The entry point of clone(); `arg` is the ChildPlan.
int RunInit(void* arg);

}  // namespace rewardguard::sandbox_internal

#endif  // REWARDGUARD_SANDBOX_INTERNAL_CHILD_H_
