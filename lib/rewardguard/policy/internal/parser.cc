#include "rewardguard/policy/internal/parser.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/types/span.h"
#include "re2/re2.h"
#include "rewardguard/core/capabilities.h"
#include "rewardguard/core/fact.h"
#include "rewardguard/core/json.h"
#include "rewardguard/core/net.h"
#include "rewardguard/policy/internal/status.h"
#include "yaml-cpp/eventhandler.h"
#include "yaml-cpp/yaml.h"

namespace rewardguard {
namespace policy_internal {
namespace {

using Keys = absl::Span<const std::string_view>;

constexpr std::string_view kTopKeys[] = {
    "version",  "name",         "description", "default",
    "default_penalty", "default_category", "categories", "capabilities",
    "tools",    "harness",      "rules",       "budgets",
    "flows",    "limits",       "tests"};
constexpr std::string_view kHarnessKeys[] = {"capability", "path", "until"};
constexpr std::string_view kRuleKeys[] = {"id",     "match",   "when",
                                          "unless", "action",  "penalty",
                                          "category", "reason"};
constexpr std::string_view kBudgetKeys[] = {
    "id",      "match",    "when",  "max_per_episode", "action",
    "penalty", "category", "reason"};
constexpr std::string_view kFlowKeys[] = {"id",      "after",    "then",
                                          "action",  "penalty",  "category",
                                          "reason"};
constexpr std::string_view kConditionKeys[] = {
    "host", "cidr", "port", "path", "program", "tool", "regex"};
constexpr std::string_view kAttributeKeys[] = {"program", "host", "port",
                                               "path",    "url",  "command"};
constexpr std::string_view kToolKeys[] = {"capability", "analyzer", "command", "url",
                                          "host",       "port",     "path",    "program",
                                          "content"};
constexpr std::string_view kLimitKeys[] = {
    "max_argument_bytes", "max_shell_depth", "max_facts_per_call", "max_remembered_bytes"};
constexpr std::string_view kTestKeys[] = {"call", "expect", "rules"};
constexpr std::string_view kCallKeys[] = {"tool", "arguments"};

constexpr int kMaxJsonDepth = 128;
constexpr size_t kMaxJsonBytes = 16 << 20;

SourcePosition Pos(const YAML::Mark& mark) {
  return {mark.line < 0 ? 1 : mark.line + 1,
          mark.column < 0 ? 1 : mark.column + 1};
}

// How a value is described in "got ..." parts of messages.
std::string Describe(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: return "a mapping";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Scalar: return StrCat("`", node.Scalar(), "`");
    default: return "an empty value";
  }
}

bool IsPlain(const YAML::Node& node) { return node.Tag() == "?"; }

// One `key: value` of a mapping. `pos` is the value's position, or the key's
// when the value is empty (yaml-cpp marks an empty value at the next token).
struct Entry {
  std::string key;
  YAML::Node value;
  SourcePosition key_pos, pos;
};

struct Fields {
  std::string what;  // "rule", "policy", ... for messages
  SourcePosition position;
  std::vector<Entry> entries;

  const Entry* Find(std::string_view key) const {
    for (const Entry& e : entries) {
      if (e.key == key) return &e;
    }
    return nullptr;
  }
};

class Parser {
 public:
  explicit Parser(std::string_view source) : source_(source) {}

  absl::StatusOr<PolicyAst> Parse(std::string_view text);

 private:
  absl::Status Error(SourcePosition pos, std::string_view message) const {
    return ErrorAt(source_, pos, message);
  }

  // Reads a mapping whose keys must all be in `allowed`.
  absl::Status ReadMap(const YAML::Node& node, SourcePosition pos,
                       std::string_view what, Keys allowed, Fields* out) const;
  absl::Status Required(const Fields& fields, std::string_view key,
                        const Entry** out) const;

  absl::Status GetString(const Entry& e, bool allow_empty,
                         std::string* out) const;
  absl::Status GetText(const Entry& e, Text* out) const;
  absl::Status GetAction(const Entry& e, Action* out) const;
  absl::Status GetPenalty(const Entry& e, float* out) const;
  absl::Status GetInt(const Entry& e, int64_t min, int64_t max,
                      std::string_view expected, int64_t* out) const;
  // A scalar or a list of scalars.
  absl::Status GetTextList(const Entry& e, std::vector<Text>* out) const;

