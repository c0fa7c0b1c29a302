// The `rewardguard` command: flag parsing only; see commands.h.
#include <fstream>
#include <iostream>

#include "CLI/CLI.hpp"
#include "rewardguard/cli/commands.h"

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

  std::string policy_arg;
  CLI::App* policy = app.add_subcommand("policy", "work with policy files");
  policy->require_subcommand(1);
  CLI::App* lint = policy->add_subcommand("lint", "load and validate a policy");
  lint->add_option("policy", policy_arg, "built-in name or YAML file")->required();
  CLI::App* test = policy->add_subcommand("test", "run a policy's inline tests");
  test->add_option("policy", policy_arg, "built-in name or YAML file")->required();
  CLI::App* show = policy->add_subcommand("show", "print a policy and its taxonomy");
  show->add_option("policy", policy_arg, "built-in name or YAML file")->required();

  CLI11_PARSE(app, argc, argv);

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
