// The sandbox's overhead (docs/benchmarks.md, docs/sandbox.md): a program
// started bare and in the sandbox, and loops of supervised calls beside the
// same loops run bare, so that per-call costs are differences measured in
// one run. Traffic goes to loopback only.
//
//   build/bench/sandbox_benchmark
//   Spawn/bare, Spawn/sandbox            run /bin/true, wait for it
//   Spawn/sandbox_rlimits_only           the same without a cgroup (use_cgroup = false)
//   Datagrams/{bare,sandbox}/{0,1000}    python3 sending N loopback datagrams
//                                        (each judged, then proceeds inside)
//   Connects/{bare,sandbox}/{0,1000}     python3 opening N loopback TCP connections
//                                        (each judged, then made by the supervisor
//                                        and handed in)
// Per supervised call: (sandbox/1000 - sandbox/0 - (bare/1000 - bare/0)) / 1000.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "benchmark/benchmark.h"
#include "fmt/format.h"
#include "rewardguard/policy/loader.h"
#include "rewardguard/sandbox/judged_run.h"

extern char** environ;

namespace rewardguard {
namespace {

constexpr char kLoopbackPolicy[] = R"(version: 1
name: loopback-only
default: allow
rules:
  - id: egress
    match: net.egress
    unless: {host: ["127.0.0.1"]}
    action: block
)";

int RunBare(const std::vector<std::string>& argv) {
  std::vector<char*> ptrs;
  for (const std::string& a : argv) ptrs.push_back(const_cast<char*>(a.c_str()));
  ptrs.push_back(nullptr);
  pid_t pid;
  if (posix_spawn(&pid, ptrs[0], nullptr, nullptr, ptrs.data(), environ) != 0) return -1;
  int status = 0;
  waitpid(pid, &status, 0);
  return status;
}

// A loopback TCP server that accepts and closes, for the connect loops.
class Acceptor {
 public:
  Acceptor() {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a = {};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a));
    listen(fd_, 1024);
    socklen_t len = sizeof(a);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] {
      for (;;) {
        int c = accept(fd_, nullptr, nullptr);
        if (c < 0) return;
        close(c);
      }
    });
  }
  ~Acceptor() {
    shutdown(fd_, SHUT_RDWR);
    close(fd_);
    thread_.join();
  }
  int port() const { return port_; }

 private:
  int fd_ = -1, port_ = 0;
  std::thread thread_;
};

Acceptor& SharedAcceptor() {
  static Acceptor* a = new Acceptor();
  return *a;
}

struct Setup {
  PolicyPtr policy = *LoadPolicyText(kLoopbackPolicy, "loopback-only.yaml");
  Sandbox sandbox = *Sandbox::Create({});
  Sandbox rlimit_only = *Sandbox::Create({.use_cgroup = false});
};

Setup& Shared() {
  static Setup* s = new Setup();
  return *s;
}

void Run(benchmark::State& state, bool sandboxed, const std::vector<std::string>& argv,
         bool cgroup = true) {
  if (sandboxed && !Sandbox::Available().ok()) {
    state.SkipWithError(std::string(Sandbox::Available().message()).c_str());
    return;
  }
  Setup& s = Shared();
  Evaluator evaluator(s.policy, 1);
  EvaluatorJudge judge(&evaluator, 0);
  for (auto _ : state) {
    if (sandboxed) {
      absl::StatusOr<RunResult> r = (cgroup ? s.sandbox : s.rlimit_only).Run(argv, judge);
      if (!r.ok() || r->exit_code != 0) {
        state.SkipWithError(r.ok() ? r->stderr_text.c_str() : r.status().ToString().c_str());
        return;
      }
      evaluator.Reset(0);
    } else if (RunBare(argv) != 0) {
      state.SkipWithError("the program failed");
      return;
    }
  }
}

void Spawn(benchmark::State& state, bool sandboxed) { Run(state, sandboxed, {"/bin/true"}); }
void SpawnWithoutCgroup(benchmark::State& state) { Run(state, true, {"/bin/true"}, false); }

void Datagrams(benchmark::State& state, bool sandboxed) {
  const std::string code = fmt::format(
      "import socket\ns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
      "for _ in range({}): s.sendto(b'x', ('127.0.0.1', 9))\n",
      state.range(0));
  Run(state, sandboxed, {"/usr/bin/python3", "-S", "-c", code});
  state.counters["calls"] = static_cast<double>(state.range(0));
}

void Connects(benchmark::State& state, bool sandboxed) {
  const std::string code = fmt::format(
      "import socket\n"
      "for _ in range({}): socket.create_connection(('127.0.0.1', {})).close()\n",
      state.range(0), SharedAcceptor().port());
  Run(state, sandboxed, {"/usr/bin/python3", "-S", "-c", code});
  state.counters["calls"] = static_cast<double>(state.range(0));
}

BENCHMARK_CAPTURE(Spawn, bare, false)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(Spawn, sandbox, true)->Unit(benchmark::kMillisecond);
BENCHMARK(SpawnWithoutCgroup)->Name("Spawn/sandbox_rlimits_only")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(Datagrams, bare, false)->Arg(0)->Arg(1000)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(Datagrams, sandbox, true)->Arg(0)->Arg(1000)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(Connects, bare, false)->Arg(0)->Arg(1000)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(Connects, sandbox, true)->Arg(0)->Arg(1000)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace rewardguard

BENCHMARK_MAIN();
