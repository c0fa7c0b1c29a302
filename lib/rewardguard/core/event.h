// rewardguard/core/event.h
//
// An Event is anything the policy judges: a tool call the agent asked for, or
// an observation of what really happened when a call ran (a sandbox saw a
// connection or a process start, a monitor sampled a GPU). Observations are
// plain values, so a sandbox, a trace replayer and a Python caller all hand
// the judge the same thing.
//
//   Event call = ToolCall::Raw("shell", "ls");
//   Event seen = Connection{"203.0.113.5", 22};
//   Event exec = ProcessStart{{"/usr/bin/xmrig", "-o", "pool:3333"}};
#ifndef REWARDGUARD_CORE_EVENT_H_
#define REWARDGUARD_CORE_EVENT_H_

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "rewardguard/core/tool_call.h"

namespace rewardguard {

// A network connection attempt, a bound port or a listening socket.
struct Connection {
  enum class Direction : uint8_t {
    kOutbound,  // connect() or a datagram sent to `host`
    kInbound,   // a connection accepted from `host`
    kListen,    // bind()/listen() on `host` (the local address)
  };
  std::string host;   // IP literal or hostname, any case
  int32_t port = -1;  // -1 when unknown
  std::string protocol = "tcp";  // "tcp", "udp", "unix", ...
  Direction direction = Direction::kOutbound;
};

// A program about to start (execve): its argv as the kernel will see it.
struct ProcessStart {
  std::vector<std::string> argv;
};

// A GPU in use, as a monitor sampled it.
struct GpuSample {
  int32_t device = -1;        // -1 when unknown
  double utilization = -1;    // percent; -1 when unknown
  std::string process;        // executable path or name; may be empty
  int64_t pid = -1;
};

using Observation = std::variant<Connection, ProcessStart, GpuSample>;

// A tool call (a view: the caller keeps its bytes alive) or an observation.
using Event = std::variant<ToolCall, Connection, ProcessStart, GpuSample>;

}  // namespace rewardguard

#endif  // REWARDGUARD_CORE_EVENT_H_
