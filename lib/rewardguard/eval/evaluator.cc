#include "rewardguard/eval/evaluator.h"

#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <type_traits>
#include <utility>
#include <variant>

#include "absl/status/status.h"
#include "fmt/format.h"
#include "rewardguard/classify/classify.h"
#include "rewardguard/classify/observation.h"

namespace rewardguard {
namespace {

// One event's accumulation of fired consequences.
class Tally {
 public:
  explicit Tally(Verdict* out) : out_(out) {}

  // Records that `id` fired because of `fact`; each id counts once per event.
  void Fire(std::string_view id, Action action, float penalty, int category,
            std::string_view reason, const Fact& fact) {
    for (std::string_view fired : out_->rules)
      if (fired == id) return;
    out_->rules.push_back(id);
    out_->penalty += penalty;
    out_->costs[category] += penalty;
    // The strongest action explains the verdict; among equals, the largest
    // penalty (the more specific finding), then the first.
    if (decisive_ == nullptr || action > out_->action ||
        (action == out_->action && penalty > decisive_penalty_)) {
      out_->action = StrongerOf(out_->action, action);
      decisive_penalty_ = penalty;
      decisive_id_ = id;
      decisive_reason_ = reason;
      decisive_ = &fact;
    }
  }
  void Fire(const Consequence& c, const Fact& fact) {
    Fire(c.id, c.action, c.penalty, c.category, c.reason, fact);
  }

  // The reason of the strongest consequence, with what it fired on.
  void WriteReason() {
    if (out_->action == Action::kAllow || decisive_ == nullptr) return;
    const Fact& f = *decisive_;
    // Appended piece by piece into one reservation: on the step path of
    // every flagged call (fmt's parsing was a fifth of a blocked call).
    std::string& r = out_->reason;
    r.reserve(r.size() + decisive_id_.size() + decisive_reason_.size() + f.capability.size() +
              f.program.size() + f.host.size() + f.path.size() + f.detail.size() + 48);
    r.append("`").append(decisive_id_).append("`: ");
    if (!decisive_reason_.empty()) r.append(decisive_reason_).append(" ");
    r.append("[").append(f.capability);
    if (!f.program.empty()) r.append(" program=").append(f.program);
    if (!f.host.empty()) r.append(" host=").append(f.host);
    if (f.port >= 0) {
      const fmt::format_int port(f.port);
      r.append(" port=").append(port.data(), port.size());
    }
    if (!f.path.empty()) r.append(" path=").append(f.path);
    r += ']';
    if (!f.detail.empty()) r.append(": ").append(f.detail);
  }

