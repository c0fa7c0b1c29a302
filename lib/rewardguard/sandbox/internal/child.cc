#include "rewardguard/sandbox/internal/child.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/seccomp.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

// Everything below runs in the run's processes after clone(): system calls
// and plain memory only (see child.h).
namespace rewardguard::sandbox_internal {
namespace {

constexpr int kStatusFd = 3, kControlFd = 4;
constexpr size_t kProgramStack = 256 << 10;  // StartProgram's, until its exec

[[noreturn]] void Fail(const char* what) {
  StatusMessage m;
  m.kind = StatusMessage::kError;
  m.value = errno;
  strncpy(m.what, what, sizeof(m.what) - 1);
  (void)!write(kStatusFd, &m, sizeof(m));
  _exit(126);
}

void MakeDirs(const char* path) {
  char buf[4096];
  size_t n = strlen(path);
  if (n >= sizeof(buf)) return;
  memcpy(buf, path, n + 1);
  for (size_t i = 1; i <= n; ++i) {
    if (buf[i] != '/' && buf[i] != '\0') continue;
    const char saved = buf[i];
    buf[i] = '\0';
    mkdir(buf, 0755);
    buf[i] = saved;
  }
}

void MakeParentDirs(const char* path) {
  char buf[4096];
  size_t n = strlen(path);
  if (n >= sizeof(buf)) return;
  memcpy(buf, path, n + 1);
  char* slash = strrchr(buf, '/');
  if (slash == nullptr || slash == buf) return;
  *slash = '\0';
  MakeDirs(buf);
}

void MakeFile(const char* path) {
  MakeParentDirs(path);
  int fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
  if (fd >= 0) close(fd);
}

bool SetAttributes(const char* target, uint64_t set, unsigned flags) {
  struct mount_attr attr = {};
  attr.attr_set = set;
  return syscall(SYS_mount_setattr, AT_FDCWD, target, flags, &attr, sizeof(attr)) == 0;
}

void Bind(const MountStep& step, const char* target, bool read_only) {
  struct stat st;
  if (stat(step.source.c_str(), &st) != 0) return;  // nothing to show
  if (S_ISDIR(st.st_mode)) {
    MakeDirs(target);
  } else {
    MakeFile(target);
  }
  if (mount(step.source.c_str(), target, nullptr, MS_BIND | MS_REC, nullptr) != 0)
    Fail("bind-mount a path into the sandbox");
  uint64_t attributes = MOUNT_ATTR_NOSUID | (read_only ? MOUNT_ATTR_RDONLY : 0);
  if (!SetAttributes(target, attributes, AT_RECURSIVE)) Fail("make a bind mount read-only");
}

void BuildRoot(const ChildPlan& p) {
  if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
    Fail("make the mounts private");
  const char* root = p.root.c_str();
  if (mount("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=16m") != 0)
    Fail("mount the root tmpfs");
  for (size_t i = 0; i < p.mounts.size(); ++i) {
    const MountStep& step = p.mounts[i];
    const char* target = p.full_targets[i].c_str();
    switch (step.kind) {
      case MountStep::kBindReadOnly:
        Bind(step, target, true);
        break;
      case MountStep::kBindReadWrite:
        Bind(step, target, false);
        break;
      case MountStep::kBindDevice:
        MakeFile(target);
        if (mount(step.source.c_str(), target, nullptr, MS_BIND, nullptr) != 0)
          Fail("bind a device node");
        break;
      case MountStep::kTmpfs:
        MakeDirs(target);
        if (mount("tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV, step.source.c_str()) != 0)
          Fail("mount a tmpfs");
        break;
      case MountStep::kProc:
        MakeDirs(target);
        if (mount("proc", target, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) != 0)
          Fail("mount /proc");
        break;
      case MountStep::kSymlink:
        MakeParentDirs(target);
        if (symlink(step.source.c_str(), target) != 0 && errno != EEXIST)
          Fail("create a symlink");
        break;
      case MountStep::kHideFile:
        if (access(target, F_OK) == 0 &&
            mount("/dev/null", target, nullptr, MS_BIND, nullptr) != 0)
          Fail("hide a file");
        break;
    }
  }
  if (chdir(root) != 0) Fail("enter the new root");
  if (syscall(SYS_pivot_root, ".", ".") != 0) Fail("pivot_root");
  if (umount2(".", MNT_DETACH) != 0) Fail("detach the old root");
  if (chdir("/") != 0) Fail("enter /");
  if (!SetAttributes("/", MOUNT_ATTR_RDONLY, 0)) Fail("make / read-only");
}

void LoopbackUp() {
  int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0) Fail("open a socket to bring up loopback");
  struct ifreq ifr = {};
  strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
  if (ioctl(s, SIOCGIFFLAGS, &ifr) != 0) Fail("read loopback's flags");
  ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
  if (ioctl(s, SIOCSIFFLAGS, &ifr) != 0) Fail("bring up loopback");
  close(s);
}

void Limit(int resource, int64_t value) {
  struct rlimit r = {static_cast<rlim_t>(value), static_cast<rlim_t>(value)};
  setrlimit(resource, &r);
}

[[noreturn]] void StartProgram(const ChildPlan& p) {
  struct sigaction dfl = {};
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) sigaction(sig, &dfl, nullptr);
  close(kStatusFd);
  close(kControlFd);
  Limit(RLIMIT_CORE, 0);
  Limit(RLIMIT_FSIZE, p.max_file_bytes);
  if (p.cpu_seconds > 0) Limit(RLIMIT_CPU, p.cpu_seconds);
  if (p.limit_with_rlimits) {
    Limit(RLIMIT_NPROC, p.max_processes);
    Limit(RLIMIT_AS, p.memory_bytes);
  }
  if (chdir(p.workdir.c_str()) != 0) {
    static const char msg[] = "sandbox: cannot enter the workspace\n";
    (void)!write(2, msg, sizeof(msg) - 1);
    _exit(126);
  }
  // No capabilities, not even in the run's own user namespace.
  prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
  for (int cap = 0; cap <= 63; ++cap) prctl(PR_CAPBSET_DROP, cap, 0, 0, 0);
  struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct data[2] = {};
  syscall(SYS_capset, &header, data);
  execve(p.argv_ptrs[0], p.argv_ptrs.data(), p.envp_ptrs.data());
  const int err = errno;
  static const char msg[] = "sandbox: cannot run the program: ";
  (void)!write(2, msg, sizeof(msg) - 1);
  const char* why = err == ENOENT ? "not found"
                    : err == EACCES || err == EPERM ? "permission denied"
                                                    : "exec failed";
  (void)!write(2, why, strlen(why));
  (void)!write(2, "\n", 1);
  _exit(err == ENOENT ? 127 : 126);
}

int StartProgramEntry(void* plan) { StartProgram(*static_cast<const ChildPlan*>(plan)); }

}  // namespace

void ChildPlan::Finish() {
  full_targets.clear();
  for (const MountStep& m : mounts) full_targets.push_back(root + m.target);
  argv_ptrs.clear();
  for (std::string& a : argv) argv_ptrs.push_back(a.data());
  argv_ptrs.push_back(nullptr);
  envp_ptrs.clear();
  for (std::string& e : envp) envp_ptrs.push_back(e.data());
  envp_ptrs.push_back(nullptr);
}

int RunInit(void* arg) {
  const ChildPlan& p = *static_cast<const ChildPlan*>(arg);
  prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);  // the supervisor's death ends the run
  // The descriptors kept, at 0..4; every other one the caller had is closed,
  // so nothing of the training process (sockets above all) leaks in.
  const int keep[5] = {p.stdin_read, p.stdout_write, p.stderr_write, p.status_write,
                       p.control_read};
  int moved[5];
  for (int i = 0; i < 5; ++i) moved[i] = fcntl(keep[i], F_DUPFD, 16);
  for (int i = 0; i < 5; ++i)
    if (moved[i] < 0 || dup2(moved[i], i) != i) _exit(126);
  close_range(5, ~0U, 0);