  absl::Status ParseConsequence(const Fields& f, ConsequenceAst* out) const;
  absl::Status ParseCondition(const Entry& e, ConditionAst* out) const;
  absl::Status ParseRule(const YAML::Node& node, RuleAst* out) const;
  absl::Status ParseBudget(const YAML::Node& node, BudgetAst* out) const;
  absl::Status ParseFlow(const YAML::Node& node, FlowAst* out) const;
  absl::Status ParseTool(const Entry& e, ToolAst* out) const;
  absl::Status ParseHarnessCommand(const Entry& e, HarnessAst* out) const;
  // A `key:` whose value is a mapping of `name: spec`, the names free.
  absl::Status ReadNamedMap(const Entry& e, std::string_view what, Fields* out) const;
  absl::Status ParseTest(const YAML::Node& node, TestAst* out) const;
  absl::Status ParseLimits(const Entry& e, Limits* out) const;
  absl::Status ParseCapabilities(const Entry& e, PolicyAst* ast) const;

  // A `key:` whose value must be a list; calls `item` on each element.
  template <typename F>
  absl::Status ForEachItem(const Entry& e, F item) const;

  absl::Status ToJson(const YAML::Node& node, int depth,
                      std::string* out) const;

  std::string source_;
};

absl::Status Parser::ReadMap(const YAML::Node& node, SourcePosition pos,
                             std::string_view what, Keys allowed,
                             Fields* out) const {
  out->what = std::string(what);
  out->position = pos;
  if (!node.IsMap()) {
    return Error(pos, StrCat("expected a mapping for ", what, ", got ",
                                   Describe(node)));
  }
  for (auto it = node.begin(); it != node.end(); ++it) {
    const YAML::Node key = it->first;
    SourcePosition key_pos = Pos(key.Mark());
    if (!key.IsScalar()) {
      return Error(key_pos, StrCat("expected a string key in ", what,
                                         ", got ", Describe(key)));
    }
    const std::string& name = key.Scalar();
    if (const Entry* first = out->Find(name)) {
      return Error(key_pos,
                   StrCat("duplicate key `", name, "` in ", what,
                                "; first defined at ", first->key_pos.line,
                                ":", first->key_pos.column));
    }
    bool known = false;
    for (std::string_view k : allowed) known = known || k == name;
    if (!known) {
      return Error(key_pos, StrCat("unknown key `", name, "` in ", what,
                                         "; expected one of: ",
                                         StrJoin(allowed, ", ")));
    }
    const YAML::Node value = it->second;
    out->entries.push_back(
        {name, value, key_pos, value.IsNull() ? key_pos : Pos(value.Mark())});
  }
  return absl::OkStatus();
}

absl::Status Parser::Required(const Fields& fields, std::string_view key,
                              const Entry** out) const {
  *out = fields.Find(key);
  if (*out != nullptr) return absl::OkStatus();
  return Error(fields.position, StrCat("missing required key `", key,
                                             "` in ", fields.what));
}

absl::Status Parser::GetString(const Entry& e, bool allow_empty,
                               std::string* out) const {
  if (!e.value.IsScalar() || (!allow_empty && e.value.Scalar().empty())) {
    return Error(e.pos, StrCat("expected a ",
                                     allow_empty ? "" : "non-empty ",
                                     "string for `", e.key, "`, got ",
                                     Describe(e.value)));
  }
  *out = e.value.Scalar();
  return absl::OkStatus();
}

absl::Status Parser::GetText(const Entry& e, Text* out) const {
  out->position = e.pos;
  return GetString(e, /*allow_empty=*/false, &out->value);
}

absl::Status Parser::GetAction(const Entry& e, Action* out) const {
  std::optional<Action> action;
  if (e.value.IsScalar()) action = ParseAction(e.value.Scalar());
  if (!action) {
    constexpr std::string_view kExpected =
        "expected one of: allow, warn, penalize, block, terminate";
    if (e.value.IsScalar()) {
      return Error(e.pos, StrCat("unknown action ", Describe(e.value),
                                       " for `", e.key, "`; ", kExpected));
    }
    return Error(e.pos, StrCat("expected an action for `", e.key,
                                     "`, got ", Describe(e.value), "; ",
                                     kExpected));
  }
  *out = *action;
  return absl::OkStatus();
}

absl::Status Parser::GetPenalty(const Entry& e, float* out) const {
  double v = 0;
  if (!e.value.IsScalar() || !absl::SimpleAtod(e.value.Scalar(), &v) ||
      !std::isfinite(v) || v < 0 || !std::isfinite(static_cast<float>(v))) {
    return Error(e.pos, StrCat("expected a finite number >= 0 for `",
                                     e.key, "`, got ", Describe(e.value)));
  }
  *out = static_cast<float>(v);
  return absl::OkStatus();
}

absl::Status Parser::GetInt(const Entry& e, int64_t min, int64_t max,
                            std::string_view expected, int64_t* out) const {
  int64_t v = 0;
  if (!e.value.IsScalar() || !absl::SimpleAtoi(e.value.Scalar(), &v) ||
      v < min || v > max) {
    return Error(e.pos, StrCat("expected ", expected, " for `", e.key,
                                     "`, got ", Describe(e.value)));
  }
  *out = v;
  return absl::OkStatus();
}

absl::Status Parser::GetTextList(const Entry& e,
                                 std::vector<Text>* out) const {
  auto one = [&](const YAML::Node& n, SourcePosition pos) -> absl::Status {
    if (!n.IsScalar() || n.Scalar().empty()) {
      return Error(pos, StrCat("expected a non-empty string in `", e.key,
                                     "`, got ", Describe(n)));
    }
    out->push_back({n.Scalar(), pos});
    return absl::OkStatus();
  };
  if (e.value.IsSequence()) {
    if (e.value.size() == 0) {
      return Error(e.pos, StrCat("expected at least one value for `",
                                       e.key, "`, got an empty list"));
    }
    for (const YAML::Node& item : e.value) {
      RG_POLICY_RETURN_IF_ERROR(one(item, Pos(item.Mark())));
    }
    return absl::OkStatus();
  }
  return one(e.value, e.pos);
}

template <typename F>
absl::Status Parser::ForEachItem(const Entry& e, F item) const {
  if (!e.value.IsSequence()) {
    return Error(e.pos, StrCat("expected a list for `", e.key,
                                     "`, got ", Describe(e.value)));
  }
  for (const YAML::Node& n : e.value) RG_POLICY_RETURN_IF_ERROR(item(n));
  return absl::OkStatus();
}

absl::Status Parser::ParseConsequence(const Fields& f,
                                      ConsequenceAst* out) const {
  out->position = f.position;
  const Entry* e = nullptr;
  RG_POLICY_RETURN_IF_ERROR(Required(f, "id", &e));
  RG_POLICY_RETURN_IF_ERROR(GetText(*e, &out->id));
  RG_POLICY_RETURN_IF_ERROR(Required(f, "action", &e));
  RG_POLICY_RETURN_IF_ERROR(GetAction(*e, &out->action));
  if ((e = f.Find("penalty"))) {
    RG_POLICY_RETURN_IF_ERROR(GetPenalty(*e, &out->penalty));
  }
  if ((e = f.Find("category"))) {
    out->category.emplace();
    RG_POLICY_RETURN_IF_ERROR(GetText(*e, &*out->category));
  }
  if ((e = f.Find("reason"))) {
    RG_POLICY_RETURN_IF_ERROR(GetString(*e, true, &out->reason));
  }
  return absl::OkStatus();
}

absl::Status Parser::ParseCondition(const Entry& e, ConditionAst* out) const {
  out->position = e.pos;
  Fields f;
  RG_POLICY_RETURN_IF_ERROR(ReadMap(e.value, e.pos,
                                    StrCat("condition `", e.key, "`"),
                                    kConditionKeys, &f));
  Condition& c = out->condition;
  for (const Entry& k : f.entries) {
    if (k.key == "regex") {
      Fields rf;
      RG_POLICY_RETURN_IF_ERROR(
          ReadMap(k.value, k.pos, "`regex`", kAttributeKeys, &rf));
      for (const Entry& r : rf.entries) {
        Condition::Regex regex;
        ParseAttribute(r.key, &regex.attribute);  // the key was checked
        Text pattern;
        pattern.position = r.pos;
        RG_POLICY_RETURN_IF_ERROR(GetString(r, true, &pattern.value));
        RE2::Options options;
        options.set_log_errors(false);
        regex.re = std::make_unique<RE2>(pattern.value, options);
        if (!regex.re->ok()) {
          return Error(r.pos, StrCat("invalid regex `", pattern.value,
                                           "` for `", r.key,
                                           "`: ", regex.re->error()));
        }
        c.regexes.push_back(std::move(regex));
      }
      continue;
    }
    std::vector<Text> items;
    RG_POLICY_RETURN_IF_ERROR(GetTextList(k, &items));
    for (Text& t : items) {
      if (k.key == "host") {
        c.hosts.push_back(std::move(t.value));
      } else if (k.key == "cidr") {
        std::optional<Cidr> cidr = ParseCidr(t.value);
        if (!cidr) {
          return Error(t.position,
                       StrCat("invalid cidr `", t.value,
                                    "`; expected an ip address or "
                                    "`address/prefix`, e.g. `10.0.0.0/8`"));
        }
        c.cidrs.push_back(*cidr);
      } else if (k.key == "port") {
        std::string_view text = t.value;
        size_t dash = text.find('-');
        std::optional<int> lo = ParsePort(text.substr(0, dash));
        std::optional<int> hi =
            dash == std::string_view::npos ? lo
                                           : ParsePort(text.substr(dash + 1));
        if (!lo || !hi || *lo > *hi) {
          return Error(t.position,
                       StrCat("invalid port `", t.value,
                                    "`; expected a port 0-65535 or a range "
                                    "`lo-hi` with lo <= hi"));
        }
        c.ports.push_back({*lo, *hi});
      } else if (k.key == "path") {
        c.paths.push_back(std::move(t.value));
      } else if (k.key == "program") {
        c.programs.push_back(std::move(t.value));
      } else if (k.key == "tool") {
        c.tools.push_back(std::move(t.value));
      }
    }
  }
  return absl::OkStatus();
}

absl::Status Parser::ParseRule(const YAML::Node& node, RuleAst* out) const {
  Fields f;
  RG_POLICY_RETURN_IF_ERROR(
      ReadMap(node, Pos(node.Mark()), "rule", kRuleKeys, &f));
  RG_POLICY_RETURN_IF_ERROR(ParseConsequence(f, out));
  const Entry* e = nullptr;
  RG_POLICY_RETURN_IF_ERROR(Required(f, "match", &e));
  RG_POLICY_RETURN_IF_ERROR(GetText(*e, &out->match));
  if ((e = f.Find("when"))) {
    RG_POLICY_RETURN_IF_ERROR(ParseCondition(*e, &out->when.emplace()));
  }
  if ((e = f.Find("unless"))) {
    RG_POLICY_RETURN_IF_ERROR(ParseCondition(*e, &out->unless.emplace()));
  }
  return absl::OkStatus();
}

absl::Status Parser::ParseBudget(const YAML::Node& node,
                                 BudgetAst* out) const {
  Fields f;
  RG_POLICY_RETURN_IF_ERROR(
      ReadMap(node, Pos(node.Mark()), "budget", kBudgetKeys, &f));
  RG_POLICY_RETURN_IF_ERROR(ParseConsequence(f, out));
  const Entry* e = nullptr;
  RG_POLICY_RETURN_IF_ERROR(Required(f, "match", &e));
  RG_POLICY_RETURN_IF_ERROR(GetText(*e, &out->match));
  RG_POLICY_RETURN_IF_ERROR(Required(f, "max_per_episode", &e));
  RG_POLICY_RETURN_IF_ERROR(GetInt(*e, 0, std::numeric_limits<int64_t>::max(),
                                   "an integer >= 0", &out->max_per_episode));
  if ((e = f.Find("when"))) {
    RG_POLICY_RETURN_IF_ERROR(ParseCondition(*e, &out->when.emplace()));
  }
  return absl::OkStatus();
}

absl::Status Parser::ParseFlow(const YAML::Node& node, FlowAst* out) const {
  Fields f;
  RG_POLICY_RETURN_IF_ERROR(
      ReadMap(node, Pos(node.Mark()), "flow", kFlowKeys, &f));
  RG_POLICY_RETURN_IF_ERROR(ParseConsequence(f, out));
  const Entry* e = nullptr;
  RG_POLICY_RETURN_IF_ERROR(Required(f, "after", &e));
  RG_POLICY_RETURN_IF_ERROR(GetText(*e, &out->after));
  RG_POLICY_RETURN_IF_ERROR(Required(f, "then", &e));
  RG_POLICY_RETURN_IF_ERROR(GetText(*e, &out->then));
  return absl::OkStatus();
}

absl::Status Parser::ParseTool(const Entry& e, ToolAst* out) const {
  out->name = {e.key, e.key_pos};
  out->spec.name = e.key;
  Fields f;
  RG_POLICY_RETURN_IF_ERROR(ReadMap(
      e.value, e.pos, StrCat("tool spec `", e.key, "`"), kToolKeys, &f));
  bool shell = false;
  for (const Entry& k : f.entries) {
    if (k.key == "capability") {
      RG_POLICY_RETURN_IF_ERROR(GetText(k, &out->capability.emplace()));
      continue;
    }
    std::string value;
    RG_POLICY_RETURN_IF_ERROR(GetString(k, false, &value));
    if (k.key == "analyzer") {
      if (value != "none" && value != "shell") {
        return Error(k.pos, StrCat("unknown analyzer `", value,
                                         "`; expected one of: none, shell"));
      }
      shell = value == "shell";
      out->spec.analyzer = shell ? Analyzer::kShell : Analyzer::kNone;
      continue;
    }
    std::optional<std::string> pointer = ArgumentPathToJsonPointer(value);
    if (!pointer) {
      return Error(k.pos, StrCat(
                              "invalid argument path `", value, "` for `",
                              k.key,
                              "`; expected `$` followed by `.key` or `[index]` "
                              "segments, e.g. `$.args[0]`"));
    }
    ToolSpec::Arguments& a = out->spec.arguments;
    std::string* slot = k.key == "command" ? &a.command
                        : k.key == "url"   ? &a.url
                        : k.key == "host"  ? &a.host
                        : k.key == "port"  ? &a.port
                        : k.key == "path"  ? &a.path
                        : k.key == "content" ? &a.content
                                           : &a.program;
    *slot = std::move(*pointer);
  }
  if (shell && out->spec.arguments.command.empty()) {
    return Error(e.pos, StrCat("missing required key `command` in tool "
                                     "spec `", e.key,
                                     "`; `analyzer: shell` analyzes the "
                                     "argument it names"));
  }
  if (shell && out->capability) {
    return Error(out->capability->position,
                 StrCat("unexpected `capability` in tool spec `", e.key,
                              "`; with `analyzer: shell` the capabilities "
                              "come from the command"));
  }
  return absl::OkStatus();
}

absl::Status Parser::ParseHarnessCommand(const Entry& e, HarnessAst* out) const {
  out->name = {e.key, e.key_pos};
  Fields f;
  RG_POLICY_RETURN_IF_ERROR(ReadMap(e.value, e.pos, StrCat("harness command `", e.key, "`"),
                                    kHarnessKeys, &f));
  const Entry* capability = nullptr;
  RG_POLICY_RETURN_IF_ERROR(Required(f, "capability", &capability));
  RG_POLICY_RETURN_IF_ERROR(GetText(*capability, &out->capability));
  if (const Entry* path = f.Find("path")) {
    int64_t n = 0;
    RG_POLICY_RETURN_IF_ERROR(
        GetInt(*path, 1, 16, "the 1-based position of the argument that names a path (1..16)", &n));
    out->path_argument = static_cast<int>(n);
  }
  if (const Entry* until = f.Find("until")) {
    RG_POLICY_RETURN_IF_ERROR(GetString(*until, false, &out->until));
  }
  return absl::OkStatus();
}

absl::Status Parser::ReadNamedMap(const Entry& e, std::string_view what, Fields* out) const {
  if (!e.value.IsMap()) {
    return Error(e.pos, StrCat("expected a mapping of `name: spec` for ", what, ", got ",
                               Describe(e.value)));
  }
  std::vector<std::string> name_storage;
  for (auto it = e.value.begin(); it != e.value.end(); ++it) {
    if (it->first.IsScalar()) name_storage.push_back(it->first.Scalar());
  }
  std::vector<std::string_view> names(name_storage.begin(), name_storage.end());
  return ReadMap(e.value, e.pos, what, names, out);
}

// JSON text of a YAML value: mappings, lists, and plain scalars typed as
// YAML's core schema does (null, booleans, numbers); everything else a string.
absl::Status Parser::ToJson(const YAML::Node& node, int depth,
                            std::string* out) const {
  SourcePosition pos = Pos(node.Mark());
  if (depth > kMaxJsonDepth || out->size() > kMaxJsonBytes) {
    return Error(pos, "test arguments nested too deeply or too large");
  }
  auto quote = [out](std::string_view s) { AppendJsonString(out, s); };
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      out->push_back('{');
      std::vector<std::pair<std::string, SourcePosition>> seen;
      for (auto it = node.begin(); it != node.end(); ++it) {
        const YAML::Node key_node = it->first;
        const YAML::Node value = it->second;
        SourcePosition key_pos = Pos(key_node.Mark());
        if (!key_node.IsScalar()) {
          return Error(key_pos, StrCat("expected a string key in test "
                                             "arguments, got ",
                                             Describe(key_node)));
        }
        const std::string& key = key_node.Scalar();
        for (const auto& [k, p] : seen) {
          if (k == key) {
            return Error(key_pos, StrCat("duplicate key `", key,
                                               "` in test arguments; first "
                                               "defined at ",
                                               p.line, ":", p.column));
          }
        }
        seen.emplace_back(key, key_pos);
        if (seen.size() > 1) out->push_back(',');
        quote(key);
        out->push_back(':');
        RG_POLICY_RETURN_IF_ERROR(ToJson(value, depth + 1, out));
      }
      out->push_back('}');
      return absl::OkStatus();
    }
    case YAML::NodeType::Sequence: {
      out->push_back('[');
      bool first = true;
      for (const YAML::Node& item : node) {
        if (!first) out->push_back(',');
        first = false;
        RG_POLICY_RETURN_IF_ERROR(ToJson(item, depth + 1, out));
      }
      out->push_back(']');
      return absl::OkStatus();
    }
    case YAML::NodeType::Scalar:
      break;
    default:
      out->append("null");
      return absl::OkStatus();
  }
  const std::string& s = node.Scalar();
  if (!IsPlain(node)) {
    quote(s);
    return absl::OkStatus();
  }
  if (s == "~" || s == "null" || s == "Null" || s == "NULL") {
    out->append("null");
  } else if (s == "true" || s == "True" || s == "TRUE") {
    out->append("true");
  } else if (s == "false" || s == "False" || s == "FALSE") {
    out->append("false");
  } else if (static RE2* const kJsonNumber =
                 new RE2(R"(-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?)");
             RE2::FullMatch(s, *kJsonNumber)) {
    out->append(s);
  } else if (int64_t v = 0;
             RE2::FullMatch(s, R"([-+]?[0-9]+)") && absl::SimpleAtoi(s, &v)) {
    out->append(std::to_string(v));  // YAML ints JSON does not spell: "+1", "007"
  } else {
    quote(s);
  }
  return absl::OkStatus();
}

