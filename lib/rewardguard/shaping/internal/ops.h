// Operator entry points (the schemas of TORCH_LIBRARY(rewardguard) in
// shaping.cc), registered for CPU there and for CUDA in cuda/*.cu.
#ifndef REWARDGUARD_SHAPING_INTERNAL_OPS_H_
#define REWARDGUARD_SHAPING_INTERNAL_OPS_H_

#include <ATen/core/Tensor.h>

#include <optional>

namespace rewardguard::shaping::internal {

at::Tensor ShapeStepOp(const at::Tensor& rewards, const at::Tensor& costs,
                       const at::Tensor& weights, double scale, double clip);
void ShapeStepOp_(at::Tensor& rewards, const at::Tensor& costs,
                         const at::Tensor& weights, double scale, double clip);
at::Tensor ShapeTokensOp(const at::Tensor& rewards, const at::Tensor& costs,
                         const at::Tensor& weights, const at::Tensor& positions,
                         const std::optional<at::Tensor>& rows,
                         const std::optional<at::Tensor>& lengths,
                         const std::optional<at::Tensor>& mask, double scale,
                         double clip);
void ShapeTokensOp_(at::Tensor& rewards, const at::Tensor& costs,
                           const at::Tensor& weights,
                           const at::Tensor& positions,
                           const std::optional<at::Tensor>& rows,
                           const std::optional<at::Tensor>& lengths,
                           const std::optional<at::Tensor>& mask, double scale,
                           double clip);
at::Tensor TerminationsOp(const at::Tensor& terminated,
                          const at::Tensor& flags);
void TerminationsOp_(at::Tensor& terminated, const at::Tensor& flags);

}  // namespace rewardguard::shaping::internal

#endif  // REWARDGUARD_SHAPING_INTERNAL_OPS_H_
