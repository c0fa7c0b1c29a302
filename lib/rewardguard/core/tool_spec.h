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

#include <memory>
#include <string>
#include <vector>

#include "rewardguard/core/fact.h"

namespace rewardguard {

enum class Analyzer : unsigned char {
  kNone,   // the call is one fact with the spec's capability
  kShell,  // the `command` argument is analyzed as a shell command
};

// A command an agent harness runs itself before any shell sees it, sent
// through a shell tool (SWE-agent's `open FILE`, `edit 5:9` ... `end_of_edit`):
// the policy's `harness:` section, compiled. Judged as one fact with its
// capability instead of being analyzed as shell (classify/harness.h).
struct HarnessCommand {
  std::string name;        // the first word of the command line
  std::string capability;  // fs.read, fs.write, tool.call, ...
  int path_argument = 0;   // 1-based positional argument that names a path; 0: none
  std::string until;       // a block command's last line (its text is data); "": one line
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
  // kShell only: the policy's harness commands (shared by its shell tools).
  std::shared_ptr<const std::vector<HarnessCommand>> harness;
};

}  // namespace rewardguard

#endif  // REWARDGUARD_CORE_TOOL_SPEC_H_
