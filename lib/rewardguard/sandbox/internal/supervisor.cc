#include "rewardguard/sandbox/internal/supervisor.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_split.h"
#include "fmt/format.h"

namespace rewardguard::sandbox_internal {
namespace {

constexpr size_t kMaxPathBytes = 4096;
constexpr size_t kMaxArgs = 1 << 16;
constexpr size_t kMaxArgvBytes = 2 << 20;
constexpr unsigned kMaxDatagramsJudged = 64;  // of one sendmmsg

// Reads from the address space of a stopped caller.
class Memory {
 public:
  explicit Memory(pid_t pid) : pid_(pid) {}

  bool Read(uint64_t addr, void* out, size_t n) const {
    if (n == 0) return true;
    struct iovec local = {out, n};
    struct iovec remote = {reinterpret_cast<void*>(addr), n};
    return process_vm_readv(pid_, &local, 1, &remote, 1, 0) == static_cast<ssize_t>(n);
  }

  // A NUL-terminated string of at most `max` bytes, read a page piece at a
  // time so that a string ending just before an unmapped page reads.
  bool ReadString(uint64_t addr, size_t max, std::string* out) const {
    out->clear();
    char buf[512];
    while (out->size() <= max) {
      const size_t to_page = 4096 - (addr & 4095);
      const size_t n = std::min(sizeof(buf), to_page);
      struct iovec local = {buf, n};
      struct iovec remote = {reinterpret_cast<void*>(addr), n};
      const ssize_t got = process_vm_readv(pid_, &local, 1, &remote, 1, 0);
      if (got <= 0) return false;
      const void* nul = memchr(buf, '\0', static_cast<size_t>(got));
      if (nul != nullptr) {
        out->append(buf, static_cast<const char*>(nul) - buf);
        return out->size() <= max;
      }
      out->append(buf, static_cast<size_t>(got));
      addr += static_cast<uint64_t>(got);
    }
    return false;
  }

  // A NULL-terminated array of strings (argv).
  bool ReadStrings(uint64_t addr, std::vector<std::string>* out) const {
    out->clear();
    size_t total = 0;
    for (size_t i = 0; i < kMaxArgs; ++i) {
      uint64_t ptr = 0;
      if (!Read(addr + 8 * i, &ptr, sizeof(ptr))) return false;
      if (ptr == 0) return true;
      std::string s;
      if (!ReadString(ptr, kMaxArgvBytes - total, &s)) return false;
      total += s.size() + 1;
      out->push_back(std::move(s));
    }
    return false;
  }

 private:
  pid_t pid_;
};


// Whether the caller's descriptor has FD_CLOEXEC: the "flags:" line of
// /proc/TID/fdinfo/FD (octal). Read without streams: this is on the path of
// every allowed connection.
bool TargetFdIsCloexec(pid_t tid, uint64_t fd) {
  char path[64], buf[512];
  snprintf(path, sizeof(path), "/proc/%d/fdinfo/%llu", tid, static_cast<unsigned long long>(fd));
  const int f = open(path, O_RDONLY | O_CLOEXEC);
  if (f < 0) return false;
  const ssize_t n = read(f, buf, sizeof(buf) - 1);
  close(f);
  if (n <= 0) return false;
  buf[n] = '\0';
  const char* flags = strstr(buf, "flags:");
  return flags != nullptr && (std::strtoul(flags + 6, nullptr, 8) & O_CLOEXEC) != 0;
}

struct SocketInfo {
  int domain = -1, type = -1, protocol = 0;
};

// False if `fd` is not a socket (or not open).
bool InfoOf(int fd, SocketInfo* s) {
  if (fd < 0) return false;
  socklen_t n = sizeof(int);
  if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &s->domain, &n) != 0) return false;
  n = sizeof(int);
  return getsockopt(fd, SOL_SOCKET, SO_TYPE, &s->type, &n) == 0;  // protocol 0: TCP or UDP
}

const char* ProtocolName(int type) {
  switch (type) {
    case SOCK_STREAM: return "tcp";
    case SOCK_DGRAM: return "udp";
    case SOCK_RAW: return "raw";
    default: return "ip";
  }
}

// An IPv4 or IPv6 socket address, decoded. nullopt for other families.
struct Endpoint {
  std::string host;
  int port = -1;
  bool loopback = false;
};

