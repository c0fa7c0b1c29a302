// rewardguard/sandbox/sandbox.h
//
// The runtime judge: runs a program for real, in namespaces of its own, and
// stops each network connection, bound socket and program start before it
// happens until the policy has judged it. What the command text could not
// show (a host computed at run time, a compiled binary, a script decoded
// inside Python) is judged by what it does.
//
//   absl::StatusOr<Sandbox> sandbox = Sandbox::Create({.workspace = "/work/task"});
//   Evaluator evaluator(policy, /*num_envs=*/8);
//   EvaluatorJudge judge(&evaluator, /*env=*/3);
//   absl::StatusOr<RunResult> run = sandbox->Run({"/bin/sh", "-c", cmd}, judge);
//   for (const Observed& o : run->observations) ...  // each with its verdict
//
// What is enforced (docs/sandbox.md has the threat model):
//  - Isolation without a daemon: new user, mount, PID, IPC, UTS and network
//    namespaces. The network namespace holds only loopback, so nothing leaves
//    except through a connection the supervisor made. The system is visible
//    read-only (/usr, /etc, /opt and the `read_only_paths`), the workspace
//    read-write at its own path, /tmp private, /dev minimal (no GPU nodes
//    unless `gpu`), home directories not at all. The program runs as an
//    unprivileged user of its namespace with no capabilities and
//    no_new_privs.
//  - Supervision with seccomp user notification: connect, sendto/sendmsg/
//    sendmmsg with an address, bind, listen, execve and execveat wait until
//    the judge's verdict: allowed calls proceed, `block` fails them with
//    EPERM, `terminate` kills the whole process tree. An allowed outbound
//    connection is made by the supervisor in the caller's network namespace
//    and the connected socket is placed into the program's descriptor table
//    (SECCOMP_IOCTL_NOTIF_ADDFD), so the policy is the only way out.
//    Arguments that cannot be read fail closed (`tool.malformed`).
//  - Kernel surface: io_uring, bpf, perf_event_open, mount, namespace
//    creation, keyrings, module loading and other calls a program in a
//    sandbox has no use for fail with EPERM or ENOSYS.
//  - Limits: pids and memory through a cgroup where cgroups are writable
//    (else RLIMIT_NPROC and RLIMIT_AS), CPU seconds and file size through
//    rlimits, a wall-clock timeout that kills every process of the run.
//
// Thread safety: a Sandbox is immutable once created; Run() may be called
// from many threads at once (one run per env at a time, as the judge's
// evaluator requires).
#ifndef REWARDGUARD_SANDBOX_SANDBOX_H_
#define REWARDGUARD_SANDBOX_SANDBOX_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "rewardguard/core/event.h"
#include "rewardguard/eval/verdict.h"

namespace rewardguard {

struct SandboxOptions {
  // Bind-mounted read-write at the same path and the program's working
  // directory. Empty: a private empty directory (/tmp inside).
  std::string workspace;
  // Further host paths made visible read-only at the same path (a venv, a
  // toolchain under /root). Paths that do not exist are skipped.
  std::vector<std::string> read_only_paths;
  // The program's environment, KEY=VALUE; empty: PATH, HOME (the
  // workspace), LANG and TERM only. Nothing of the caller's leaks in.
  std::vector<std::string> environment;
  std::string stdin_data;  // written to the program's stdin, then EOF

  absl::Duration timeout = absl::Seconds(60);  // wall clock; kills the tree
  absl::Duration connect_timeout = absl::Seconds(10);  // for proxied connects
  int64_t max_output_bytes = 1 << 20;   // kept per stream; the rest is counted
  int64_t memory_bytes = 2LL << 30;     // all processes of the run together
  int64_t max_processes = 256;          // tasks alive at once
  int64_t cpu_seconds = 0;              // per process; 0: no limit
  int64_t max_file_bytes = 1LL << 30;   // largest file a process may write
  bool gpu = false;                     // bind /dev/nvidia* (policy allows compute.gpu)
  // Bound pids and memory with a cgroup of the run's own where one can be
  // made. Joining a cgroup v1 costs a start about 10 ms (an RCU grace
  // period); false: rlimits only (RLIMIT_NPROC does not bind a caller that
  // is root outside the sandbox, so a fork bomb is then stopped only by the
  // timeout).
  bool use_cgroup = true;
  int64_t max_kept_observations = 10000;  // beyond: judged and counted, not kept
};

// Decides each observation before it takes effect. Called on the thread
// that called Sandbox::Run, in the order the program makes the calls.
class Judge {
 public:
  virtual ~Judge() = default;
  // Fills `out` with the verdict on `observation`.
  virtual void JudgeObservation(const Observation& observation, Verdict* out) = 0;
  // Whether prevented verdicts are enforced (false in shadow mode: the call
  // proceeds and the verdict is only recorded).
  virtual bool enforcing() const = 0;
};

// One observed call and what the judge said.
struct Observed {
  Observation observation;
  Verdict verdict;
  bool prevented = false;  // the call failed with EPERM or the run was killed
  int64_t pid = 0;         // of the calling process, as the caller sees it
  absl::Duration at;       // since the start of the run
};

struct RunResult {
  int exit_code = -1;  // the program's exit status; -1 if a signal ended it
  int signal = 0;      // the signal that ended it, else 0
  bool timed_out = false;
  bool terminated = false;  // a `terminate` verdict killed the run
  bool oom_killed = false;  // the memory limit ended a process
  bool pids_limit_hit = false;
  std::string stdout_text, stderr_text;
  int64_t stdout_bytes = 0, stderr_bytes = 0;  // as written, kept or not
  std::vector<Observed> observations;
  int64_t observations_not_kept = 0;
  // How the limits were enforced on this machine: "cgroup v1", "cgroup v2"
  // or "rlimit".
  std::string limits;
  absl::Duration wall;
};

class Sandbox {
 public:
  // OK if this kernel and process can run a sandbox: user namespaces (and
  // the others) can be created and seccomp user notification with ADDFD is
  // there. FailedPrecondition saying what is missing otherwise.
  static absl::Status Available();

  // InvalidArgument for options that make no sense (a workspace that is not
  // a directory, a timeout ≤ 0); FailedPrecondition as Available().
  static absl::StatusOr<Sandbox> Create(SandboxOptions options);

  // Runs argv[0] (a path, or a name looked up in the sandbox's PATH) with
  // `judge` deciding every supervised call. The first program start is the
  // call itself and is not judged again. Returns an error only when the
  // sandbox could not be set up (FailedPrecondition/Internal, with the step
  // that failed); whatever the program does is in the RunResult.
  absl::StatusOr<RunResult> Run(absl::Span<const std::string> argv, Judge& judge) const;

  const SandboxOptions& options() const { return options_; }

 private:
  explicit Sandbox(SandboxOptions options) : options_(std::move(options)) {}
  SandboxOptions options_;
};

}  // namespace rewardguard

#endif  // REWARDGUARD_SANDBOX_SANDBOX_H_