  char go;
  if (read(kControlFd, &go, 1) != 1) _exit(126);  // the supervisor is gone
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);

  BuildRoot(p);
  if (sethostname("sandbox", 7) != 0) Fail("set the host name");
  LoopbackUp();
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) Fail("set no_new_privs");
  struct sock_fprog program = {static_cast<unsigned short>(p.filter.size()),
                               const_cast<sock_filter*>(p.filter.data())};
  const int listener = static_cast<int>(
      syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &program));
  if (listener < 0) Fail("install the seccomp filter");
  StatusMessage ready;
  ready.kind = StatusMessage::kListener;
  ready.value = listener;
  if (write(kStatusFd, &ready, sizeof(ready)) != sizeof(ready)) _exit(126);
  if (read(kControlFd, &go, 1) != 1) _exit(126);  // the supervisor holds the listener
  close(listener);

  // The program starts as posix_spawn starts one (CLONE_VM | CLONE_VFORK):
  // init's memory, a copy of the caller's, is not copied again, which from a
  // trainer's process cost tens of milliseconds for the copy and as much for
  // its teardown at the exec. Init waits until the exec (or the exit, when
  // the supervisor denies it); StartProgram makes system calls only, on a
  // stack of its own.
  void* stack = mmap(nullptr, kProgramStack, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if (stack == MAP_FAILED) Fail("allocate the program's stack");
  const pid_t program_pid =
      clone(StartProgramEntry, static_cast<char*>(stack) + kProgramStack,
            CLONE_VM | CLONE_VFORK | SIGCHLD, const_cast<ChildPlan*>(&p));
  if (program_pid < 0) Fail("start the program");
  munmap(stack, kProgramStack);  // the program has exec'd or exited
  for (;;) {
    int status = 0;
    const pid_t pid = wait4(-1, &status, 0, nullptr);
    if (pid < 0 && errno == EINTR) continue;
    if (pid < 0) _exit(126);
    if (pid != program_pid) continue;  // an orphan reaped
    StatusMessage done;
    done.kind = StatusMessage::kExited;
    done.value = status;
    (void)!write(kStatusFd, &done, sizeof(done));
    _exit(0);  // and with init, every process left in the namespace
  }
}

}  // namespace rewardguard::sandbox_internal