std::optional<Endpoint> Decode(const sockaddr_storage& ss, socklen_t len) {
  Endpoint e;
  char text[INET6_ADDRSTRLEN] = {};
  if (ss.ss_family == AF_INET && len >= sizeof(sockaddr_in)) {
    const auto& a = reinterpret_cast<const sockaddr_in&>(ss);
    inet_ntop(AF_INET, &a.sin_addr, text, sizeof(text));
    e.port = ntohs(a.sin_port);
    e.loopback = (ntohl(a.sin_addr.s_addr) >> 24) == 127;
  } else if (ss.ss_family == AF_INET6 && len >= sizeof(sockaddr_in6)) {
    const auto& a = reinterpret_cast<const sockaddr_in6&>(ss);
    if (IN6_IS_ADDR_V4MAPPED(&a.sin6_addr)) {
      inet_ntop(AF_INET, &a.sin6_addr.s6_addr[12], text, sizeof(text));
      e.loopback = a.sin6_addr.s6_addr[12] == 127;
    } else {
      inet_ntop(AF_INET6, &a.sin6_addr, text, sizeof(text));
      e.loopback = IN6_IS_ADDR_LOOPBACK(&a.sin6_addr);
    }
    e.port = ntohs(a.sin6_port);
  } else {
    return std::nullopt;
  }
  e.host = text;
  return e;
}

bool IsInet(sa_family_t family) { return family == AF_INET || family == AF_INET6; }

}  // namespace

Fd Supervisor::OpenPidfd(pid_t tid) {
  constexpr unsigned kPidfdThread = O_EXCL;  // PIDFD_THREAD, Linux 6.9+
  int fd = static_cast<int>(syscall(SYS_pidfd_open, tid, kPidfdThread));
  if (fd >= 0) return Fd(fd);
  for (absl::string_view line : absl::StrSplit(ReadSmallFile(fmt::format("/proc/{}/status", tid)), '\n')) {
    int tgid = 0;
    if (absl::ConsumePrefix(&line, "Tgid:") &&
        absl::SimpleAtoi(absl::StripAsciiWhitespace(line), &tgid))
      return Fd(static_cast<int>(syscall(SYS_pidfd_open, tgid, 0)));
  }
  return Fd();
}

Fd Supervisor::TargetFd(pid_t tid, uint64_t fd) {
  if (fd > INT32_MAX) return Fd();
  // pidfds are kept per thread: a notification costs two system calls less.
  // One that fails is opened again, in case the id now names another thread.
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto it = pidfds_.find(tid);
    if (it == pidfds_.end() || attempt == 1) {
      if (pidfds_.size() > 1024) pidfds_.clear();
      Fd opened = OpenPidfd(tid);
      if (!opened.ok()) return Fd();
      it = pidfds_.insert_or_assign(tid, std::move(opened)).first;
    }
    const int got = static_cast<int>(
        syscall(SYS_pidfd_getfd, it->second.get(), static_cast<int>(fd), 0));
    if (got >= 0) return Fd(got);
    if (errno == EBADF) return Fd();  // no such descriptor in a live process
  }
  return Fd();
}

bool Supervisor::HandleOne() {
  seccomp_notif req;
  memset(&req, 0, sizeof(req));
  if (ioctl(listener_, SECCOMP_IOCTL_NOTIF_RECV, &req) != 0) {
    // ENOENT: the caller died before we read it; EINTR: try again.
    return errno == ENOENT || errno == EINTR;
  }
  Answer(req);
  return true;
}

void Supervisor::Answer(const seccomp_notif& req) {
  switch (req.data.nr) {
    case SYS_execve: return OnExec(req, false);
    case SYS_execveat: return OnExec(req, true);
    case SYS_connect: return OnConnect(req);
    case SYS_bind: return OnBind(req);
    case SYS_listen: return OnListen(req);
    case SYS_sendto:
    case SYS_sendmsg:
    case SYS_sendmmsg: return OnDatagram(req);
    default: return Fail(req.id, ENOSYS);  // the filter sent something it should not
  }
}

