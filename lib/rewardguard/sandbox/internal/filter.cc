#include "rewardguard/sandbox/internal/filter.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <stddef.h>
#include <sys/syscall.h>

#include <cstdint>

namespace rewardguard::sandbox_internal {
namespace {

#if defined(__x86_64__)
constexpr uint32_t kArch = AUDIT_ARCH_X86_64;
#elif defined(__aarch64__)
constexpr uint32_t kArch = AUDIT_ARCH_AARCH64;
#else
#error "the sandbox supports x86_64 and aarch64"
#endif

constexpr uint32_t kNotify = SECCOMP_RET_USER_NOTIF;
constexpr uint32_t kAllow = SECCOMP_RET_ALLOW;
constexpr uint32_t Errno(int e) { return SECCOMP_RET_ERRNO | (static_cast<uint32_t>(e) & 0xffff); }

constexpr uint32_t kArgLow(int i) {
  return static_cast<uint32_t>(offsetof(seccomp_data, args) + 8 * i);
}

// Namespace creation through clone(): a process of the run has no use for it.
constexpr uint32_t kNamespaceFlags = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWPID |
                                     CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWCGROUP;

class Program {
 public:
  void Load(uint32_t offset) { code_.push_back(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offset)); }
  void Return(uint32_t action) { code_.push_back(BPF_STMT(BPF_RET | BPF_K, action)); }
  // if (A == nr) return action;
  void On(long nr, uint32_t action) {
    code_.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, static_cast<uint32_t>(nr), 0, 1));
    Return(action);
  }
  void Jump(uint16_t code, uint32_t k, uint8_t jt, uint8_t jf) {
    code_.push_back(BPF_JUMP(code, k, jt, jf));
  }
  std::vector<sock_filter> Take() { return std::move(code_); }

 private:
  std::vector<sock_filter> code_;
};

}  // namespace

std::vector<sock_filter> SupervisedCallsFilter() {
  Program p;
  p.Load(offsetof(seccomp_data, arch));
  p.Jump(BPF_JMP | BPF_JEQ | BPF_K, kArch, 1, 0);
  p.Return(SECCOMP_RET_KILL_PROCESS);
  p.Load(offsetof(seccomp_data, nr));
#if defined(__x86_64__)
  p.Jump(BPF_JMP | BPF_JGE | BPF_K, 0x40000000u, 0, 1);  // x32 calls
  p.Return(SECCOMP_RET_KILL_PROCESS);
#endif

  for (long nr : {SYS_connect, SYS_bind, SYS_listen, SYS_execve, SYS_execveat, SYS_sendmsg,
                  SYS_sendmmsg})
    p.On(nr, kNotify);

  // sendto(fd, buf, len, flags, addr, addrlen): only with an address.
  p.Jump(BPF_JMP | BPF_JEQ | BPF_K, SYS_sendto, 0, 6);
  p.Load(kArgLow(4));
  p.Jump(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 2);
  p.Load(kArgLow(4) + 4);
  p.Jump(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0);
  p.Return(kNotify);
  p.Return(kAllow);

  // clone(flags, ...): no new namespaces.
  p.Jump(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone, 0, 4);
  p.Load(kArgLow(0));
  p.Jump(BPF_JMP | BPF_JSET | BPF_K, kNamespaceFlags, 0, 1);
  p.Return(Errno(EPERM));
  p.Return(kAllow);

  p.On(SYS_clone3, Errno(ENOSYS));
  for (long nr : {SYS_io_uring_setup, SYS_io_uring_enter, SYS_io_uring_register})
    p.On(nr, Errno(ENOSYS));
  for (long nr : {
           SYS_mount, SYS_umount2, SYS_pivot_root, SYS_chroot, SYS_unshare, SYS_setns,
           SYS_open_tree, SYS_move_mount, SYS_fsopen, SYS_fsconfig, SYS_fsmount, SYS_fspick,
           SYS_mount_setattr, SYS_swapon, SYS_swapoff, SYS_reboot, SYS_kexec_load,
           SYS_kexec_file_load, SYS_init_module, SYS_finit_module, SYS_delete_module, SYS_bpf,
           SYS_perf_event_open, SYS_keyctl, SYS_add_key, SYS_request_key, SYS_userfaultfd,
           SYS_open_by_handle_at, SYS_name_to_handle_at, SYS_acct, SYS_quotactl,
           SYS_settimeofday, SYS_clock_settime, SYS_adjtimex, SYS_vhangup,
       })
    p.On(nr, Errno(EPERM));
  p.Return(kAllow);
  return p.Take();
}

}  // namespace rewardguard::sandbox_internal
