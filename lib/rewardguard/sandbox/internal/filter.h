// rewardguard/sandbox/internal/filter.h
//
// The seccomp program every process of a run carries: which system calls
// wait for the supervisor, which fail at once, and which run untouched.
#ifndef REWARDGUARD_SANDBOX_INTERNAL_FILTER_H_
#define REWARDGUARD_SANDBOX_INTERNAL_FILTER_H_

#include <linux/filter.h>

#include <vector>

namespace rewardguard::sandbox_internal {

// connect, bind, listen, execve, execveat, sendmsg, sendmmsg and sendto with
// an address go to the supervisor (SECCOMP_RET_USER_NOTIF); io_uring (which
// would bypass the filter), bpf, perf_event_open, mount and namespace calls,
// keyrings, module loading and the like fail with EPERM (clone3 with ENOSYS,
// so that libc falls back to clone, whose flags the filter can see); another
// architecture's calls kill the process.
std::vector<sock_filter> SupervisedCallsFilter();

}  // namespace rewardguard::sandbox_internal

#endif  // REWARDGUARD_SANDBOX_INTERNAL_FILTER_H_