Supervisor::Decision Supervisor::Decide(Observation o, pid_t pid) {
  ++seen_;
  Verdict verdict;
  judge_.JudgeObservation(o, &verdict);
  const bool prevented = judge_.enforcing() && Prevents(verdict.action);
  const bool kill = judge_.enforcing() && verdict.action == Action::kTerminate;
  if (kill) {
    syscall(SYS_pidfd_send_signal, init_pidfd_, SIGKILL, nullptr, 0);
    result_->terminated = true;
  }
  if (static_cast<int64_t>(result_->observations.size()) < options_.max_kept_observations) {
    Observed& kept = result_->observations.emplace_back();
    kept.observation = std::move(o);
    kept.verdict = std::move(verdict);
    kept.prevented = prevented;
    kept.pid = pid;
    kept.at = absl::Now() - start_;
  } else {
    ++result_->observations_not_kept;
  }
  return kill ? kKill : prevented ? kRefuse : kProceed;
}

void Supervisor::OnExec(const seccomp_notif& req, bool at) {
  // The first program start is the call itself, judged by its text.
  if (!first_exec_done_) {
    first_exec_done_ = true;
    return Continue(req.id);
  }
  const Memory mem(static_cast<pid_t>(req.pid));
  const uint64_t path_addr = at ? req.data.args[1] : req.data.args[0];
  const uint64_t argv_addr = at ? req.data.args[2] : req.data.args[1];
  std::string path;
  ProcessStart start;
  bool read = mem.ReadString(path_addr, kMaxPathBytes, &path) &&
              mem.ReadStrings(argv_addr, &start.argv);
  if (!StillValid(req.id)) return;
  if (read && at && path.empty()) {  // fexecve: the program is the descriptor's file
    char target[kMaxPathBytes];
    const ssize_t n = readlink(fmt::format("/proc/{}/fd/{}", req.pid,
                                           static_cast<int>(req.data.args[0])).c_str(),
                               target, sizeof(target) - 1);
    path = n > 0 ? std::string(target, static_cast<size_t>(n)) : "";
  }
  if (!read || path.empty()) {
    start.argv.clear();  // fail closed: judged as a malformed start
  } else if (start.argv.empty()) {
    start.argv.push_back(path);
  } else {
    start.argv[0] = path;  // what runs, whatever argv[0] claims
  }
  if (Refused(req.id, Decide(std::move(start), static_cast<pid_t>(req.pid)))) return;
  Continue(req.id);
}

bool Supervisor::ReadAddressAndSocket(const seccomp_notif& req, sockaddr_storage* ss,
                                      socklen_t* len, Fd* socket) {
  const pid_t pid = static_cast<pid_t>(req.pid);
  *len = static_cast<socklen_t>(std::min<uint64_t>(req.data.args[2], sizeof(*ss)));
  const bool read = *len >= sizeof(sa_family_t) && Memory(pid).Read(req.data.args[1], ss, *len);
  *socket = TargetFd(pid, req.data.args[0]);
  if (!StillValid(req.id)) return false;
  if (read) return true;
  // Fail closed: an address that cannot be read is judged as malformed.
  if (!Refused(req.id, Decide(Connection{}, pid))) Fail(req.id, EFAULT);
  return false;
}

