// rewardguard/core/tool_spec.h
//
// How a policy maps a tool's arguments to capabilities: the `tools:` section
// of a policy file, compiled. Produced by policy/, read by classify/, which is
// why it lives here, below both.
//
//   tools:
//     shell:    {analyzer: shell, command: $.command}
//     http_get: {capability: net.egress.http, url: $.url}
#ifndef REWARDGUARD_CORE_TOOL_SPEC_H_
#define REWARDGUARD_CORE_TOOL_SPEC_H_

#include <string>

#include "rewardguard/core/fact.h"

namespace rewardguard {

enum class Analyzer : unsigned char {
  kNone,   // the call is one fact with the spec's capability
  kShell,  // the `command` argument is analyzed as a shell command
};

struct ToolSpec {
  // Argument locations, as JSON pointers ("/url", "/args/0"); empty = absent.
  // Policy files write them as `$.url`, `$.args[0]`. `content`: the text a
  // write tool puts into `path` (remembered, see classify/file_memory.h).
  struct Arguments {
    std::string command, url, host, port, path, program, content;
  };

  std::string name;
  std::string capability;  // for kNone; "tool.call" if the file names none
  Analyzer analyzer = Analyzer::kNone;
  Arguments arguments;
};

}  // namespace rewardguard

#endif  // REWARDGUARD_CORE_TOOL_SPEC_H_
