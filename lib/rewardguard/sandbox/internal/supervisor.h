// rewardguard/sandbox/internal/supervisor.h
//
// The supervisor's side of seccomp user notification: reads a waiting
// call's arguments out of the calling process, turns them into an
// Observation, asks the Judge, and answers the kernel (proceed, fail with
// EPERM, or, for an allowed outbound connection, connect from the caller's
// network namespace and place the socket into the process).
//
// Time of check and time of use: the arguments are read while the caller is
// stopped in the kernel, but another thread of the same process can change
// them before a call that proceeds re-reads them. For connections this
// cannot open a way out: an allowed connection is made by the supervisor
// from the address it judged, and a call that proceeds runs in a network
// namespace that holds only loopback. For execve it can: a racing thread can
// swap the program after the check (docs/sandbox.md says so); what that
// program then connects to or starts is judged again.
#ifndef REWARDGUARD_SANDBOX_INTERNAL_SUPERVISOR_H_
#define REWARDGUARD_SANDBOX_INTERNAL_SUPERVISOR_H_

#include <linux/seccomp.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <unistd.h>

#include <cstdint>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"

#include "absl/time/time.h"
#include "rewardguard/sandbox/internal/os.h"
#include "rewardguard/sandbox/sandbox.h"

namespace rewardguard::sandbox_internal {

class Supervisor {
 public:
  // `listener`: the run's notification fd; `init_pidfd`: a pidfd of the
  // run's init, killed on `terminate`; observations are appended to `result`.
  Supervisor(int listener, int init_pidfd, const SandboxOptions& options, Judge& judge,
             absl::Time start, RunResult* result)
      : listener_(listener), init_pidfd_(init_pidfd), options_(options), judge_(judge),
        start_(start), result_(result) {}

  // Receives one notification and answers it. False once the listener has
  // no process left to notify about.
  bool HandleOne();

  int64_t observations_seen() const { return seen_; }

 private:
  void Answer(const seccomp_notif& req);
  void OnExec(const seccomp_notif& req, bool at);
  void OnConnect(const seccomp_notif& req);
  void OnBind(const seccomp_notif& req);
  void OnListen(const seccomp_notif& req);
  void OnDatagram(const seccomp_notif& req);

  enum Decision { kProceed, kRefuse, kKill };
  // Judges `o` for process `pid` (on kKill the run is being killed).
  Decision Decide(Observation o, pid_t pid);
  // Answers a refused call (EPERM; nothing when the run is killed); true
  // unless `d` lets it proceed.
  bool Refused(uint64_t id, Decision d);
  void Continue(uint64_t id);
  void Fail(uint64_t id, int error);
  void Succeed(uint64_t id, int64_t value);
  bool StillValid(uint64_t id);

  // For connect and bind (fd, addr, addrlen): reads the address and takes
  // the socket; false when the call has been answered already (the caller
  // is gone, or the address cannot be read: fail closed).
  bool ReadAddressAndSocket(const seccomp_notif& req, sockaddr_storage* ss, socklen_t* len,
                            Fd* socket);
  // A duplicate of descriptor `fd` of thread `tid` (shares its open file).
  Fd TargetFd(pid_t tid, uint64_t fd);
  static Fd OpenPidfd(pid_t tid);

  int listener_;
  int init_pidfd_;
  const SandboxOptions& options_;
  Judge& judge_;
  absl::Time start_;
  RunResult* result_;
  bool first_exec_done_ = false;
  int64_t seen_ = 0;
  absl::flat_hash_map<pid_t, Fd> pidfds_;
  // (port, socket type) of the sandbox's own servers: a loopback connection
  // to one stays inside. A server that closed stays listed; a connection to
  // its port then fails inside rather than reaching the caller's loopback.
  absl::flat_hash_set<std::pair<int, int>> listening_;
};

}  // namespace rewardguard::sandbox_internal

#endif  // REWARDGUARD_SANDBOX_INTERNAL_SUPERVISOR_H_
