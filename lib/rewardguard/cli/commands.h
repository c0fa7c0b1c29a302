// rewardguard/cli/commands.h
//
// The subcommands of the `rewardguard` command, as functions over streams so
// that tests run them without a process. main.cc only parses flags.
//
//   rewardguard eval --policy coding-sandbox < calls.jsonl > verdicts.jsonl
//   rewardguard policy lint my-policy.yaml
//   rewardguard policy test my-policy.yaml
//
// Exit codes: 0 success; 1 `policy test` had failures; 2 the policy did not
// load (the error, with file:line:column, goes to `err`); 3 the audit
// database could not be written (`eval --audit`).
#ifndef REWARDGUARD_CLI_COMMANDS_H_
#define REWARDGUARD_CLI_COMMANDS_H_

#include <iosfwd>
#include <string>
#include <string_view>

#include "rewardguard/eval/evaluator.h"

namespace rewardguard {

struct EvalCommandOptions {
  std::string policy = "coding-sandbox";  // built-in name or file path
  Mode mode = Mode::kEnforce;
  bool report = false;  // a human-readable report instead of JSON Lines
  std::string audit_path;  // if set, every verdict is recorded there (audit/sqlite_sink.h)
  std::string run_name;    // the audit run's name; default "eval-<unix seconds>"
};

// Reads JSON Lines of tool calls from `in`:
//   {"tool": "http_get", "arguments": {"url": "..."}, "env": 0, "episode": 1, "step": 7}
// `arguments` is an object or a string (a JSON object in a string, or the raw
// value of a one-argument tool such as a shell command); env, episode and
// step are optional (default 0); a new episode number resets that env.
// Writes one verdict line per input line, in order:
//   {"action": "block", "penalty": 1, "rules": [...], "capabilities": [...],
//    "costs": {"network": 1}, "reason": "..."}
// A line that is not a valid call gets a `block` verdict with an "error"
// key; processing goes on. Blank lines are skipped.
// A line with a "type" field and no "tool" is a sandbox observation
// (classify/observation.h, docs/observations.md), judged as tool `sandbox`.
// The lines are judged by one Guard (guard/guard.h) whose envs are the env
// ids seen, its clock set from each line. With `audit_path`, each verdict is
// also recorded in that audit database; exit code 3 if it cannot be opened or
// written.
int RunEval(const EvalCommandOptions& options, std::istream& in,
            std::ostream& out, std::ostream& err);

// A verdict as one JSON object (no newline), the shape `eval` prints:
// action, penalty, rules, capabilities, costs, reason, and `error` if given.
std::string VerdictJson(const CompiledPolicy& policy, const Verdict& verdict,
                        std::string_view error = "");

// The policy `policy` names (a built-in name or a file path), or null after
// printing "error: <message>" to `err`: what every command does before it
// exits 2.
PolicyPtr LoadPolicyOrReport(const std::string& policy, std::ostream& err);

// Loads and validates a policy; prints a one-line summary.
int RunPolicyLint(const std::string& policy, std::ostream& out, std::ostream& err);

// Runs the policy's inline `tests:`, each on a fresh episode; prints one line
// per failure and "N passed, M failed".
int RunPolicyTest(const std::string& policy, std::ostream& out, std::ostream& err);

// Prints the policy's source text and its compiled taxonomy.
int RunPolicyShow(const std::string& policy, std::ostream& out, std::ostream& err);

}  // namespace rewardguard

#endif  // REWARDGUARD_CLI_COMMANDS_H_