absl::Status Parser::ParseTest(const YAML::Node& node, TestAst* out) const {
  Fields f;
  out->position = Pos(node.Mark());
  RG_POLICY_RETURN_IF_ERROR(ReadMap(node, out->position, "test", kTestKeys, &f));
  const Entry* e = nullptr;
  RG_POLICY_RETURN_IF_ERROR(Required(f, "call", &e));
  Fields call;
  RG_POLICY_RETURN_IF_ERROR(
      ReadMap(e->value, e->pos, "test `call`", kCallKeys, &call));
  RG_POLICY_RETURN_IF_ERROR(Required(call, "tool", &e));
  RG_POLICY_RETURN_IF_ERROR(GetString(*e, false, &out->tool));
  if ((e = call.Find("arguments"))) {
    if (e->value.IsMap()) {
      RG_POLICY_RETURN_IF_ERROR(ToJson(e->value, 0, &out->arguments));
    } else if (e->value.IsScalar()) {
      // A raw string (a shell command): stored as a JSON string literal.
      AppendJsonString(&out->arguments, e->value.Scalar());
    } else {
      return Error(e->pos, StrCat("expected a mapping or a string for "
                                        "`arguments`, got ",
                                        Describe(e->value)));
    }
  } else {
    out->arguments = "{}";
  }
  RG_POLICY_RETURN_IF_ERROR(Required(f, "expect", &e));
  RG_POLICY_RETURN_IF_ERROR(GetAction(*e, &out->expect));
  if ((e = f.Find("rules"))) {
    RG_POLICY_RETURN_IF_ERROR(GetTextList(*e, &out->rules));
  }
  return absl::OkStatus();
}

