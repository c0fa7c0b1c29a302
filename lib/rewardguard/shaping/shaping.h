// rewardguard::torch: turns one step's policy costs into reward penalties on
// LibTorch tensors, on the CPU or on CUDA (same dtype and device out as in).
//
//   // B envs, C cost categories (costs[b, c] = penalties of fired rules).
//   at::Tensor shaped = rewardguard::shaping::ShapeStep(rewards, costs, weights);
//   rewardguard::shaping::ShapeStep_(rewards, costs, weights, {.scale = 0.1});
//   // LLM RL: one event per tool call, its penalty lands on the token where
//   // the call ended (or on the row's last valid token when position is -1).
//   rewardguard::shaping::ShapeTokens_(token_rewards, call_costs, weights,
//                                      positions, {.rows = call_rows,
//                                                  .lengths = lengths});
//
// The same functions are registered as PyTorch operators in namespace
// `rewardguard` (torch.ops.rewardguard.shape_step, ...) with CPU, CUDA and
// Meta kernels; the C++ functions here skip the dispatcher (a B=1 step costs
// about a microsecond). See docs/shaping.md for the semantics in full.
//
// Conventions of every function below:
//  - rewards: float32, float64, bfloat16 or float16, on the CPU or CUDA; the
//    arithmetic runs in float (double for float64 rewards).
//  - costs: float32 [*, C], 0 <= C <= 16; weights: float32 [C]. On CUDA, costs
//    and weights may be CPU tensors (the usual case: they come from the
//    evaluator): they travel in one host-to-device copy through a pinned
//    staging buffer, then one kernel runs, all on the current stream.
//  - scale and clip: result = clip(scale * (reward - penalty)); clip <= 0
//    disables clipping, otherwise results are clamped to [-clip, clip].
//  - NaN rewards (and NaN costs) give NaN results; clipping keeps NaN.
//  - Bad shapes, dtypes, devices, rows or positions raise c10::Error
//    (TORCH_CHECK) with a message naming the argument; nothing is written then.
#ifndef REWARDGUARD_SHAPING_SHAPING_H_
#define REWARDGUARD_SHAPING_SHAPING_H_

#include <ATen/core/Tensor.h>

namespace rewardguard::shaping {

// Scale and clip applied after the penalty.
struct ShapeOptions {
  double scale = 1.0;
  double clip = 0.0;  // <= 0: no clipping
};

// shaped[b] = clip(scale * (rewards[b] - sum_c weights[c] * costs[b, c])).
// rewards [B], costs [B, C], weights [C]. Returns a new tensor.
at::Tensor ShapeStep(const at::Tensor& rewards, const at::Tensor& costs,
                     const at::Tensor& weights, ShapeOptions options = {});

// In-place ShapeStep: writes into `rewards` and returns it.
const at::Tensor& ShapeStep_(const at::Tensor& rewards, const at::Tensor& costs,
                             const at::Tensor& weights,
                             ShapeOptions options = {});

// Where token-level events live and which tokens are valid.
struct TokenOptions {
  // int64 [N]: the row (env) of each event. Undefined: event i is row i (N=B).
  at::Tensor rows;
  // At most one of lengths (int64 [B], valid tokens are [0, length)) and
  // mask (bool [B, T]); neither: every token is valid.
  at::Tensor lengths;
  at::Tensor mask;
  double scale = 1.0;
  double clip = 0.0;  // <= 0: no clipping
};

// Token-level shaping. rewards [B, T]; one event per tool call: costs [N, C]
// (the call's costs), positions int64 [N] (token where the call ended, or -1
// for the row's last valid token), options.rows int64 [N].
//   shaped[b, t] = clip(scale * (rewards[b, t] - sum of weights . costs[e]
//                                 over events e of row b landing on t))
// Several events may share a row or a token (their penalties add up).
// Preconditions, checked: 0 <= rows[e] < B, -1 <= positions[e] < T. An event
// with position -1 on a row without valid tokens (length 0, mask all false) is
// dropped: a penalty there could never reach the loss, and checking it would
// cost a device sync on CUDA. Scale and clip apply to every token.
at::Tensor ShapeTokens(const at::Tensor& rewards, const at::Tensor& costs,
                       const at::Tensor& weights, const at::Tensor& positions,
                       const TokenOptions& options = {});

// In-place ShapeTokens. With scale 1 and no clip, the CPU path only touches
// the tokens that receive a penalty.
const at::Tensor& ShapeTokens_(const at::Tensor& rewards,
                               const at::Tensor& costs,
                               const at::Tensor& weights,
                               const at::Tensor& positions,
                               const TokenOptions& options = {});

// terminated[b] || flags[b]: bool [B] (flags bool or uint8 [B], any device
// for a CUDA `terminated`). Returns a new bool tensor on terminated's device.
at::Tensor Terminations(const at::Tensor& terminated, const at::Tensor& flags);

// In-place Terminations into `terminated` (bool).
const at::Tensor& Terminations_(const at::Tensor& terminated,
                                const at::Tensor& flags);

// True when this build has the CUDA kernels.
bool HasCudaKernels();

}  // namespace rewardguard::shaping

#endif  // REWARDGUARD_SHAPING_SHAPING_H_