 private:
  Verdict* out_;
  const Fact* decisive_ = nullptr;
  std::string_view decisive_id_, decisive_reason_;
  float decisive_penalty_ = 0.0f;
};

bool ContainsId(absl::Span<const CapabilityId> ids, CapabilityId id) {
  for (CapabilityId x : ids)
    if (x == id) return true;
  return false;
}

const Fact& OutOfRangeFact() {
  static const Fact* fact = [] {
    auto* f = new Fact;
    f->capability = std::string(cap::kToolMalformed);
    f->detail = "env id out of range";
    return f;
  }();
  return *fact;
}

}  // namespace

absl::StatusOr<Evaluator> Evaluator::Create(PolicyPtr policy, int num_envs,
                                            EvaluatorOptions options) {
  if (policy == nullptr)
    return absl::InvalidArgumentError(
        "an evaluator needs a policy: load one with LoadPolicy() and check its status");
  if (num_envs < 1)
    return absl::InvalidArgumentError(
        fmt::format("an evaluator needs at least one env, got {}", num_envs));
  return Evaluator(std::move(policy), num_envs, options);
}

Evaluator::Evaluator(PolicyPtr policy, int num_envs, EvaluatorOptions options)
    : policy_(std::move(policy)), options_(options) {
  if (policy_ == nullptr) {
    // Fail closed and loudly: training must not go on without a guard.
    std::fputs("rewardguard: Evaluator constructed with a null policy; "
               "load a policy and check its status first\n", stderr);
    std::abort();
  }
  envs_.resize(num_envs < 1 ? 1 : num_envs);
  for (EnvState& env : envs_) env.budget_counts.assign(policy_->budgets().size(), 0);
}

Verdict Evaluator::Evaluate(int env, const ToolCall& call) {
  Verdict v;
  Evaluate(env, call, &v);
  return v;
}

void Evaluator::Evaluate(int env, const ToolCall& call, Verdict* out) {
  thread_local FactList facts;
  thread_local FileWrites writes;
  facts.clear();
  writes.clear();
  const bool known_env = env >= 0 && env < num_envs();
  FileMemory* files = known_env ? &envs_[env].files : nullptr;
  ClassifyCall(policy_->FindTool(call.tool), call, policy_->limits(), &facts, files,
               known_env ? &writes : nullptr);
  // Files count as written once the call that writes them has run.
  if (Judge(env, call.tool, facts, out) && !writes.empty())
    files->Apply(absl::MakeSpan(writes), policy_->limits().max_remembered_bytes);
}

void Evaluator::Evaluate(int env, const Event& event, Verdict* out) {
  if (const ToolCall* call = std::get_if<ToolCall>(&event)) {
    Evaluate(env, *call, out);
    return;
  }
  thread_local FactList facts;
  facts.clear();
  std::visit(
      [&](const auto& o) {
        using T = std::decay_t<decltype(o)>;
        if constexpr (std::is_same_v<T, Connection>) {
          ClassifyConnection(o, "", &facts);
        } else if constexpr (std::is_same_v<T, ProcessStart>) {
          ClassifyProcessStart(o, "", policy_->limits(), &facts);
        } else if constexpr (std::is_same_v<T, GpuSample>) {
          ClassifyGpuSample(o, "", policy_->limits(), &facts);
        }
      },
      event);
  Judge(env, kSandboxTool, facts, out);
}

void Evaluator::EvaluateObservationLine(int env, std::string_view json_line, Verdict* out) {
  thread_local FactList facts;
  facts.clear();
  ParseObservation(json_line, policy_->limits(), &facts);
  Judge(env, kSandboxTool, facts, out);
}

bool Evaluator::Judge(int env, std::string_view tool, const FactList& facts,
                      Verdict* out) {
  out->Clear();
  const CompiledPolicy& p = *policy_;
  Tally tally(out);
  if (env < 0 || env >= num_envs()) {
    tally.Fire(kDefaultRuleId, Action::kBlock, p.default_penalty(),
               p.default_category(), "", OutOfRangeFact());
    tally.WriteReason();
    return false;
  }
  EnvState& state = envs_[env];

  // Past the limit on facts, the rest are judged as one `limit.exceeded`.
  const size_t limit = static_cast<size_t>(p.limits().max_facts_per_call);
  const size_t n = facts.size() < limit ? facts.size() : limit;
  thread_local Fact overflow;
  if (facts.size() > limit) {
    overflow = Fact();
    overflow.capability = std::string(cap::kLimitExceeded);
    overflow.detail = fmt::format("{} facts exceed the limit of {}", facts.size(), limit);
  }
  auto fact_at = [&](size_t i) -> const Fact& { return i < n ? facts[i] : overflow; };
  const size_t total = n + (facts.size() > limit ? 1 : 0);

  CapabilitySet event_caps;
  thread_local std::vector<CapabilityId> ids;
  ids.clear();
  for (size_t i = 0; i < total; ++i) {
    const Fact& fact = fact_at(i);
    CapabilityId id = p.ResolveCapability(fact.capability);
    ids.push_back(id);
    event_caps |= p.self_and_ancestors(id);
    if (!ContainsId(out->capabilities, id)) out->capabilities.push_back(id);

    bool covered = false;
    for (uint16_t r : p.rules_for(id)) {
      const Rule& rule = p.rules()[r];
      if (!rule.when.Holds(fact, tool)) continue;
      covered = true;
      if (rule.unless && rule.unless->Holds(fact, tool)) continue;  // exception
      tally.Fire(rule, fact);
    }
    if (!covered) {
      if (IsFailClosedCapability(fact.capability) && p.default_action() < Action::kBlock) {
        tally.Fire(kFailClosedRuleId, Action::kBlock, p.default_penalty(),
                   p.default_category(), "cannot be analyzed, so it does not run", fact);
      } else {
        tally.Fire(kDefaultRuleId, p.default_action(), p.default_penalty(),
                   p.default_category(), "no rule allows this", fact);
      }
    }
  }

  // Flows see what ran before in the episode plus this event.
  const CapabilitySet history = state.seen | event_caps;
  for (const Flow& flow : p.flows()) {
    if (!history.test(flow.after) || !event_caps.test(flow.then)) continue;
    for (size_t i = 0; i < total; ++i) {
      if (p.self_and_ancestors(ids[i]).test(flow.then)) {
        tally.Fire(flow, fact_at(i));
        break;
      }
    }
  }

  const bool runs = options_.mode == Mode::kShadow || !Prevents(out->action);
  if (runs) {
    auto budgets = p.budgets();
    for (size_t b = 0; b < budgets.size(); ++b) {
      const Budget& budget = budgets[b];
      if (!event_caps.test(budget.match)) continue;
      for (size_t i = 0; i < total; ++i) {
        const Fact& fact = fact_at(i);
        if (!p.self_and_ancestors(ids[i]).test(budget.match) ||
            !budget.when.Holds(fact, tool))
          continue;
        if (++state.budget_counts[b] > budget.max_per_episode) tally.Fire(budget, fact);
        break;
      }
    }
  }
  // A budget may have blocked the event after all: then it did not run.
  const bool ran = options_.mode == Mode::kShadow || !Prevents(out->action);
  if (ran) state.seen |= event_caps;
  tally.WriteReason();
  return ran;
}

void Evaluator::EvaluateBatch(absl::Span<const ToolCall> calls,
                              absl::Span<const int32_t> env_ids,
                              absl::Span<Verdict> out) {
  if (calls.size() != env_ids.size() || calls.size() != out.size()) {
    for (Verdict& v : out) Judge(-1, "", FactList(), &v);
    return;
  }
  for (size_t i = 0; i < calls.size(); ++i) Evaluate(env_ids[i], calls[i], &out[i]);
}

void Evaluator::Reset(int env) {
  if (env < 0 || env >= num_envs()) return;
  envs_[env].seen.reset();
  std::fill(envs_[env].budget_counts.begin(), envs_[env].budget_counts.end(), 0);
  envs_[env].files.Clear();
}

int Evaluator::AddEnv() {
  envs_.emplace_back().budget_counts.assign(policy_->budgets().size(), 0);
  return num_envs() - 1;
}

void Evaluator::ResetAll() {
  for (int env = 0; env < num_envs(); ++env) Reset(env);
}

bool Evaluator::Seen(int env, CapabilityId capability) const {
  return env >= 0 && env < num_envs() && envs_[env].seen.test(capability);
}

int64_t Evaluator::BudgetCount(int env, int budget) const {
  if (env < 0 || env >= num_envs() || budget < 0 ||
      budget >= static_cast<int>(envs_[env].budget_counts.size()))
    return 0;
  return envs_[env].budget_counts[budget];
}

}  // namespace rewardguard
