// The arithmetic of every shaping kernel, one inline function per formula,
// compiled by both the C++ compiler (CPU path) and nvcc (CUDA path), so the
// CPU tests cover what the GPU computes.
#ifndef REWARDGUARD_SHAPING_INTERNAL_SHAPING_MATH_H_
#define REWARDGUARD_SHAPING_INTERNAL_SHAPING_MATH_H_

#include <cstdint>

#include "rewardguard/core/limits.h"

#if defined(__CUDACC__)
#define RG_HOST_DEVICE __host__ __device__
#else
#define RG_HOST_DEVICE
#endif

namespace rewardguard::shaping::internal {

// Categories of cost a step may carry; CUDA kernels keep weights in registers.
using ::rewardguard::kMaxCategories;

// sum_c weights[c] * costs[c], accumulated in Acc in category order.
template <typename Acc>
RG_HOST_DEVICE inline Acc Penalty(const float* costs, const float* weights,
                                  int64_t num_categories) {
  Acc sum = Acc(0);
  for (int64_t c = 0; c < num_categories; ++c) {
    sum += static_cast<Acc>(weights[c]) * static_cast<Acc>(costs[c]);
  }
  return sum;
}

// clip(scale * (reward - penalty)). clip <= 0 means no clipping, otherwise the
// result is clamped to [-clip, clip]. Comparisons (not fmin/fmax) so a NaN
// reward or penalty stays NaN.
template <typename Acc>
RG_HOST_DEVICE inline Acc ShapeValue(Acc reward, Acc penalty, Acc scale,
                                     Acc clip) {
  Acc v = scale * (reward - penalty);
  if (clip > Acc(0)) {
    if (v > clip) v = clip;
    if (v < -clip) v = -clip;
  }
  return v;
}

// Token an event's penalty lands on: `position` when >= 0, else the row's
// last valid token `last_valid` (-1 when the row has none: penalty dropped).
RG_HOST_DEVICE inline int64_t ResolvePosition(int64_t position,
                                              int64_t last_valid) {
  return position >= 0 ? position : last_valid;
}

// Last valid token of a row of `num_tokens` tokens that has `length` valid
// ones (clamped to [0, num_tokens]); -1 when none.
RG_HOST_DEVICE inline int64_t LastValidFromLength(int64_t length,
                                                  int64_t num_tokens) {
  if (length > num_tokens) length = num_tokens;
  return length > 0 ? length - 1 : -1;
}

RG_HOST_DEVICE inline bool Terminated(bool terminated, bool flag) {
  return terminated || flag;
}

}  // namespace rewardguard::shaping::internal

#endif  // REWARDGUARD_SHAPING_INTERNAL_SHAPING_MATH_H_
