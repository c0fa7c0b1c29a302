#include "rewardguard/guard/guard.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "rewardguard/classify/observation.h"
#include "rewardguard/core/penalty.h"

namespace rewardguard {
namespace {

absl::Status OutOfRange(int env, int num_envs) {
  return absl::InvalidArgumentError(
      absl::StrCat("env ", env, " is out of range [0, ", num_envs, ")"));
}

}  // namespace

absl::StatusOr<Guard> Guard::Create(PolicyPtr policy, GuardOptions options) {
  if (policy == nullptr) return absl::InvalidArgumentError("policy is empty");
  if (options.num_envs < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("num_envs must be >= 1, got ", options.num_envs));
  }
  std::shared_ptr<AuditSink> sink = std::move(options.audit_sink);
  if (sink == nullptr && !options.audit_path.empty()) {
    absl::StatusOr<std::unique_ptr<SqliteSink>> opened = SqliteSink::Open(
        options.audit_path, RunInfo::ForPolicy(options.run_name, *policy), options.sink_options);
    if (!opened.ok()) return opened.status();
    sink = std::move(*opened);
  }
  Guard guard(Evaluator(policy, options.num_envs, {.mode = options.mode}), std::move(sink));
  if (!options.weights.empty()) {
    if (absl::Status s = guard.SetWeights(options.weights); !s.ok()) return s;
  }
  return guard;
}

Guard::Guard(Evaluator evaluator, std::shared_ptr<AuditSink> sink)
    : evaluator_(std::move(evaluator)),
      clocks_(evaluator_.num_envs()),
      sink_(std::move(sink)),
      weights_(evaluator_.policy().categories().size(), 1.0f),
      batch_(evaluator_.shared_policy()) {
  for (size_t e = 0; e < clocks_.size(); ++e) clocks_[e].id = static_cast<int64_t>(e);
}

// -- judging -----------------------------------------------------------------

void Guard::Judge(int env, const Event& event, Verdict* out) {
  evaluator_.Evaluate(env, event, out);
}

Verdict Guard::Evaluate(int env, const Event& event) {
  Verdict v;
  (void)Evaluate(env, event, &v);  // a failed record is kept in audit_status()
  return v;
}

absl::Status Guard::Evaluate(int env, const Event& event, Verdict* out) {
  Judge(env, event, out);
  if (!InRange(env)) return audit_status_;
  clocks_[env].has_events = true;
  if (sink_ == nullptr) return audit_status_;
  AddRecord(env, event, *out);
  return WriteRecords();
}

void Guard::JudgeLine(int env, std::string_view json_line, Verdict* out) {
  evaluator_.EvaluateObservationLine(env, json_line, out);
}

absl::Status Guard::EvaluateObservationLine(int env, std::string_view json_line, Verdict* out) {
  JudgeLine(env, json_line, out);
  if (!InRange(env)) return audit_status_;
  clocks_[env].has_events = true;
  if (sink_ == nullptr) return audit_status_;
  AddRecord(env, EventKind::kObservation, kSandboxTool, json_line, *out);
  return WriteRecords();
}

absl::Status Guard::Mismatch(size_t events, size_t env_ids, StepResult* out) {
  out->verdicts.resize(events);
  for (Verdict& v : out->verdicts) evaluator_.Evaluate(-1, ToolCall(), &v);  // blocks: no env
  Collect({}, out);
  return absl::InvalidArgumentError(absl::StrCat(
      "events and env_ids must have the same length; got ", events, " and ", env_ids));
}

void Guard::BeginStep(int env) {
  Clock& c = clocks_[env];
  if (c.has_events) {
    ++c.step;
    c.has_events = false;
  }
}

template <typename JudgeFn, typename RecordFn>
absl::Status Guard::Batch(size_t n, absl::Span<const int32_t> env_ids, bool is_step,
                          StepResult* out, JudgeFn judge, RecordFn record) {
  if (env_ids.size() != n) return Mismatch(n, env_ids.size(), out);
  if (is_step)
    for (int32_t env : env_ids)
      if (InRange(env)) BeginStep(env);
  out->verdicts.resize(n);
  for (size_t i = 0; i < n; ++i) judge(i, &out->verdicts[i]);
  Collect(env_ids, out);
  for (int32_t env : env_ids)
    if (InRange(env)) clocks_[env].has_events = true;
  if (sink_ == nullptr) return audit_status_;
  for (size_t i = 0; i < n; ++i)
    if (InRange(env_ids[i])) record(i, out->verdicts[i]);
  return WriteRecords();
}

