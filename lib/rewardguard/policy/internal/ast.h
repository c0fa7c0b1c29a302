// rewardguard/policy/internal/ast.h
//
// The parsed stage of a policy file: the YAML, checked for shape (known keys,
// types, required keys, value syntax that needs no context) but with names
// not yet resolved. Every value keeps its 1-based position so that the
// compiler can report errors where the user wrote them.
//
//   text --ParsePolicy--> PolicyAst --PolicyCompiler::Compile--> CompiledPolicy
#ifndef REWARDGUARD_POLICY_INTERNAL_AST_H_
#define REWARDGUARD_POLICY_INTERNAL_AST_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "rewardguard/core/action.h"
#include "rewardguard/core/limits.h"
#include "rewardguard/core/tool_spec.h"
#include "rewardguard/policy/compiled_policy.h"

namespace rewardguard {
namespace policy_internal {

// A scalar as written, with its position.
struct Text {
  std::string value;
  SourcePosition position;
};

// Conditions need no name resolution: the parser compiles them directly
// (CIDRs parsed, ports range-checked, regexes compiled).
struct ConditionAst {
  SourcePosition position;
  Condition condition;
};

struct ConsequenceAst {
  SourcePosition position;  // of the entry (the mapping)
  Text id;
  Action action = Action::kBlock;
  float penalty = 0.0f;
  std::optional<Text> category;
  std::string reason;
};

struct RuleAst : ConsequenceAst {
  Text match;
  std::optional<ConditionAst> when, unless;
};

struct BudgetAst : ConsequenceAst {
  Text match;
  std::optional<ConditionAst> when;
  int64_t max_per_episode = 0;
};

struct FlowAst : ConsequenceAst {
  Text after, then;
};

struct ToolAst {
  Text name;
  std::optional<Text> capability;
  ToolSpec spec;  // arguments already converted to JSON pointers
};

struct HarnessAst {
  Text name;
  Text capability;
  int path_argument = 0;
  std::string until;
};

struct TestAst {
  SourcePosition position;
  std::string tool;
  std::string arguments;  // JSON text
  Action expect = Action::kAllow;
  std::vector<Text> rules;
};

struct PolicyAst {
  SourcePosition position;  // of the top-level mapping
  int version = 1;
  std::string name;
  std::string description;
  Action default_action = Action::kBlock;
  float default_penalty = 0.0f;
  std::optional<Text> default_category;
  std::vector<Text> categories;
  std::vector<std::pair<Text, Text>> capabilities;  // child, parent
  std::vector<ToolAst> tools;
  std::vector<HarnessAst> harness;
  std::vector<RuleAst> rules;
  std::vector<BudgetAst> budgets;
  std::vector<FlowAst> flows;
  Limits limits;
  std::vector<TestAst> tests;
};

}  // namespace policy_internal
}  // namespace rewardguard

#endif  // REWARDGUARD_POLICY_INTERNAL_AST_H_