absl::Status Parser::ParseLimits(const Entry& e, Limits* out) const {
  Fields f;
  RG_POLICY_RETURN_IF_ERROR(ReadMap(e.value, e.pos, "`limits`", kLimitKeys, &f));
  constexpr int64_t kInt32Max = std::numeric_limits<int32_t>::max();
  for (const Entry& k : f.entries) {
    int64_t v = 0;
    bool is_bytes = k.key == "max_argument_bytes" || k.key == "max_remembered_bytes";
    bool is_depth = k.key == "max_shell_depth";
    RG_POLICY_RETURN_IF_ERROR(
        is_depth ? GetInt(k, 1, kMaxShellDepthCeiling,
                          StrCat("a positive integer at most ", kMaxShellDepthCeiling), &v)
                 : GetInt(k, 1, is_bytes ? std::numeric_limits<int64_t>::max() : kInt32Max,
                          "a positive integer", &v));
    if (k.key == "max_remembered_bytes") {
      out->max_remembered_bytes = v;
    } else if (is_bytes) {
      out->max_argument_bytes = v;
    } else if (k.key == "max_shell_depth") {
      out->max_shell_depth = static_cast<int32_t>(v);
    } else {
      out->max_facts_per_call = static_cast<int32_t>(v);
    }
  }
  return absl::OkStatus();
}

