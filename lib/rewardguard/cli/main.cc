// The `rewardguard` command: flag parsing only; see commands.h.
#include <fstream>
#include <iostream>

#include "CLI/CLI.hpp"
#include "rewardguard/cli/audit_commands.h"
#include "rewardguard/cli/commands.h"
#include "rewardguard/cli/sandbox_command.h"

int main(int argc, char** argv) {
  using rewardguard::Mode;
  CLI::App app{"rewardguard: policy-aware rewards for tool-using RL agents"};
  app.require_subcommand(1);

  rewardguard::EvalCommandOptions eval_options;
  std::string input = "-", output = "-", mode = "enforce";
  CLI::App* eval = app.add_subcommand("eval", "JSON Lines of tool calls in, JSON Lines of verdicts out");
  eval->add_option("--policy,-p", eval_options.policy, "built-in policy name or YAML file")
      ->capture_default_str();
  eval->add_option("--input,-i", input, "calls (JSON Lines); - for stdin")->capture_default_str();
  eval->add_option("--output,-o", output, "verdicts; - for stdout")->capture_default_str();
  eval->add_option("--mode", mode, "enforce or shadow")
      ->check(CLI::IsMember({"enforce", "shadow"}))->capture_default_str();
  eval->add_flag("--report", eval_options.report, "print a readable report instead of JSON Lines");
  eval->add_option("--audit", eval_options.audit_path, "record every verdict in this audit database (SQLite)");
  eval->add_option("--run", eval_options.run_name, "name of the audit run (default eval-<unix time>)");

  std::string policy_arg;
  CLI::App* policy = app.add_subcommand("policy", "work with policy files");
  policy->require_subcommand(1);
  CLI::App* lint = policy->add_subcommand("lint", "load and validate a policy");
  lint->add_option("policy", policy_arg, "built-in name or YAML file")->required();
  CLI::App* test = policy->add_subcommand("test", "run a policy's inline tests");
  test->add_option("policy", policy_arg, "built-in name or YAML file")->required();
  CLI::App* show = policy->add_subcommand("show", "print a policy and its taxonomy");
  show->add_option("policy", policy_arg, "built-in name or YAML file")->required();

  CLI::App* audit = app.add_subcommand("audit", "query an audit database");
  audit->require_subcommand(1);
  rewardguard::AuditSummaryOptions summary_options;
  CLI::App* summary = audit->add_subcommand("summary", "violations by rule, category and run; worst episodes");
  summary->add_option("db", summary_options.db, "audit database")->required();
  summary->add_option("--run", summary_options.run, "only this run (name or id)");
  summary->add_option("--top", summary_options.top, "offending episodes to list")->capture_default_str();
  rewardguard::AuditDiffOptions diff_options;
  CLI::App* diff = audit->add_subcommand("diff", "capabilities, tools and rules new or grown since a base run");
  diff->add_option("db", diff_options.db, "audit database")->required();
  diff->add_option("--base", diff_options.base, "base run (name or id)")->required();
  diff->add_option("--head", diff_options.head, "head run (name or id)")->required();
  diff->add_flag("--all", diff_options.all, "also list what did not grow");
  rewardguard::AuditExportOptions export_options;
  std::string export_output = "-";
  CLI::App* export_cmd = audit->add_subcommand("export", "every recorded event as JSON Lines or CSV");
  export_cmd->add_option("db", export_options.db, "audit database")->required();
  export_cmd->add_option("--format", export_options.format, "jsonl or csv")
      ->check(CLI::IsMember({"jsonl", "csv"}))->capture_default_str();
  export_cmd->add_option("--run", export_options.run, "only this run (name or id)");
  export_cmd->add_option("--output,-o", export_output, "file; - for stdout")->capture_default_str();

  rewardguard::AuditMergeOptions merge_options;
  CLI::App* merge = audit->add_subcommand("merge", "join audit databases into one (runs renumbered)");
  merge->add_option("out", merge_options.out, "output database (created if missing)")->required();
  merge->add_option("inputs", merge_options.inputs, "databases to copy, in order")->required();

  // Drawn with matplotlib: the Python package's `rewardguard` command has it.
  CLI::App* plot = audit->add_subcommand("plot", "violations over training steps (Python package)");
  plot->allow_extras();

  rewardguard::SandboxCommandOptions sandbox_options;
  std::string sandbox_mode = "enforce";
  CLI::App* sandbox = app.add_subcommand("sandbox", "run programs with every connect and exec judged");
  sandbox->require_subcommand(1);
  CLI::App* sandbox_run = sandbox->add_subcommand(
      "run", "run PROGRAM [ARGS...] (after --) in the sandbox; print one JSON object");
  sandbox_run->add_option("--policy,-p", sandbox_options.policy, "built-in policy name or YAML file")
      ->capture_default_str();
  sandbox_run->add_option("--workspace,-w", sandbox_options.workspace,
                          "directory mounted read-write (default: a private empty one)");
  sandbox_run->add_option("--read-only", sandbox_options.read_only, "further host paths shown read-only");
  sandbox_run->add_option("--timeout", sandbox_options.timeout_seconds, "wall-clock seconds")
      ->capture_default_str();
  sandbox_run->add_option("--max-output", sandbox_options.max_output_bytes, "bytes kept per stream")
      ->capture_default_str();
  sandbox_run->add_option("--mode", sandbox_mode, "enforce or shadow")
      ->check(CLI::IsMember({"enforce", "shadow"}))->capture_default_str();
  sandbox_run->add_option("--audit", sandbox_options.audit_path, "record the call and its observations (SQLite)");
  sandbox_run->add_option("--run", sandbox_options.run_name, "name of the audit run");
  sandbox_run->add_option("command", sandbox_options.argv, "PROGRAM [ARGS...]")->required();
  sandbox_run->prefix_command(false);

  CLI11_PARSE(app, argc, argv);

  if (*sandbox_run) {
    sandbox_options.mode = sandbox_mode == "shadow" ? Mode::kShadow : Mode::kEnforce;
    return rewardguard::RunSandboxCommand(sandbox_options, std::cout, std::cerr);
  }

  if (*plot) {
    std::cerr << "error: `audit plot` is part of the Python package: run "
                 "`rewardguard audit plot DB -o FILE.png` from its environment "
                 "(or `python -m rewardguard audit plot ...`)\n";
    return 2;
  }

  if (*summary) return rewardguard::RunAuditSummary(summary_options, std::cout, std::cerr);
  if (*diff) return rewardguard::RunAuditDiff(diff_options, std::cout, std::cerr);
  if (*merge) return rewardguard::RunAuditMerge(merge_options, std::cout, std::cerr);
  if (*export_cmd) {
    if (export_output == "-") return rewardguard::RunAuditExport(export_options, std::cout, std::cerr);
    std::ofstream file(export_output, std::ios::binary);
    if (!file) {
      std::cerr << "error: cannot open output `" << export_output << "`\n";
      return 2;
    }
    return rewardguard::RunAuditExport(export_options, file, std::cerr);
  }

  if (*eval) {
    eval_options.mode = mode == "shadow" ? Mode::kShadow : Mode::kEnforce;
    std::ifstream in_file;
    std::ofstream out_file;
    if (input != "-") {
      in_file.open(input);
      if (!in_file) {
        std::cerr << "error: cannot open input `" << input << "`\n";
        return 2;
      }
    }
    if (output != "-") {
      out_file.open(output);
      if (!out_file) {
        std::cerr << "error: cannot open output `" << output << "`\n";
        return 2;
      }
    }
    std::ios::sync_with_stdio(false);
    return rewardguard::RunEval(eval_options, input == "-" ? std::cin : in_file,
                                output == "-" ? std::cout : out_file, std::cerr);
  }
  if (*lint) return rewardguard::RunPolicyLint(policy_arg, std::cout, std::cerr);
  if (*test) return rewardguard::RunPolicyTest(policy_arg, std::cout, std::cerr);
  if (*show) return rewardguard::RunPolicyShow(policy_arg, std::cout, std::cerr);
  return 0;
}
