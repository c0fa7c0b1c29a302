// rewardguard/core/penalty.h
//
// The shaping formula, once: the weighted penalty of a cost row and the shaped
// reward clip(scale * (reward - penalty)). Header-only and host/device, so the
// Guard (guard/guard.h), the LibTorch CPU ops (shaping/shaping.cc) and the
// CUDA kernels (shaping/cuda/) compute the same numbers in the same order.
#ifndef REWARDGUARD_CORE_PENALTY_H_
#define REWARDGUARD_CORE_PENALTY_H_

#include <cstdint>

#if defined(__CUDACC__)
#define RG_HOST_DEVICE __host__ __device__
#else
#define RG_HOST_DEVICE
#endif

namespace rewardguard {

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

}  // namespace rewardguard

#endif  // REWARDGUARD_CORE_PENALTY_H_