absl::Status Parser::ParseCapabilities(const Entry& e, PolicyAst* ast) const {
  if (!e.value.IsMap()) {
    return Error(e.pos, StrCat("expected a mapping of `child: parent` "
                                     "for `capabilities`, got ",
                                     Describe(e.value)));
  }
  Fields f;
  // Any key is allowed; ReadMap still checks for duplicates.
  std::vector<std::string_view> keys;
  std::vector<std::string> key_storage;
  for (auto it = e.value.begin(); it != e.value.end(); ++it) {
    const YAML::Node key = it->first;
    if (key.IsScalar()) key_storage.push_back(key.Scalar());
  }
  for (const std::string& k : key_storage) keys.push_back(k);
  RG_POLICY_RETURN_IF_ERROR(ReadMap(e.value, e.pos, "`capabilities`", keys, &f));
  for (const Entry& k : f.entries) {
    if (!IsValidCapabilityName(k.key)) {
      return Error(k.key_pos,
                   StrCat("invalid capability name `", k.key,
                                "`; expected lowercase segments of [a-z0-9_] "
                                "separated by single dots"));
    }
    Text parent;
    RG_POLICY_RETURN_IF_ERROR(GetText(k, &parent));
    ast->capabilities.emplace_back(Text{k.key, k.key_pos}, std::move(parent));
  }
  return absl::OkStatus();
}

