// rewardguard/cli/sandbox_command.h
//
// `rewardguard sandbox run`: runs one program in the sandbox
// (sandbox/sandbox.h) with its text and everything it does judged by a
// policy, and prints one JSON object:
//
//   rewardguard sandbox run --policy coding-sandbox --workspace . -- python3 fetch.py
//   {"exit_code":1,"signal":0,"timed_out":false,"terminated":false,"ran":true,
//    "action":"block","penalty":1,"rules":["egress-allowlist"],...,
//    "static":{...the text's verdict...},
//    "observations":[{"kind":"net.connect","host":"203.0.113.5","port":443,
//                     "protocol":"tcp","direction":"outbound","prevented":true,
//                     "action":"block","penalty":1,"rules":[...],"reason":"..."}],
//    "stdout":"...","stderr":"...","limits":"cgroup v1","wall_ms":12.5}
//
// Exit codes: 0 the sandbox ran (whatever the program did; a call the text's
// verdict kept from running prints "ran":false), 2 the policy did not load,
// 3 the sandbox could not be set up (the reason on stderr: no user
// namespaces, no seccomp user notification, ...) or the audit database
// could not be written.
#ifndef REWARDGUARD_CLI_SANDBOX_COMMAND_H_
#define REWARDGUARD_CLI_SANDBOX_COMMAND_H_

#include <iosfwd>
#include <string>
#include <vector>

#include "rewardguard/eval/evaluator.h"

namespace rewardguard {

struct SandboxCommandOptions {
  std::string policy = "coding-sandbox";  // built-in name or file path
  Mode mode = Mode::kEnforce;
  std::string workspace;                  // default: a private empty directory
  std::vector<std::string> read_only;     // further host paths shown read-only
  double timeout_seconds = 60;
  int64_t max_output_bytes = 1 << 20;
  std::string audit_path;  // if set, the call and every observation are recorded there
  std::string run_name;    // the audit run's name; default "sandbox-<unix seconds>"
  std::vector<std::string> argv;  // the program and its arguments
};

int RunSandboxCommand(const SandboxCommandOptions& options, std::ostream& out,
                      std::ostream& err);

}  // namespace rewardguard

#endif  // REWARDGUARD_CLI_SANDBOX_COMMAND_H_