absl::Status Guard::EvaluateBatch(absl::Span<const ToolCall> calls,
                                  absl::Span<const int32_t> env_ids, StepResult* out) {
  return Batch(
      calls.size(), env_ids, /*is_step=*/true, out,
      [&](size_t i, Verdict* v) { evaluator_.Evaluate(env_ids[i], calls[i], v); },
      [&](size_t i, const Verdict& v) {
        AddRecord(env_ids[i], EventKind::kCall, calls[i].tool, calls[i].arguments, v);
      });
}

absl::Status Guard::EvaluateBatch(absl::Span<const Event> events,
                                  absl::Span<const int32_t> env_ids, StepResult* out) {
  return Batch(
      events.size(), env_ids, /*is_step=*/true, out,
      [&](size_t i, Verdict* v) { Judge(env_ids[i], events[i], v); },
      [&](size_t i, const Verdict& v) { AddRecord(env_ids[i], events[i], v); });
}

absl::Status Guard::ObserveBatch(absl::Span<const std::string_view> json_lines,
                                 absl::Span<const int32_t> env_ids, StepResult* out) {
  return Batch(
      json_lines.size(), env_ids, /*is_step=*/false, out,
      [&](size_t i, Verdict* v) { JudgeLine(env_ids[i], json_lines[i], v); },
      [&](size_t i, const Verdict& v) {
        AddRecord(env_ids[i], EventKind::kObservation, kSandboxTool, json_lines[i], v);
      });
}

absl::Status Guard::Record(int env, const Event& event, const Verdict& verdict) {
  if (!InRange(env)) return OutOfRange(env, num_envs());
  clocks_[env].has_events = true;
  if (sink_ == nullptr) return audit_status_;
  AddRecord(env, event, verdict);
  return WriteRecords();
}

void Guard::Collect(absl::Span<const int32_t> env_ids, StepResult* out) const {
  const size_t n = out->verdicts.size();
  const size_t c = static_cast<size_t>(num_categories());
  const bool enforce = mode() == Mode::kEnforce;
  out->num_envs = num_envs();
  out->num_categories = static_cast<int>(c);
  out->actions.resize(n);
  out->penalties.resize(n);
  out->costs.resize(n * c);
  out->blocked.resize(n);
  out->flagged.clear();
  for (size_t i = 0; i < n; ++i) {
    const Verdict& v = out->verdicts[i];
    out->actions[i] = static_cast<int8_t>(v.action);
    out->penalties[i] = v.penalty;
    std::memcpy(out->costs.data() + i * c, v.costs.data(), c * sizeof(float));
    out->blocked[i] = enforce && Prevents(v.action);
    if (v.action != Action::kAllow) out->flagged.push_back(static_cast<int64_t>(i));
  }
  CollectStep(evaluator_, out->verdicts, env_ids, &out->envs);
}

// -- audit records -----------------------------------------------------------

void Guard::AddRecord(int env, EventKind kind, std::string_view tool, std::string_view arguments,
                      const Verdict& verdict) {
  const Clock& c = clocks_[env];
  batch_.Add(verdict, {.env = c.id, .episode = c.episode, .step = c.step, .kind = kind,
                       .tool = tool, .arguments = arguments});
}

void Guard::AddRecord(int env, const Event& event, const Verdict& verdict) {
  if (const ToolCall* call = std::get_if<ToolCall>(&event)) {
    return AddRecord(env, EventKind::kCall, call->tool, call->arguments, verdict);
  }
  std::visit(
      [&](const auto& e) {
        if constexpr (!std::is_same_v<std::decay_t<decltype(e)>, ToolCall>)
          observation_json_ = ObservationJson(e);
      },
      event);
  AddRecord(env, EventKind::kObservation, kSandboxTool, observation_json_, verdict);
}

absl::Status Guard::WriteRecords() {
  if (batch_.empty()) return audit_status_;
  if (!audit_status_.ok() || sink_ == nullptr) {
    batch_.Clear();
    return audit_status_;
  }
  // Moves the events to the writer thread (the batch comes back empty, its
  // storage kept): no per-event strings on the step path.
  if (absl::Status s = sink_->WriteBatch(&batch_); !s.ok()) {
    batch_.Clear();
    audit_status_ = std::move(s);
  }
  return audit_status_;
}

