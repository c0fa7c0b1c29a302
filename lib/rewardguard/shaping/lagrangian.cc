#include "rewardguard/shaping/lagrangian.h"

#include <ATen/ops/empty.h>

#include <cmath>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "rewardguard/shaping/internal/shaping_math.h"

namespace rewardguard::shaping {
namespace {

constexpr double kStateVersion = 1.0;
constexpr int kHeader = 3;

bool AllFinite(const Eigen::ArrayXd& a) { return a.isFinite().all(); }

}  // namespace

std::vector<double> LagrangianController::State::ToVector() const {
  const Eigen::Index c = multipliers.size();
  std::vector<double> flat;
  flat.reserve(kHeader + 5 * c);
  flat.push_back(kStateVersion);
  flat.push_back(static_cast<double>(c));
  flat.push_back(static_cast<double>(updates));
  for (const Eigen::ArrayXd* a :
       {&integral, &ema_error, &ema_cost, &prev_ema_cost, &multipliers}) {
    flat.insert(flat.end(), a->data(), a->data() + a->size());
  }
  return flat;
}

absl::StatusOr<LagrangianController::State>
LagrangianController::State::FromVector(absl::Span<const double> flat) {
  if (flat.size() < kHeader || flat[0] != kStateVersion) {
    return absl::InvalidArgumentError(
        "lagrangian state: not a version-1 state vector");
  }
  const double c = flat[1];
  if (!(c >= 1 && c <= internal::kMaxCategories) || c != std::floor(c) ||
      flat.size() != kHeader + 5 * static_cast<size_t>(c)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "lagrangian state: ", flat.size(), " values do not match ", c,
        " categories"));
  }
  if (!(flat[2] >= 0) || flat[2] != std::floor(flat[2])) {
    return absl::InvalidArgumentError("lagrangian state: bad update count");
  }
  const auto n = static_cast<Eigen::Index>(c);
  State state;
  state.updates = static_cast<int64_t>(flat[2]);
  const double* p = flat.data() + kHeader;
  for (Eigen::ArrayXd* a : {&state.integral, &state.ema_error, &state.ema_cost,
                            &state.prev_ema_cost, &state.multipliers}) {
    *a = Eigen::Map<const Eigen::ArrayXd>(p, n);
    p += n;
  }
  return state;
}

LagrangianController::LagrangianController(std::vector<double> limits,
                                           PidOptions options)
    : limits_(std::move(limits)), options_(options) {
  const auto n = static_cast<Eigen::Index>(limits_.size());
  for (Eigen::ArrayXd* a : {&state_.integral, &state_.ema_error,
                            &state_.ema_cost, &state_.prev_ema_cost,
                            &state_.multipliers}) {
    *a = Eigen::ArrayXd::Zero(n);
  }
}

absl::StatusOr<LagrangianController> LagrangianController::Create(
    std::vector<double> cost_limits, PidOptions options) {
  if (cost_limits.empty() ||
      cost_limits.size() > static_cast<size_t>(internal::kMaxCategories)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "lagrangian: need 1 to ", internal::kMaxCategories,
        " cost limits, got ", cost_limits.size()));
  }
  for (size_t c = 0; c < cost_limits.size(); ++c) {
    if (!std::isfinite(cost_limits[c])) {
      return absl::InvalidArgumentError(
          absl::StrCat("lagrangian: cost limit ", c, " is not finite"));
    }
  }
  for (const auto& [name, gain] :
       {std::pair{"kp", options.kp}, {"ki", options.ki}, {"kd", options.kd}}) {
    if (!(gain >= 0) || !std::isfinite(gain)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "lagrangian: gain `", name, "` must be finite and >= 0"));
    }
  }
  for (const auto& [name, alpha] :
       {std::pair{"alpha_p", options.alpha_p}, {"alpha_d", options.alpha_d}}) {
    if (!(alpha >= 0 && alpha < 1)) {
      return absl::InvalidArgumentError(
          absl::StrCat("lagrangian: `", name, "` must be in [0, 1)"));
    }
  }
  if (!(options.max_multiplier >= 0)) {
    return absl::InvalidArgumentError(
        "lagrangian: `max_multiplier` must be >= 0");
  }
  return LagrangianController(std::move(cost_limits), options);
}