void Supervisor::OnConnect(const seccomp_notif& req) {
  const pid_t pid = static_cast<pid_t>(req.pid);
  const uint64_t fd = req.data.args[0];
  sockaddr_storage ss = {};
  socklen_t len = 0;
  Fd target;
  if (!ReadAddressAndSocket(req, &ss, &len, &target)) return;
  // Unix, netlink and other local families stay inside the sandbox's view.
  if (!IsInet(ss.ss_family)) return Continue(req.id);
  std::optional<Endpoint> to = Decode(ss, len);
  SocketInfo info;
  if (!to || !InfoOf(target.get(), &info)) {
    if (Refused(req.id, Decide(Connection{}, pid))) return;
    return Fail(req.id, EINVAL);
  }
  // A server of the sandbox's own: the connection cannot leave, so it is
  // no egress and proceeds inside.
  if (to->loopback && listening_.contains({to->port, info.type})) return Continue(req.id);
  Connection c{to->host, to->port, ProtocolName(info.type), Connection::Direction::kOutbound};
  if (Refused(req.id, Decide(std::move(c), pid))) return;

  // Allowed: reached from the caller's network namespace, from the address
  // just judged; the connected socket replaces the caller's. A blocking
  // connect bounded by SO_SNDTIMEO costs fewer calls than poll.
  Fd ours(socket(info.domain, info.type | SOCK_CLOEXEC, info.protocol));
  if (!ours.ok()) return Fail(req.id, errno);
  const int64_t us = absl::ToInt64Microseconds(options_.connect_timeout);
  const timeval limit = {static_cast<time_t>(us / 1000000), static_cast<suseconds_t>(us % 1000000)};
  setsockopt(ours.get(), SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof(limit));
  if (connect(ours.get(), reinterpret_cast<const sockaddr*>(&ss), len) != 0)
    return Fail(req.id, errno == EINPROGRESS ? ETIMEDOUT : errno);
  // The caller's blocking mode and the options it set before connecting
  // (SO_SNDTIMEO back to the caller's, whatever it is).
  const int caller_flags = fcntl(target.get(), F_GETFL);
  if (caller_flags >= 0 && (caller_flags & O_NONBLOCK)) fcntl(ours.get(), F_SETFL, O_NONBLOCK);
  constexpr std::pair<int, int> kCopied[] = {{SOL_SOCKET, SO_SNDTIMEO},
                                             {SOL_SOCKET, SO_RCVTIMEO},
                                             {IPPROTO_TCP, TCP_NODELAY},
                                             {SOL_SOCKET, SO_KEEPALIVE}};
  for (auto [level, name] : kCopied) {
    if (level == IPPROTO_TCP && info.type != SOCK_STREAM) continue;
    char value[32] = {};
    socklen_t n = sizeof(value);
    const bool unset = name != SO_SNDTIMEO && getsockopt(target.get(), level, name, value, &n) == 0 &&
                       std::all_of(value, value + n, [](char c) { return c == 0; });
    if (unset) continue;  // the default, as our socket has it
    if (name == SO_SNDTIMEO && getsockopt(target.get(), level, name, value, &n) != 0) continue;
    if (name != SO_SNDTIMEO && n == sizeof(value)) continue;  // getsockopt failed
    setsockopt(ours.get(), level, name, value, n);
  }
  seccomp_notif_addfd addfd = {};
  addfd.id = req.id;
  addfd.flags = SECCOMP_ADDFD_FLAG_SETFD;
  addfd.srcfd = static_cast<uint32_t>(ours.get());
  addfd.newfd = static_cast<uint32_t>(fd);
  addfd.newfd_flags = TargetFdIsCloexec(pid, fd) ? O_CLOEXEC : 0;
  if (ioctl(listener_, SECCOMP_IOCTL_NOTIF_ADDFD, &addfd) < 0) return Fail(req.id, ECONNABORTED);
  Succeed(req.id, 0);
}

void Supervisor::OnBind(const seccomp_notif& req) {
  const pid_t pid = static_cast<pid_t>(req.pid);
  sockaddr_storage ss = {};
  socklen_t len = 0;
  Fd target;
  if (!ReadAddressAndSocket(req, &ss, &len, &target)) return;
  if (!IsInet(ss.ss_family)) return Continue(req.id);
  std::optional<Endpoint> at = Decode(ss, len);
  SocketInfo info;
  const bool known = at && InfoOf(target.get(), &info);
  // A stream socket is judged when it listens; port 0 is a client's bind.
  if (known && (info.type == SOCK_STREAM || at->port == 0)) return Continue(req.id);
  Connection c;
  if (known) c = {at->host, at->port, ProtocolName(info.type), Connection::Direction::kListen};
  if (Refused(req.id, Decide(std::move(c), pid))) return;
  if (known) listening_.insert({at->port, info.type});
  Continue(req.id);
}

void Supervisor::OnListen(const seccomp_notif& req) {
  const pid_t pid = static_cast<pid_t>(req.pid);
  Fd target = TargetFd(pid, req.data.args[0]);
  if (!StillValid(req.id)) return;
  sockaddr_storage ss = {};
  socklen_t len = sizeof(ss);
  if (!target.ok() || getsockname(target.get(), reinterpret_cast<sockaddr*>(&ss), &len) != 0)
    return Continue(req.id);  // not a socket: listen fails by itself
  if (!IsInet(ss.ss_family)) return Continue(req.id);
  std::optional<Endpoint> at = Decode(ss, len);
  Connection c;
  if (at) c = {at->host, at->port, "tcp", Connection::Direction::kListen};
  if (Refused(req.id, Decide(std::move(c), pid))) return;
  if (at) listening_.insert({at->port, SOCK_STREAM});
  Continue(req.id);
}

