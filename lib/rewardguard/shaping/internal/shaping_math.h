// The arithmetic of every shaping kernel, one inline function per formula,
// compiled by both the C++ compiler (CPU path) and nvcc (CUDA path), so the
// CPU tests cover what the GPU computes. The penalty and the shaped value are
// core/penalty.h's, which the Guard uses too.
#ifndef REWARDGUARD_SHAPING_INTERNAL_SHAPING_MATH_H_
#define REWARDGUARD_SHAPING_INTERNAL_SHAPING_MATH_H_

#include <cstdint>

#include "rewardguard/core/limits.h"
#include "rewardguard/core/penalty.h"  // Penalty, ShapeValue, RG_HOST_DEVICE

namespace rewardguard::shaping::internal {

// Categories of cost a step may carry; CUDA kernels keep weights in registers.
using ::rewardguard::kMaxCategories;

using ::rewardguard::Penalty;
using ::rewardguard::ShapeValue;

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