absl::Status LagrangianController::Update(
    absl::Span<const double> episode_costs) {
  const Eigen::Index n = num_categories();
  if (static_cast<Eigen::Index>(episode_costs.size()) != n) {
    return absl::InvalidArgumentError(absl::StrCat(
        "lagrangian: got ", episode_costs.size(), " episode costs for ", n,
        " categories"));
  }
  const Eigen::Map<const Eigen::ArrayXd> cost(episode_costs.data(), n);
  if (!AllFinite(cost)) {
    return absl::InvalidArgumentError("lagrangian: episode cost is not finite");
  }
  const Eigen::Map<const Eigen::ArrayXd> limit(limits_.data(), n);
  const Eigen::ArrayXd error = cost - limit;
  State& s = state_;
  s.integral = (s.integral + error).max(0.0);
  if (s.updates == 0) {
    s.ema_error = error;
    s.ema_cost = cost;
    s.prev_ema_cost = cost;
  } else {
    s.prev_ema_cost = s.ema_cost;
    s.ema_error = options_.alpha_p * s.ema_error + (1 - options_.alpha_p) * error;
    s.ema_cost = options_.alpha_d * s.ema_cost + (1 - options_.alpha_d) * cost;
  }
  const Eigen::ArrayXd rise = (s.ema_cost - s.prev_ema_cost).max(0.0);
  s.multipliers = (options_.kp * s.ema_error + options_.ki * s.integral +
                   options_.kd * rise)
                      .max(0.0)
                      .min(options_.max_multiplier);
  ++s.updates;
  return absl::OkStatus();
}

absl::Status LagrangianController::Update(const at::Tensor& episode_costs) {
  if (!episode_costs.defined() || episode_costs.dim() != 1 ||
      !at::isFloatingType(episode_costs.scalar_type())) {
    return absl::InvalidArgumentError(
        "lagrangian: episode costs must be a floating tensor [C]");
  }
  const at::Tensor cpu =
      episode_costs.to(at::kCPU, at::kDouble).contiguous();
  return Update(absl::MakeConstSpan(cpu.const_data_ptr<double>(),
                                    static_cast<size_t>(cpu.numel())));
}

at::Tensor LagrangianController::Weights() const {
  at::Tensor w = at::empty({num_categories()}, at::kFloat);
  float* p = w.mutable_data_ptr<float>();
  for (Eigen::Index c = 0; c < num_categories(); ++c) {
    p[c] = static_cast<float>(state_.multipliers[c]);
  }
  return w;
}

absl::Status LagrangianController::SetState(State state) {
  const Eigen::Index n = num_categories();
  for (const Eigen::ArrayXd* a :
       {&state.integral, &state.ema_error, &state.ema_cost,
        &state.prev_ema_cost, &state.multipliers}) {
    if (a->size() != n) {
      return absl::InvalidArgumentError(absl::StrCat(
          "lagrangian state: has ", a->size(), " categories, controller has ",
          n));
    }
    if (!AllFinite(*a)) {
      return absl::InvalidArgumentError("lagrangian state: value not finite");
    }
  }
  if (state.updates < 0 || (state.integral < 0).any() ||
      (state.multipliers < 0).any()) {
    return absl::InvalidArgumentError(
        "lagrangian state: negative update count, integral or multiplier");
  }
  state_ = std::move(state);
  return absl::OkStatus();
}

absl::Status LagrangianController::RestoreState(absl::Span<const double> flat) {
  absl::StatusOr<State> state = State::FromVector(flat);
  if (!state.ok()) return state.status();
  return SetState(*std::move(state));
}

at::Tensor LagrangianController::StateTensor() const {
  const std::vector<double> flat = SaveState();
  at::Tensor t = at::empty({static_cast<int64_t>(flat.size())}, at::kDouble);
  std::copy(flat.begin(), flat.end(), t.mutable_data_ptr<double>());
  return t;
}

absl::Status LagrangianController::RestoreState(const at::Tensor& flat) {
  if (!flat.defined() || flat.dim() != 1) {
    return absl::InvalidArgumentError(
        "lagrangian state: expected a 1-D tensor");
  }
  const at::Tensor cpu = flat.to(at::kCPU, at::kDouble).contiguous();
  return RestoreState(absl::MakeConstSpan(cpu.const_data_ptr<double>(),
                                          static_cast<size_t>(cpu.numel())));
}

}  // namespace rewardguard::shaping