void Supervisor::OnDatagram(const seccomp_notif& req) {
  const pid_t pid = static_cast<pid_t>(req.pid);
  const Memory mem(pid);
  // The destinations named, as (address, length) in the caller's memory.
  std::vector<std::pair<uint64_t, uint64_t>> names;
  bool read = true;
  if (req.data.nr == SYS_sendto) {
    names.emplace_back(req.data.args[4], req.data.args[5]);
  } else if (req.data.nr == SYS_sendmsg) {
    msghdr m = {};
    read = mem.Read(req.data.args[1], &m, sizeof(m));
    if (read && m.msg_name != nullptr)
      names.emplace_back(reinterpret_cast<uint64_t>(m.msg_name), m.msg_namelen);
  } else {
    const unsigned n = static_cast<unsigned>(std::min<uint64_t>(req.data.args[2], kMaxDatagramsJudged));
    for (unsigned i = 0; read && i < n; ++i) {
      mmsghdr m = {};
      read = mem.Read(req.data.args[1] + i * sizeof(mmsghdr), &m, sizeof(m));
      if (read && m.msg_hdr.msg_name != nullptr)
        names.emplace_back(reinterpret_cast<uint64_t>(m.msg_hdr.msg_name), m.msg_hdr.msg_namelen);
    }
    // More datagrams than are judged, with addresses: they do not go.
    if (read && req.data.args[2] > kMaxDatagramsJudged && !names.empty()) read = false;
  }
  std::vector<sockaddr_storage> addrs;
  for (auto [addr, n] : names) {
    sockaddr_storage ss = {};
    const socklen_t len = static_cast<socklen_t>(std::min<uint64_t>(n, sizeof(ss)));
    if (len < sizeof(sa_family_t) || !mem.Read(addr, &ss, len)) {
      read = false;
      break;
    }
    addrs.push_back(ss);
  }
  if (!StillValid(req.id)) return;
  if (!read) {
    if (Refused(req.id, Decide(Connection{}, pid))) return;
    return Fail(req.id, EFAULT);
  }
  // A send with an address is a datagram's (a connected stream ignores the
  // address): the socket is not looked up, which saves five system calls.
  const int type = SOCK_DGRAM;
  bool leaves = false;
  for (const sockaddr_storage& ss : addrs) {
    if (!IsInet(ss.ss_family)) continue;
    std::optional<Endpoint> to = Decode(ss, sizeof(ss));
    if (!to) continue;
    Connection c{to->host, to->port, ProtocolName(type),
                 Connection::Direction::kOutbound};
    if (Refused(req.id, Decide(std::move(c), pid))) return;
    leaves = leaves || !to->loopback;
  }
  // Allowed datagrams to loopback stay in the sandbox. The supervisor relays
  // connections only, so an allowed datagram to another host has no route:
  // a connected datagram socket (connect, then send) does reach it.
  if (leaves) return Fail(req.id, ENETUNREACH);
  Continue(req.id);
}

bool Supervisor::Refused(uint64_t id, Decision d) {
  // A killed run's caller is left waiting: it dies with the run, before it
  // could act on an answer (a shell would go on to its next command).
  if (d == kRefuse) Fail(id, EPERM);
  return d != kProceed;
}

bool Supervisor::StillValid(uint64_t id) {
  uint64_t copy = id;
  return ioctl(listener_, SECCOMP_IOCTL_NOTIF_ID_VALID, &copy) == 0;
}

void Supervisor::Continue(uint64_t id) {
  seccomp_notif_resp resp = {};
  resp.id = id;
  resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
  ioctl(listener_, SECCOMP_IOCTL_NOTIF_SEND, &resp);  // ENOENT: the caller is gone
}

void Supervisor::Fail(uint64_t id, int error) {
  seccomp_notif_resp resp = {};
  resp.id = id;
  resp.error = -error;
  ioctl(listener_, SECCOMP_IOCTL_NOTIF_SEND, &resp);
}

void Supervisor::Succeed(uint64_t id, int64_t value) {
  seccomp_notif_resp resp = {};
  resp.id = id;
  resp.val = value;
  ioctl(listener_, SECCOMP_IOCTL_NOTIF_SEND, &resp);
}

}  // namespace rewardguard::sandbox_internal
