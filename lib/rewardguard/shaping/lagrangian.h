// PID Lagrangian multipliers for constrained RL (Stooke, Achiam and Abbeel
// 2020, "Responsive Safety in Reinforcement Learning by PID Lagrangian
// Methods"): one multiplier per cost category, driven toward a per-category
// limit on the expected cost per episode. The multipliers are the `weights`
// of ShapeStep / ShapeTokens.
//
//   auto controller = LagrangianController::Create({/*limits*/ 1.0, 0.0},
//                                                  {.kp = 0.1, .ki = 0.01});
//   // after each policy iteration, with the mean cost per episode:
//   RETURN_IF_ERROR(controller->Update({ep_cost_network, ep_cost_exec}));
//   rewards = ShapeStep(rewards, costs, controller->Weights());
//   // checkpoints:
//   std::vector<double> saved = controller->SaveState();
//   RETURN_IF_ERROR(restored.RestoreState(saved));
//
// Per category c, at update k with mean episode cost J and limit d:
//   e        = J - d
//   I        = max(0, I + e)                      (integral, clamped at 0)
//   P        = EMA_p(e)      (alpha_p = weight of the old value; the paper's
//   D        = EMA_d(J)       smoothing of the P and D terms)
//   lambda   = min(max_multiplier,
//                  max(0, kp * P + ki * I + kd * max(0, D - D_prev)))
// The EMAs start at the first observation (no bias toward 0); the derivative
// is 0 on the first update. Multi-process training averages the episode
// costs across ranks (all-reduce) before Update, so every rank agrees.
// Not thread-safe; copyable (it is a small value).
#ifndef REWARDGUARD_SHAPING_LAGRANGIAN_H_
#define REWARDGUARD_SHAPING_LAGRANGIAN_H_

#include <ATen/core/Tensor.h>
#include <Eigen/Core>

#include <cstdint>
#include <limits>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace rewardguard::shaping {

struct PidOptions {
  double kp = 0.0;   // proportional gain (on the smoothed error)
  double ki = 0.01;  // integral gain
  double kd = 0.0;   // derivative gain (on the rise of the smoothed cost)
  double alpha_p = 0.95;  // EMA of the error: new = a * old + (1 - a) * e
  double alpha_d = 0.95;  // EMA of the cost for the derivative term
  double max_multiplier = std::numeric_limits<double>::infinity();
};

class LagrangianController {
 public:
  // Everything Update reads and writes: what a checkpoint must carry.
  struct State {
    int64_t updates = 0;
    Eigen::ArrayXd integral;       // I, >= 0
    Eigen::ArrayXd ema_error;      // P
    Eigen::ArrayXd ema_cost;       // D
    Eigen::ArrayXd prev_ema_cost;  // D_prev
    Eigen::ArrayXd multipliers;    // lambda

    // [version, C, updates, integral, ema_error, ema_cost, prev_ema_cost,
    //  multipliers]: 3 + 5 C doubles.
    std::vector<double> ToVector() const;
    static absl::StatusOr<State> FromVector(absl::Span<const double> flat);
  };

  // cost_limits: the limit d of each category (1 to 16 of them, finite);
  // gains and alphas must be finite, gains >= 0, alphas in [0, 1).
  static absl::StatusOr<LagrangianController> Create(
      std::vector<double> cost_limits, PidOptions options = {});

  // Feeds one update's mean cost per episode, one per category (finite).
  // Fails (changing nothing) on a size mismatch or a non-finite cost.
  absl::Status Update(absl::Span<const double> episode_costs);
  // Same with a CPU or CUDA tensor [C] of any floating dtype.
  absl::Status Update(const at::Tensor& episode_costs);

  // Current multipliers (all 0 before the first update).
  const Eigen::ArrayXd& multipliers() const { return state_.multipliers; }
  // The multipliers as a float32 CPU tensor [C]: ShapeStep's weights.
  at::Tensor Weights() const;

  int64_t num_categories() const { return state_.multipliers.size(); }
  const std::vector<double>& cost_limits() const { return limits_; }
  const PidOptions& options() const { return options_; }

  const State& state() const { return state_; }
  // Fails on a category count that does not match, or invalid values.
  absl::Status SetState(State state);
  std::vector<double> SaveState() const { return state_.ToVector(); }
  absl::Status RestoreState(absl::Span<const double> flat);
  // The flat state as a float64 CPU tensor, and back.
  at::Tensor StateTensor() const;
  absl::Status RestoreState(const at::Tensor& flat);

 private:
  LagrangianController(std::vector<double> limits, PidOptions options);

  std::vector<double> limits_;
  PidOptions options_;
  State state_;
};

}  // namespace rewardguard::shaping

#endif  // REWARDGUARD_SHAPING_LAGRANGIAN_H_