// Records where each document's root node starts, nothing else.
class DocumentMarks : public YAML::EventHandler {
 public:
  std::vector<YAML::Mark> roots;

  void OnDocumentStart(const YAML::Mark&) override { in_root_ = true; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& m, YAML::anchor_t) override { Node(m); }
  void OnAlias(const YAML::Mark& m, YAML::anchor_t) override { Node(m); }
  void OnScalar(const YAML::Mark& m, const std::string&, YAML::anchor_t,
                const std::string&) override { Node(m); }
  void OnSequenceStart(const YAML::Mark& m, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override { Node(m); }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark& m, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override { Node(m); }
  void OnMapEnd() override {}

 private:
  void Node(const YAML::Mark& m) {
    if (in_root_) roots.push_back(m);
    in_root_ = false;
  }
  bool in_root_ = false;
};

absl::StatusOr<PolicyAst> Parser::Parse(std::string_view text) {
  // yaml-cpp 0.7's LoadAll() never returns on a stray top-level `,` (its
  // parser yields the same empty document forever and LoadAll allocates
  // one node per turn: jbeder/yaml-cpp#1040, fixed upstream by #1319). So
  // count at most two documents with a loop of our own, then Load() the
  // first: a policy is one document.
  YAML::Node root;
  try {
    std::istringstream in{std::string(text)};
    YAML::Parser parser(in);
    DocumentMarks marks;
    while (marks.roots.size() < 2 && parser.HandleNextDocument(marks)) {
    }
    if (marks.roots.size() == 2 &&
        marks.roots[0].pos == marks.roots[1].pos) {  // no progress: stuck
      return Error(Pos(marks.roots[0]), "invalid yaml: unexpected token");
    }
    if (marks.roots.size() > 1) {
      return Error(Pos(marks.roots[1]),
                   "expected a single yaml document, found another");
    }
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return Error(Pos(e.mark), StrCat("invalid yaml: ", e.msg));
  }
  if (!root.IsDefined() || root.IsNull()) {
    return Error({1, 1}, "empty policy; expected a mapping with `version`, "
                         "`name` and `default`");
  }
  PolicyAst ast;
  ast.position = Pos(root.Mark());
  if (!root.IsMap()) {
    return Error(ast.position, StrCat("expected a mapping at the top "
                                            "level, got ",
                                            Describe(root)));
  }
  Fields f;
  RG_POLICY_RETURN_IF_ERROR(ReadMap(root, ast.position, "policy", kTopKeys, &f));

  const Entry* e = nullptr;
  RG_POLICY_RETURN_IF_ERROR(Required(f, "version", &e));
  int64_t version = 0;
  RG_POLICY_RETURN_IF_ERROR(GetInt(*e, std::numeric_limits<int64_t>::min(),
                                   std::numeric_limits<int64_t>::max(),
                                   "an integer", &version));
  if (version != 1) {
    return Error(e->pos, StrCat("unsupported version `", version,
                                      "`; expected 1"));
  }
  ast.version = 1;
  RG_POLICY_RETURN_IF_ERROR(Required(f, "name", &e));
  RG_POLICY_RETURN_IF_ERROR(GetString(*e, false, &ast.name));
  RG_POLICY_RETURN_IF_ERROR(Required(f, "default", &e));
  RG_POLICY_RETURN_IF_ERROR(GetAction(*e, &ast.default_action));

  for (const Entry& k : f.entries) {
    const std::string& key = k.key;
    if (key == "description") {
      RG_POLICY_RETURN_IF_ERROR(GetString(k, true, &ast.description));
    } else if (key == "default_penalty") {
      RG_POLICY_RETURN_IF_ERROR(GetPenalty(k, &ast.default_penalty));
    } else if (key == "default_category") {
      RG_POLICY_RETURN_IF_ERROR(GetText(k, &ast.default_category.emplace()));
    } else if (key == "categories") {
      RG_POLICY_RETURN_IF_ERROR(GetTextList(k, &ast.categories));
    } else if (key == "capabilities") {
      RG_POLICY_RETURN_IF_ERROR(ParseCapabilities(k, &ast));
    } else if (key == "tools") {
      Fields tools;
      RG_POLICY_RETURN_IF_ERROR(ReadNamedMap(k, "`tools`", &tools));
      for (const Entry& t : tools.entries) {
        RG_POLICY_RETURN_IF_ERROR(ParseTool(t, &ast.tools.emplace_back()));
      }
    } else if (key == "harness") {
      Fields commands;
      RG_POLICY_RETURN_IF_ERROR(ReadNamedMap(k, "`harness`", &commands));
      for (const Entry& c : commands.entries) {
        RG_POLICY_RETURN_IF_ERROR(ParseHarnessCommand(c, &ast.harness.emplace_back()));
      }
    } else if (key == "rules") {
      RG_POLICY_RETURN_IF_ERROR(ForEachItem(k, [&](const YAML::Node& n) {
        return ParseRule(n, &ast.rules.emplace_back());
      }));
    } else if (key == "budgets") {
      RG_POLICY_RETURN_IF_ERROR(ForEachItem(k, [&](const YAML::Node& n) {
        return ParseBudget(n, &ast.budgets.emplace_back());
      }));
    } else if (key == "flows") {
      RG_POLICY_RETURN_IF_ERROR(ForEachItem(k, [&](const YAML::Node& n) {
        return ParseFlow(n, &ast.flows.emplace_back());
      }));
    } else if (key == "limits") {
      RG_POLICY_RETURN_IF_ERROR(ParseLimits(k, &ast.limits));
    } else if (key == "tests") {
      RG_POLICY_RETURN_IF_ERROR(ForEachItem(k, [&](const YAML::Node& n) {
        return ParseTest(n, &ast.tests.emplace_back());
      }));
    }
  }
  return ast;
}

}  // namespace

