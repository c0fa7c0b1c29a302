#include "rewardguard/sandbox/sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <memory>
#include <mutex>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "fmt/format.h"
#include "rewardguard/sandbox/internal/cgroup.h"
#include "rewardguard/sandbox/internal/child.h"
#include "rewardguard/sandbox/internal/filter.h"
#include "rewardguard/sandbox/internal/os.h"
#include "rewardguard/sandbox/internal/supervisor.h"

namespace rewardguard {
namespace {

using sandbox_internal::ChildPlan;
using sandbox_internal::Fd;
using sandbox_internal::WriteSmallFile;
using sandbox_internal::MountStep;
using sandbox_internal::RunCgroup;
using sandbox_internal::StatusMessage;

constexpr int kNamespaces =
    CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS;
constexpr size_t kInitStack = 1 << 20;
constexpr char kDefaultPath[] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
constexpr int kSandboxUid = 1000;  // the program's user inside its namespace
// Not in every kernel header yet.
constexpr unsigned long kNotifSetFlags = SECCOMP_IOW(4, __u64);  // SECCOMP_IOCTL_NOTIF_SET_FLAGS
constexpr unsigned long kNotifSyncWakeUp = 1;  // SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP

struct Pipe {
  Fd read, write;
  bool Open() {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return false;
    read.Reset(fds[0]);
    write.Reset(fds[1]);
    return true;
  }
};

absl::Status Probe() {
  utsname u;
  int major = 0, minor = 0;
  if (uname(&u) == 0) sscanf(u.release, "%d.%d", &major, &minor);
  if (major < 5 || (major == 5 && minor < 9))
    return absl::FailedPreconditionError(fmt::format(
        "the sandbox needs Linux 5.9 or later (seccomp user notification with ADDFD); this "
        "kernel is {}",
        u.release));
  uint32_t action = SECCOMP_RET_USER_NOTIF;
  if (syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action) != 0)
    return absl::FailedPreconditionError(fmt::format(
        "seccomp user notification is not available: {}", strerror(errno)));
  // Namespaces: a child in all of them that exits at once.
  void* stack = mmap(nullptr, 64 << 10, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if (stack == MAP_FAILED) return absl::InternalError("mmap failed");
  const pid_t pid = clone([](void*) -> int { _exit(0); },
                          static_cast<char*>(stack) + (64 << 10), kNamespaces | SIGCHLD, nullptr);
  const int err = errno;
  munmap(stack, 64 << 10);
  if (pid < 0)
    return absl::FailedPreconditionError(fmt::format(
        "cannot create user, mount, PID and network namespaces: {} (are unprivileged user "
        "namespaces disabled? see /proc/sys/user/max_user_namespaces and "
        "kernel.apparmor_restrict_unprivileged_userns)",
        strerror(err)));
  int status = 0;
  waitpid(pid, &status, 0);
  return absl::OkStatus();
}

// argv[0] as a path: names without a slash are looked up in PATH, on the
// host, whose system directories the sandbox shows as they are.
std::string Resolve(const std::string& program, const std::vector<std::string>& env) {
  if (program.find('/') != std::string::npos) return program;
  std::string path = kDefaultPath;
  for (const std::string& e : env)
    if (absl::StartsWith(e, "PATH=")) path = e.substr(5);
  for (absl::string_view dir : absl::StrSplit(path, ':', absl::SkipEmpty())) {
    std::string candidate = fmt::format("{}/{}", std::string(dir), program);
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return program;  // execve says ENOENT
}

void AddSystemView(const SandboxOptions& o, std::vector<MountStep>* m) {
  for (const char* dir : {"/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc",
                          "/opt"}) {
    struct stat st;
    if (lstat(dir, &st) != 0) continue;
    if (S_ISLNK(st.st_mode)) {
      char target[4096];
      const ssize_t n = readlink(dir, target, sizeof(target) - 1);
      if (n > 0) m->push_back({MountStep::kSymlink, std::string(target, n), dir});
    } else if (S_ISDIR(st.st_mode)) {
      m->push_back({MountStep::kBindReadOnly, dir, dir});
    }
  }
  // Readable by the caller's user, so by the program: hidden.
  for (const char* secret : {"/etc/shadow", "/etc/gshadow", "/etc/sudoers"})
    m->push_back({MountStep::kHideFile, "", secret});
  const std::string tmp_size = fmt::format("mode=1777,size={}", o.memory_bytes);
  m->push_back({MountStep::kTmpfs, tmp_size, "/tmp"});
  m->push_back({MountStep::kTmpfs, tmp_size, "/var/tmp"});
  m->push_back({MountStep::kTmpfs, "mode=0755,size=64k", "/dev"});
  for (const char* dev : {"null", "zero", "full", "random", "urandom", "tty"})
    m->push_back({MountStep::kBindDevice, fmt::format("/dev/{}", dev), fmt::format("/dev/{}", dev)});
  if (o.gpu) {
    for (const char* dev : {"nvidiactl", "nvidia-uvm", "nvidia-uvm-tools", "nvidia-modeset"})
      if (access(fmt::format("/dev/{}", dev).c_str(), F_OK) == 0)
        m->push_back({MountStep::kBindDevice, fmt::format("/dev/{}", dev), fmt::format("/dev/{}", dev)});
    for (int i = 0; i < 64; ++i)
      if (access(fmt::format("/dev/nvidia{}", i).c_str(), F_OK) == 0)
        m->push_back({MountStep::kBindDevice, fmt::format("/dev/nvidia{}", i), fmt::format("/dev/nvidia{}", i)});
  }
  m->push_back({MountStep::kTmpfs, fmt::format("mode=1777,size={}", o.memory_bytes), "/dev/shm"});
  m->push_back({MountStep::kSymlink, "/proc/self/fd", "/dev/fd"});
  m->push_back({MountStep::kSymlink, "/proc/self/fd/0", "/dev/stdin"});
  m->push_back({MountStep::kSymlink, "/proc/self/fd/1", "/dev/stdout"});
  m->push_back({MountStep::kSymlink, "/proc/self/fd/2", "/dev/stderr"});
  m->push_back({MountStep::kProc, "", "/proc"});
  for (const std::string& path : o.read_only_paths)
    if (access(path.c_str(), F_OK) == 0) m->push_back({MountStep::kBindReadOnly, path, path});
  if (!o.workspace.empty()) m->push_back({MountStep::kBindReadWrite, o.workspace, o.workspace});
}

// Appends what is readable on `fd` to `out`, keeping at most `max` bytes.
// False at end of file.
bool Drain(int fd, int64_t max, std::string* out, int64_t* total) {
  char buf[65536];
  for (;;) {
    const ssize_t n = read(fd, buf, sizeof(buf));
    if (n == 0) return false;
    if (n < 0) return errno == EAGAIN || errno == EINTR;
    *total += n;
    const int64_t room = max - static_cast<int64_t>(out->size());
    if (room > 0) out->append(buf, static_cast<size_t>(std::min<int64_t>(room, n)));
  }
}

}  // namespace

absl::Status Sandbox::Available() {
  static const absl::Status* status = new absl::Status(Probe());
  return *status;
}

absl::StatusOr<Sandbox> Sandbox::Create(SandboxOptions options) {
  if (!options.workspace.empty()) {
    struct stat st;
    if (stat(options.workspace.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
      return absl::InvalidArgumentError(
          fmt::format("workspace `{}` is not a directory", options.workspace));
    char real[PATH_MAX];
    if (realpath(options.workspace.c_str(), real) == nullptr)
      return absl::InvalidArgumentError(fmt::format("cannot resolve workspace `{}`", options.workspace));
    options.workspace = real;
    if (options.workspace == "/")
      return absl::InvalidArgumentError("the workspace cannot be /");
  }
  if (options.timeout <= absl::ZeroDuration())
    return absl::InvalidArgumentError("the timeout must be positive");
  if (options.memory_bytes < (16 << 20) || options.max_processes < 2 || options.max_output_bytes < 0)
    return absl::InvalidArgumentError(
        "limits too small: memory_bytes >= 16 MiB, max_processes >= 2, max_output_bytes >= 0");
  if (absl::Status s = Available(); !s.ok()) return s;
  return Sandbox(std::move(options));
}

absl::StatusOr<RunResult> Sandbox::Run(absl::Span<const std::string> argv, Judge& judge) const {
  if (argv.empty() || argv[0].empty()) return absl::InvalidArgumentError("argv must name a program");
  const absl::Time start = absl::Now();
  RunResult result;

  ChildPlan plan;
  plan.workdir = options_.workspace.empty() ? "/tmp" : options_.workspace;
  plan.envp = options_.environment;
  if (plan.envp.empty())
    plan.envp = {fmt::format("PATH={}", kDefaultPath), fmt::format("HOME={}", plan.workdir),
                 "LANG=C.UTF-8", "TERM=dumb", "TMPDIR=/tmp"};
  plan.argv.assign(argv.begin(), argv.end());
  plan.argv[0] = Resolve(argv[0], plan.envp);
  AddSystemView(options_, &plan.mounts);
  plan.memory_bytes = options_.memory_bytes;
  plan.max_processes = options_.max_processes;
  plan.cpu_seconds = options_.cpu_seconds;
  plan.max_file_bytes = options_.max_file_bytes;
  plan.filter = sandbox_internal::SupervisedCallsFilter();

  std::unique_ptr<RunCgroup> cgroup =
      options_.use_cgroup ? RunCgroup::Create(options_.memory_bytes, options_.max_processes)
                          : nullptr;
  plan.limit_with_rlimits = cgroup == nullptr;
  result.limits = cgroup ? cgroup->version() : "rlimit";

  char root_template[] = "/tmp/rewardguard-root-XXXXXX";
  if (mkdtemp(root_template) == nullptr)
    return absl::InternalError(fmt::format("cannot create the sandbox root: {}", strerror(errno)));
  plan.root = root_template;
  absl::Cleanup remove_root = [&] { rmdir(plan.root.c_str()); };

  Pipe status, control, in, out, err;
  if (!status.Open() || !control.Open() || !in.Open() || !out.Open() || !err.Open())
    return absl::InternalError(fmt::format("cannot create pipes: {}", strerror(errno)));
  plan.status_write = status.write.get();
  plan.control_read = control.read.get();
  plan.stdin_read = in.read.get();
  plan.stdout_write = out.write.get();
  plan.stderr_write = err.write.get();
  plan.Finish();

  void* stack = mmap(nullptr, kInitStack, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if (stack == MAP_FAILED) return absl::InternalError("cannot allocate the init stack");
  int pidfd_raw = -1;
  const pid_t init = clone(sandbox_internal::RunInit, static_cast<char*>(stack) + kInitStack,
                           kNamespaces | CLONE_PIDFD | SIGCHLD, &plan, &pidfd_raw);
  const int clone_errno = errno;
  munmap(stack, kInitStack);
  if (init < 0)
    return absl::FailedPreconditionError(
        fmt::format("cannot start the sandbox (clone): {}", strerror(clone_errno)));
  Fd pidfd(pidfd_raw);
  bool reaped = false;
  int init_status = 0;
  absl::Cleanup kill_init = [&] {
    if (reaped) return;
    syscall(SYS_pidfd_send_signal, pidfd.get(), SIGKILL, nullptr, 0);
    waitpid(init, &init_status, 0);
  };
  status.write.Reset();
  control.read.Reset();
  in.read.Reset();
  out.write.Reset();
  err.write.Reset();

  auto setup_error = [&](std::string what) {
    return absl::FailedPreconditionError(fmt::format("cannot set up the sandbox: {}", what));
  };
  if (!WriteSmallFile(fmt::format("/proc/{}/uid_map", init), fmt::format("{} {} 1\n", kSandboxUid, geteuid())) ||
      !WriteSmallFile(fmt::format("/proc/{}/setgroups", init), "deny") ||
      !WriteSmallFile(fmt::format("/proc/{}/gid_map", init), fmt::format("{} {} 1\n", kSandboxUid, getegid())))
    return setup_error("cannot write the user namespace's id maps");
  if (write(control.write.get(), "g", 1) != 1) return setup_error("init is gone");
  // Joining a v1 cgroup waits for an RCU grace period (milliseconds): done
  // while init builds its root, before it may start the program.
  if (cgroup && !cgroup->AddProcess(init)) return setup_error("cannot join the run's cgroup");

  StatusMessage msg;
  if (read(status.read.get(), &msg, sizeof(msg)) != sizeof(msg))
    return setup_error("init ended before it was ready");
  if (msg.kind == StatusMessage::kError)
    return setup_error(fmt::format("{}: {}", msg.what, strerror(msg.value)));
  if (msg.kind != StatusMessage::kListener) return setup_error("unexpected message from init");
  Fd listener(static_cast<int>(syscall(SYS_pidfd_getfd, pidfd.get(), msg.value, 0)));
  if (listener.get() < 0)
    return setup_error(fmt::format("cannot take the seccomp listener: {}", strerror(errno)));
  // Wake-ups on the current CPU: the supervisor and the caller hand the CPU
  // to each other (Linux 6.6+; without it, only slower).
  ioctl(listener.get(), kNotifSetFlags, kNotifSyncWakeUp);
  if (write(control.write.get(), "g", 1) != 1) return setup_error("init is gone");

  // Supervise until init (and with it every process of the run) is gone.
  sandbox_internal::Supervisor supervisor(listener.get(), pidfd.get(), options_, judge, start,
                                          &result);
  size_t stdin_written = 0;
  if (options_.stdin_data.empty()) in.write.Reset();
  fcntl(out.read.get(), F_SETFL, O_NONBLOCK);
  fcntl(err.read.get(), F_SETFL, O_NONBLOCK);
  if (in.write.get() >= 0) fcntl(in.write.get(), F_SETFL, O_NONBLOCK);
  const absl::Time deadline = start + options_.timeout;
  bool out_open = true, err_open = true, init_running = true, listening = true;
  while (init_running || out_open || err_open) {
    pollfd fds[5];
    int n = 0;
    auto add = [&](int fd, short events) -> int {
      if (fd < 0) return -1;
      fds[n] = {fd, events, 0};
      return n++;
    };
    const int i_listener = listening && init_running ? add(listener.get(), POLLIN) : -1;
    const int i_init = init_running ? add(pidfd.get(), POLLIN) : -1;
    const int i_out = out_open ? add(out.read.get(), POLLIN) : -1;
    const int i_err = err_open ? add(err.read.get(), POLLIN) : -1;
    const int i_in = add(in.write.get(), POLLOUT);
    int64_t wait_ms = absl::ToInt64Milliseconds(deadline - absl::Now()) + 1;
    if (!init_running) wait_ms = 1000;  // only output left to read
    if (wait_ms < 0) wait_ms = 0;
    const int ready = poll(fds, n, static_cast<int>(std::min<int64_t>(wait_ms, 1 << 30)));
    if (ready < 0 && errno != EINTR) break;
    if (init_running && absl::Now() >= deadline && !result.timed_out) {
      result.timed_out = true;
      syscall(SYS_pidfd_send_signal, pidfd.get(), SIGKILL, nullptr, 0);
    }
    if (ready == 0 && !init_running) break;  // a pipe held open by nobody we can see
    if (ready <= 0) continue;
    if (i_listener >= 0 && (fds[i_listener].revents & POLLIN)) {
      if (!supervisor.HandleOne()) listening = false;
    } else if (i_listener >= 0 && (fds[i_listener].revents & (POLLHUP | POLLERR))) {
      listening = false;
    }
    if (i_out >= 0 && fds[i_out].revents)
      out_open = Drain(out.read.get(), options_.max_output_bytes, &result.stdout_text, &result.stdout_bytes);
    if (i_err >= 0 && fds[i_err].revents)
      err_open = Drain(err.read.get(), options_.max_output_bytes, &result.stderr_text, &result.stderr_bytes);
    if (i_in >= 0 && fds[i_in].revents) {
      const ssize_t w = fds[i_in].revents & POLLOUT
                            ? write(in.write.get(), options_.stdin_data.data() + stdin_written,
                                    options_.stdin_data.size() - stdin_written)
                            : -1;
      if (w > 0) stdin_written += static_cast<size_t>(w);
      if (w < 0 && errno == EAGAIN) {
      } else if (w <= 0 || stdin_written == options_.stdin_data.size()) {
        in.write.Reset();
      }
    }
    if (i_init >= 0 && (fds[i_init].revents & POLLIN)) init_running = false;
  }
  waitpid(init, &init_status, 0);
  reaped = true;

  // The program's wait status, as init reported it.
  result.exit_code = -1;
  result.signal = SIGKILL;  // killed before it could say (timeout, terminate)
  fcntl(status.read.get(), F_SETFL, O_NONBLOCK);
  while (read(status.read.get(), &msg, sizeof(msg)) == sizeof(msg)) {
    if (msg.kind == StatusMessage::kError)
      return setup_error(fmt::format("{}: {}", msg.what, strerror(msg.value)));
    if (msg.kind != StatusMessage::kExited) continue;
    if (WIFEXITED(msg.value)) {
      result.exit_code = WEXITSTATUS(msg.value);
      result.signal = 0;
    } else if (WIFSIGNALED(msg.value)) {
      result.signal = WTERMSIG(msg.value);
    }
  }
  if (cgroup) {
    result.oom_killed = cgroup->OomKilled();
    result.pids_limit_hit = cgroup->PidsLimitHit();
  }
  result.wall = absl::Now() - start;
  return result;
}

}  // namespace rewardguard
