// CUDA implementations (cuda/shaping_kernels.cu), called by the device
// switch in shaping.cc once shapes and dtypes are checked. `out` may alias
// the input (in-place variants).
#ifndef REWARDGUARD_SHAPING_INTERNAL_CUDA_ENTRY_H_
#define REWARDGUARD_SHAPING_INTERNAL_CUDA_ENTRY_H_

#include <ATen/core/Tensor.h>

namespace rewardguard::shaping::internal {

void ShapeStepCuda(const at::Tensor& rewards, const at::Tensor& out,
                   const at::Tensor& costs, const at::Tensor& weights,
                   double scale, double clip);

// rows/lengths/mask may be undefined.
void ShapeTokensCuda(const at::Tensor& rewards, const at::Tensor& out,
                     const at::Tensor& costs, const at::Tensor& weights,
                     const at::Tensor& positions, const at::Tensor& rows,
                     const at::Tensor& lengths, const at::Tensor& mask,
                     double scale, double clip);

void TerminationsCuda(const at::Tensor& terminated, const at::Tensor& flags,
                      const at::Tensor& out);

}  // namespace rewardguard::shaping::internal

#endif  // REWARDGUARD_SHAPING_INTERNAL_CUDA_ENTRY_H_
