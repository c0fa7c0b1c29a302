#include "rewardguard/cli/commands.h"

#include <algorithm>
#include <iterator>
#include <istream>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "fmt/format.h"
#include "rewardguard/audit/record.h"
#include "rewardguard/classify/classify.h"
#include "rewardguard/core/json.h"
#include "rewardguard/classify/observation.h"
#include "rewardguard/guard/guard.h"
#include "simdjson.h"

namespace rewardguard {
namespace {

// One input line, parsed.
struct CallLine {
  std::string tool;
  std::string arguments;  // JSON text: an object or a string
  int64_t env = 0, episode = 0, step = 0;
  bool observation = false;  // a sandbox observation: `arguments` is the line
};

bool ParseCallLine(simdjson::dom::parser& parser, std::string_view line,
                   CallLine* call, std::string* error) {
  simdjson::dom::element root;
  if (parser.parse(line.data(), line.size()).get(root) != simdjson::SUCCESS) {
    *error = "not valid JSON";
    return false;
  }
  simdjson::dom::object object;
  if (root.get_object().get(object) != simdjson::SUCCESS) {
    *error = "expected a JSON object";
    return false;
  }
  std::string_view tool;
  simdjson::dom::element type;
  if (object["tool"].error() == simdjson::NO_SUCH_FIELD &&
      object["type"].get(type) == simdjson::SUCCESS) {
    // A sandbox observation (classify/observation.h) parses its own fields.
    call->observation = true;
    call->tool = std::string(kSandboxTool);
    call->arguments = std::string(line);
  } else if (object["tool"].get_string().get(tool) != simdjson::SUCCESS) {
    *error = "expected a string field `tool`";
    return false;
  }
  if (!call->observation) {
    call->tool = std::string(tool);
    simdjson::dom::element arguments;
    if (object["arguments"].get(arguments) != simdjson::SUCCESS) {
      *error = "expected a field `arguments` (object or string)";
      return false;
    }
    if (!arguments.is_object() && !arguments.is_string()) {
      *error = "field `arguments` must be an object or a string";
      return false;
    }
    call->arguments = simdjson::minify(arguments);
  }
  for (auto [key, target] : {std::pair<const char*, int64_t*>{"env", &call->env},
                             {"episode", &call->episode}, {"step", &call->step}}) {
    simdjson::dom::element value;
    if (object[key].get(value) != simdjson::SUCCESS) continue;
    if (value.get_int64().get(*target) != simdjson::SUCCESS) {
      *error = fmt::format("field `{}` must be an integer", key);
      return false;
    }
  }
  return true;
}


// The verdict given to an input line that is not a valid call: fail closed.
Verdict ErrorVerdict(const CompiledPolicy& policy, std::string_view error) {
  Verdict v;
  v.action = Action::kBlock;
  v.capabilities.push_back(policy.ResolveCapability(cap::kToolMalformed));
  v.reason = fmt::format("malformed input line: {}", error);
  return v;
}

// Counts for the readable report.
struct Summary {
  int calls = 0;
  int by_action[kNumActions] = {};
  std::map<std::string, int> by_rule;
  std::vector<float> cost_by_category;
  float penalty = 0.0f;
};

// At most `n` characters on one line, "..." marking a cut.
std::string Truncate(std::string_view s, size_t n) {
  std::string out(s.size() > n ? s.substr(0, n - 3) : s);
  for (char& c : out)
    if (c == '\n' || c == '\t') c = ' ';
  if (s.size() > n) out.append("...");
  return out;
}

void PrintReportLine(const CallLine& call, const Verdict& v, std::ostream& out) {
  out << fmt::format("{:>4} {:>4}  {:<10} {:<9} {:>6.2f}  {}\n", call.env, call.step,
                     Truncate(call.tool, 10), ActionName(v.action), v.penalty,
                     Truncate(call.arguments, 70));
  if (v.action != Action::kAllow) out << "                 -> " << v.reason << "\n";
}

void PrintSummary(const CompiledPolicy& policy, const Summary& s, std::ostream& out) {
  out << "\n" << s.calls << " calls judged by policy `" << policy.name() << "`:";
  for (int a = 0; a < kNumActions; ++a)
    if (s.by_action[a]) out << " " << s.by_action[a] << " " << ActionName(static_cast<Action>(a));
  out << fmt::format("\ntotal penalty {:.2f}", s.penalty);
  for (size_t c = 0; c < s.cost_by_category.size(); ++c)
    if (s.cost_by_category[c] > 0)
      out << fmt::format("  {}={:.2f}", policy.categories()[c], s.cost_by_category[c]);
  out << "\nrules fired on calls not allowed:";
  for (const auto& [rule, count] : s.by_rule) out << " " << rule << " x" << count;
  out << "\n";
}

}  // namespace

std::string VerdictJson(const CompiledPolicy& policy, const Verdict& v,
                        std::string_view error) {
  std::string out = fmt::format(R"({{"action":"{}","penalty":{},"rules":[)",
                                ActionName(v.action), v.penalty);
  for (size_t i = 0; i < v.rules.size(); ++i) {
    if (i) out.push_back(',');
    AppendJsonString(&out, v.rules[i]);
  }
  out.append("],\"capabilities\":[");
  for (size_t i = 0; i < v.capabilities.size(); ++i) {
    if (i) out.push_back(',');
    AppendJsonString(&out, policy.capability_name(v.capabilities[i]));
  }
  out.append("],\"costs\":{");
  bool first = true;
  for (size_t c = 0; c < policy.categories().size(); ++c) {
    if (v.costs[c] == 0.0f) continue;
    if (!first) out.push_back(',');
    first = false;
    AppendJsonString(&out, policy.categories()[c]);
    fmt::format_to(std::back_inserter(out), ":{}", v.costs[c]);
  }
  out.append("},\"reason\":");
  AppendJsonString(&out, v.reason);
  if (!error.empty()) {
    out.append(",\"error\":");
    AppendJsonString(&out, error);
  }
  out.push_back('}');
  return out;
}

PolicyPtr LoadPolicyOrReport(const std::string& policy, std::ostream& err) {
  absl::StatusOr<PolicyPtr> loaded = LoadPolicy(policy);
  if (loaded.ok()) return *std::move(loaded);
  err << "error: " << loaded.status().message() << "\n";
  return nullptr;
}

int RunEval(const EvalCommandOptions& options, std::istream& in,
            std::ostream& out, std::ostream& err) {
  PolicyPtr policy = LoadPolicyOrReport(options.policy, err);
  if (policy == nullptr) return 2;
  const CompiledPolicy& p = *policy;
  GuardOptions guard_options{.num_envs = 1, .mode = options.mode};
  if (!options.audit_path.empty()) {
    guard_options.audit_path = options.audit_path;
    guard_options.run_name = options.run_name.empty()
                                 ? fmt::format("eval-{}", NowMicros() / 1000000)
                                 : options.run_name;
  }
  absl::StatusOr<Guard> guard = Guard::Create(policy, std::move(guard_options));
  if (!guard.ok()) {  // the policy loaded: the audit database did not open
    err << "error: " << guard.status().message() << "\n";
    return 3;
  }
  // Env ids may be sparse: each id seen gets a guard env, whose records
  // carry the id; each line sets that env's clock (a new episode resets it).
  absl::flat_hash_map<int64_t, int> env_index = {{0, 0}};
  simdjson::dom::parser parser;
  Summary summary;
  summary.cost_by_category.assign(p.categories().size(), 0.0f);
  if (options.report)
    out << fmt::format("{:>4} {:>4}  {:<10} {:<9} {:>6}  {}\n", "env", "step", "tool",
                       "action", "pen.", "arguments");

  absl::Status audit_status;
  std::string line;
  Verdict verdict;
  int line_number = 0;
  while (std::getline(in, line)) {
    ++line_number;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    CallLine call;
    std::string error;
    absl::Status recorded;
    if (ParseCallLine(parser, line, &call, &error)) {
      auto [it, added] = env_index.try_emplace(call.env, 0);
      if (added) {
        it->second = guard->AddEnv();
        recorded = guard->SetRecordedEnvId(it->second, call.env);
      }
      const int env = it->second;
      if (recorded.ok()) recorded = guard->SetClock(env, call.episode, call.step);
      if (recorded.ok()) {
        recorded = call.observation
                       ? guard->EvaluateObservationLine(env, call.arguments, &verdict)
                       : guard->Evaluate(env, ToolCall{call.tool, call.arguments}, &verdict);
      }
    } else {
      error = fmt::format("line {}: {}", line_number, error);
      verdict = ErrorVerdict(p, error);
      call.tool = "?";
      call.arguments = Truncate(line, 60);
      // Not an event of any env's episode: recorded as it is, off the clock.
      if (AuditSink* sink = guard->audit_sink(); sink != nullptr && audit_status.ok()) {
        recorded = sink->Write(MakeRecord(
            p, verdict,
            {.env = call.env, .episode = call.episode, .step = call.step,
             .tool = call.tool, .arguments = call.arguments}));
      }
    }
    if (audit_status.ok()) audit_status = recorded;
    if (options.report) {
      PrintReportLine(call, verdict, out);
    } else {
      out << VerdictJson(p, verdict, error) << "\n";
    }
    ++summary.calls;
    ++summary.by_action[static_cast<int>(verdict.action)];
    summary.penalty += verdict.penalty;
    for (size_t c = 0; c < summary.cost_by_category.size(); ++c)
      summary.cost_by_category[c] += verdict.costs[c];
    if (verdict.action != Action::kAllow)
      for (std::string_view rule : verdict.rules) ++summary.by_rule[std::string(rule)];
  }
  if (options.report) PrintSummary(p, summary, out);
  out.flush();
  if (guard->has_audit()) {
    absl::Status closed = guard->CloseAudit();
    if (audit_status.ok()) audit_status = closed;
    if (!audit_status.ok()) {
      err << "error: " << audit_status.message() << "\n";
      return 3;
    }
  }
  return 0;
}

int RunPolicyLint(const std::string& policy, std::ostream& out, std::ostream& err) {
  PolicyPtr p = LoadPolicyOrReport(policy, err);
  if (p == nullptr) return 2;
  const CompiledPolicy& c = *p;
  out << fmt::format("ok: policy `{}` (version {}): {} rules, {} budgets, {} flows, "
                     "{} tools, {} capabilities, {} tests\n",
                     c.name(), c.version(), c.rules().size(), c.budgets().size(),
                     c.flows().size(), c.tools().size(), c.num_capabilities(),
                     c.tests().size());
  return 0;
}

int RunPolicyTest(const std::string& policy, std::ostream& out, std::ostream& err) {
  PolicyPtr p = LoadPolicyOrReport(policy, err);
  if (p == nullptr) return 2;
  int passed = 0, failed = 0;
  for (const PolicyTest& test : p->tests()) {
    Evaluator evaluator(p, 1);
    Verdict v = evaluator.Evaluate(0, ToolCall{test.tool, test.arguments});
    std::vector<std::string_view> missing;
    for (const std::string& rule : test.expect_rules)
      if (std::find(v.rules.begin(), v.rules.end(), rule) == v.rules.end())
        missing.push_back(rule);
    if (v.action == test.expect && missing.empty()) {
      ++passed;
      continue;
    }
    ++failed;
    out << p->source_name() << ":" << test.position.line << ":"
        << test.position.column << ": FAIL `" << test.tool << "` " << test.arguments
        << ": expected " << ActionName(test.expect) << ", got " << ActionName(v.action);
    for (std::string_view rule : missing) out << "; rule `" << rule << "` did not fire";
    if (!v.reason.empty()) out << " (" << v.reason << ")";
    out << "\n";
  }
  out << passed << " passed, " << failed << " failed\n";
  return failed == 0 ? 0 : 1;
}

int RunPolicyShow(const std::string& policy, std::ostream& out, std::ostream& err) {
  PolicyPtr p = LoadPolicyOrReport(policy, err);
  if (p == nullptr) return 2;
  out << "# " << p->source_name() << "\n" << p->source_text() << "\n# capabilities:\n";
  for (int id = 0; id < p->num_capabilities(); ++id) {
    out << "#   " << p->capability_name(static_cast<CapabilityId>(id)) << "\n";
  }
  return 0;
}

}  // namespace rewardguard