absl::Status Guard::FlushAudit() {
  if (sink_ == nullptr) return audit_status_;
  if (absl::Status s = sink_->Flush(); !s.ok() && audit_status_.ok()) audit_status_ = s;
  return audit_status_;
}

absl::Status Guard::RequestFlushAudit() {
  if (sink_ == nullptr) return audit_status_;
  if (absl::Status s = sink_->RequestFlush(); !s.ok() && audit_status_.ok()) audit_status_ = s;
  return audit_status_;
}

absl::Status Guard::CloseAudit() {
  if (sink_ == nullptr) return audit_status_;
  absl::Status s = sink_->Close();
  sink_.reset();
  if (!s.ok() && audit_status_.ok()) audit_status_ = s;
  return audit_status_;
}

// -- the clock ---------------------------------------------------------------

absl::Status Guard::Reset(int env) {
  if (!InRange(env)) return OutOfRange(env, num_envs());
  evaluator_.Reset(env);
  Clock& c = clocks_[env];
  ++c.episode;
  c.step = 0;
  c.has_events = false;
  return RequestFlushAudit();
}

absl::Status Guard::ResetAll() {
  evaluator_.ResetAll();
  for (Clock& c : clocks_) {
    ++c.episode;
    c.step = 0;
    c.has_events = false;
  }
  return RequestFlushAudit();
}

void Guard::EndStep(int env) {
  if (InRange(env)) BeginStep(env);
}

void Guard::EndStep() {
  for (int env = 0; env < num_envs(); ++env) BeginStep(env);
}

absl::Status Guard::SetClock(int env, int64_t episode, int64_t step) {
  if (!InRange(env)) return OutOfRange(env, num_envs());
  Clock& c = clocks_[env];
  if (c.episode != episode) {
    evaluator_.Reset(env);
    c.episode = episode;
  }
  c.step = step;
  c.has_events = false;
  return absl::OkStatus();
}

std::vector<int64_t> Guard::episodes() const {
  std::vector<int64_t> out(clocks_.size());
  for (size_t i = 0; i < clocks_.size(); ++i) out[i] = clocks_[i].episode;
  return out;
}

int Guard::AddEnv() {
  const int env = evaluator_.AddEnv();
  clocks_.emplace_back().id = env;
  return env;
}

absl::Status Guard::SetRecordedEnvId(int env, int64_t id) {
  if (!InRange(env)) return OutOfRange(env, num_envs());
  clocks_[env].id = id;
  return absl::OkStatus();
}

// -- weights -----------------------------------------------------------------

absl::Status Guard::SetWeights(absl::Span<const float> weights) {
  if (weights.size() != weights_.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("weights must have one entry per cost category (", weights_.size(),
                     "), got ", weights.size()));
  }
  weights_.assign(weights.begin(), weights.end());
  unit_weights_ = std::all_of(weights_.begin(), weights_.end(), [](float w) { return w == 1.0f; });
  return absl::OkStatus();
}

void Guard::WeightedPenalties(absl::Span<const float> costs,
                              absl::Span<const float> unit_penalties,
                              absl::Span<float> out) const {
  const size_t c = weights_.size();
  const size_t n = std::min(out.size(), c == 0 ? unit_penalties.size() : costs.size() / c);
  for (size_t e = 0; e < n; ++e) {
    out[e] = unit_weights_ && e < unit_penalties.size()
                 ? unit_penalties[e]
                 : Penalty<float>(costs.data() + e * c, weights_.data(), static_cast<int64_t>(c));
  }
}

template <typename T>
void Guard::ShapeRewards(absl::Span<T> rewards, absl::Span<const float> costs, double scale,
                         double clip) const {
  const size_t c = weights_.size();
  const size_t n = c == 0 ? rewards.size() : std::min(rewards.size(), costs.size() / c);
  for (size_t e = 0; e < n; ++e) {
    const T penalty = Penalty<T>(costs.data() + e * c, weights_.data(), static_cast<int64_t>(c));
    rewards[e] = ShapeValue<T>(rewards[e], penalty, static_cast<T>(scale), static_cast<T>(clip));
  }
}
template void Guard::ShapeRewards<float>(absl::Span<float>, absl::Span<const float>, double,
                                         double) const;
template void Guard::ShapeRewards<double>(absl::Span<double>, absl::Span<const float>, double,
                                          double) const;

}  // namespace rewardguard