std::optional<std::string> ArgumentPathToJsonPointer(std::string_view path) {
  if (path.size() < 2 || path[0] != '$') return std::nullopt;
  std::string out;
  auto append = [&out](std::string_view key) {
    out.push_back('/');
    for (char c : key) {
      if (c == '~') {
        out.append("~0");
      } else if (c == '/') {
        out.append("~1");
      } else {
        out.push_back(c);
      }
    }
  };
  size_t i = 1;
  while (i < path.size()) {
    if (path[i] == '.') {
      size_t end = i + 1;
      while (end < path.size() && path[end] != '.' && path[end] != '[') ++end;
      if (end == i + 1) return std::nullopt;
      for (size_t j = i + 1; j < end; ++j) {
        if (path[j] == ']' || path[j] == '\'' || path[j] == '"' ||
            absl::ascii_isspace(static_cast<unsigned char>(path[j]))) {
          return std::nullopt;
        }
      }
      append(path.substr(i + 1, end - i - 1));
      i = end;
    } else if (path[i] == '[') {
      if (i + 1 < path.size() && (path[i + 1] == '\'' || path[i + 1] == '"')) {
        char q = path[i + 1];
        size_t close = path.find(q, i + 2);
        if (close == std::string_view::npos || close + 1 >= path.size() ||
            path[close + 1] != ']') {
          return std::nullopt;
        }
        append(path.substr(i + 2, close - i - 2));
        i = close + 2;
      } else {
        size_t close = path.find(']', i);
        if (close == std::string_view::npos || close == i + 1) {
          return std::nullopt;
        }
        std::string_view index = path.substr(i + 1, close - i - 1);
        for (char c : index) {
          if (c < '0' || c > '9') return std::nullopt;
        }
        if (index.size() > 1 && index[0] == '0') return std::nullopt;
        append(index);
        i = close + 1;
      }
    } else {
      return std::nullopt;
    }
  }
  return out;
}

absl::StatusOr<PolicyAst> ParsePolicy(std::string_view text,
                                      std::string_view source_name) {
  Parser parser(source_name);
  try {
    return parser.Parse(text);
  } catch (const YAML::Exception& e) {  // defensive: yaml-cpp throws on misuse
    return ErrorAt(source_name, Pos(e.mark),
                   StrCat("invalid yaml: ", e.msg));
  }
}

}  // namespace policy_internal
}  // namespace rewardguard
