// CUDA kernels of rewardguard::torch. Each op is one host-to-device copy of
// the host-side inputs (packed into one pinned staging buffer) and one kernel,
// both on the current stream; the arithmetic is internal/shaping_math.h.
#include <ATen/Dispatch.h>
#include <ATen/OpMathType.h>
#include <ATen/cuda/CUDAContext.h>
#include <ATen/ops/empty.h>
#include <c10/cuda/CUDAGuard.h>
#include <torch/library.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "rewardguard/shaping/internal/cuda_entry.h"
#include "rewardguard/shaping/internal/ops.h"
#include "rewardguard/shaping/internal/row_index.h"
#include "rewardguard/shaping/internal/shaping_math.h"

namespace rewardguard::shaping::internal {
namespace {

constexpr int kThreads = 256;
constexpr int64_t kMaxBlocks = 65535;

size_t Align(size_t n) { return (n + 15) / 16 * 16; }

// One pinned host buffer and its device twin: callers reserve regions, fill
// the host side, then Upload() issues the single async copy.
class Staging {
 public:
  explicit Staging(c10::Device device) : device_(device) {}

  // Reserves `bytes` and returns the region's offset.
  size_t Reserve(size_t bytes) {
    const size_t offset = size_;
    size_ += Align(bytes);
    return offset;
  }

  void Allocate() {
    host_ = at::empty({static_cast<int64_t>(std::max<size_t>(size_, 16))},
                      at::TensorOptions().dtype(at::kByte).pinned_memory(true));
  }
  template <typename T>
  T* Host(size_t offset) {
    return reinterpret_cast<T*>(host_.mutable_data_ptr<uint8_t>() + offset);
  }
  // One cudaMemcpyAsync on the current stream; the caching host allocator
  // keeps the pinned block alive until the copy completes.
  void Upload() {
    device_buffer_ = at::empty(host_.sizes(),
                               at::TensorOptions().dtype(at::kByte).device(device_));
    device_buffer_.copy_(host_, /*non_blocking=*/true);
  }
  template <typename T>
  const T* Device(size_t offset) const {
    return reinterpret_cast<const T*>(device_buffer_.const_data_ptr<uint8_t>() +
                                      offset);
  }
  bool empty() const { return size_ == 0; }

 private:
  c10::Device device_;
  size_t size_ = 0;
  at::Tensor host_, device_buffer_;
};

// A tensor that is either already on the device (used in place) or copied
// into the staging buffer.
struct StagedInput {
  at::Tensor host;  // contiguous CPU tensor when staged
  const void* device_ptr = nullptr;
  size_t offset = 0;
  bool staged = false;
};

StagedInput Plan(Staging& staging, const at::Tensor& t) {
  StagedInput in;
  if (!t.defined()) return in;
  if (t.is_cuda()) {
    in.host = t.contiguous();  // stays on the device
    in.device_ptr = in.host.const_data_ptr();
  } else {
    in.host = t.contiguous();
    in.staged = true;
    in.offset = staging.Reserve(in.host.nbytes());
  }
  return in;
}

void Fill(Staging& staging, StagedInput& in) {
  if (!in.staged) return;
  if (in.host.nbytes() != 0) {
    std::memcpy(staging.Host<uint8_t>(in.offset), in.host.const_data_ptr(),
                in.host.nbytes());
  }
}

template <typename T>
const T* Resolve(const Staging& staging, const StagedInput& in) {
  if (!in.host.defined()) return nullptr;
  return in.staged ? staging.Device<T>(in.offset)
                   : static_cast<const T*>(in.device_ptr);
}

template <typename scalar_t, typename Acc>
__global__ void ShapeStepKernel(const scalar_t* in, scalar_t* out,
                                const float* costs, const float* weights,
                                int64_t num_envs, int64_t num_categories,
                                Acc scale, Acc clip) {
  for (int64_t b = blockIdx.x * int64_t{blockDim.x} + threadIdx.x;
       b < num_envs; b += int64_t{gridDim.x} * blockDim.x) {
    const Acc penalty =
        Penalty<Acc>(costs + b * num_categories, weights, num_categories);
    out[b] = static_cast<scalar_t>(
        ShapeValue<Acc>(static_cast<Acc>(in[b]), penalty, scale, clip));
  }
}

// One block per row: find the row's last valid token, then every thread
// shapes a strided slice of tokens, summing the penalties of the row's events
// that land on each token in event order (as the CPU path does).
template <typename scalar_t, typename Acc>
__global__ void ShapeTokensKernel(const scalar_t* in, scalar_t* out,
                                  int64_t num_rows, int64_t num_tokens,
                                  const int64_t* offsets,
                                  const int64_t* positions, const float* costs,
                                  const float* weights, int64_t num_categories,
                                  const int64_t* lengths, const bool* mask,
                                  Acc scale, Acc clip) {
  __shared__ unsigned long long last_plus_one;
  for (int64_t b = blockIdx.x; b < num_rows; b += gridDim.x) {
    int64_t last = num_tokens - 1;
    if (lengths != nullptr) {
      last = LastValidFromLength(lengths[b], num_tokens);
    } else if (mask != nullptr) {
      if (threadIdx.x == 0) last_plus_one = 0;
      __syncthreads();
      unsigned long long local = 0;
      for (int64_t t = threadIdx.x; t < num_tokens; t += blockDim.x) {
        if (mask[b * num_tokens + t]) local = static_cast<unsigned long long>(t) + 1;
      }
      if (local != 0) atomicMax(&last_plus_one, local);
      __syncthreads();
      last = static_cast<int64_t>(last_plus_one) - 1;
      __syncthreads();
    }
    const int64_t e0 = offsets[b];
    const int64_t e1 = offsets[b + 1];
    for (int64_t t = threadIdx.x; t < num_tokens; t += blockDim.x) {
      Acc penalty = Acc(0);
      for (int64_t e = e0; e < e1; ++e) {
        if (ResolvePosition(positions[e], last) == t) {
          penalty += Penalty<Acc>(costs + e * num_categories, weights,
                                  num_categories);
        }
      }
      const int64_t i = b * num_tokens + t;
      out[i] = static_cast<scalar_t>(
          ShapeValue<Acc>(static_cast<Acc>(in[i]), penalty, scale, clip));
    }
  }
}

__global__ void TerminationsKernel(const bool* terminated, const uint8_t* flags,
                                   bool* out, int64_t n) {
  for (int64_t b = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; b < n;
       b += int64_t{gridDim.x} * blockDim.x) {
    out[b] = Terminated(terminated[b], flags[b] != 0);
  }
}

unsigned Blocks(int64_t n) {
  return static_cast<unsigned>(
      std::min<int64_t>(kMaxBlocks, std::max<int64_t>(1, (n + kThreads - 1) / kThreads)));
}

}  // namespace

void ShapeStepCuda(const at::Tensor& rewards, const at::Tensor& out,
                   const at::Tensor& costs, const at::Tensor& weights,
                   double scale, double clip) {
  const c10::cuda::CUDAGuard guard(rewards.device());
  Staging staging(rewards.device());
  StagedInput c = Plan(staging, costs);
  StagedInput w = Plan(staging, weights);
  if (!staging.empty()) {
    staging.Allocate();
    Fill(staging, c);
    Fill(staging, w);
    staging.Upload();
  }
  const int64_t num_envs = rewards.size(0);
  const cudaStream_t stream = at::cuda::getCurrentCUDAStream();
  AT_DISPATCH_FLOATING_TYPES_AND2(
      at::kHalf, at::kBFloat16, rewards.scalar_type(), "shape_step_cuda", [&] {
        using Acc = at::opmath_type<scalar_t>;
        ShapeStepKernel<scalar_t, Acc><<<Blocks(num_envs), kThreads, 0, stream>>>(
            rewards.const_data_ptr<scalar_t>(), out.mutable_data_ptr<scalar_t>(),
            Resolve<float>(staging, c), Resolve<float>(staging, w), num_envs,
            costs.size(1), static_cast<Acc>(scale), static_cast<Acc>(clip));
        C10_CUDA_KERNEL_LAUNCH_CHECK();
      });
}

void ShapeTokensCuda(const at::Tensor& rewards, const at::Tensor& out,
                     const at::Tensor& costs, const at::Tensor& weights,
                     const at::Tensor& positions, const at::Tensor& rows,
                     const at::Tensor& lengths, const at::Tensor& mask,
                     double scale, double clip) {
  const c10::cuda::CUDAGuard guard(rewards.device());
  const int64_t num_rows = rewards.size(0);
  const int64_t num_tokens = rewards.size(1);
  const int64_t num_events = positions.size(0);
  const int64_t num_categories = costs.size(1);
  // Events are validated and grouped by row on the host (a device tensor is
  // fetched first: that is a sync, so pass them on the CPU).
  const at::Tensor c = costs.cpu().contiguous();
  const at::Tensor p = positions.cpu().contiguous();
  const at::Tensor r = rows.defined() ? rows.cpu().contiguous() : at::Tensor();

  Staging staging(rewards.device());
  const size_t offsets_at = staging.Reserve(sizeof(int64_t) * (num_rows + 1));
  const size_t positions_at = staging.Reserve(sizeof(int64_t) * num_events);
  const size_t costs_at =
      staging.Reserve(sizeof(float) * num_events * num_categories);
  StagedInput w = Plan(staging, weights);
  StagedInput len = Plan(staging, lengths);
  StagedInput m = Plan(staging, mask);
  staging.Allocate();
  std::vector<int64_t> order(num_events);
  int64_t* offsets = staging.Host<int64_t>(offsets_at);
  BuildRowIndex(num_rows, num_tokens, num_events,
                r.defined() ? r.const_data_ptr<int64_t>() : nullptr,
                p.const_data_ptr<int64_t>(), offsets, order.data());
  if (num_rows == 0 || num_tokens == 0) return;
  // Events grouped by row, in the staging buffer.
  int64_t* sorted_positions = staging.Host<int64_t>(positions_at);
  float* sorted_costs = staging.Host<float>(costs_at);
  const int64_t* pos = p.const_data_ptr<int64_t>();
  const float* cost = c.const_data_ptr<float>();
  for (int64_t i = 0; i < num_events; ++i) {
    const int64_t e = order[i];
    sorted_positions[i] = pos[e];
    for (int64_t k = 0; k < num_categories; ++k) {
      sorted_costs[i * num_categories + k] = cost[e * num_categories + k];
    }
  }
  Fill(staging, w);
  Fill(staging, len);
  Fill(staging, m);
  staging.Upload();

  const cudaStream_t stream = at::cuda::getCurrentCUDAStream();
  const unsigned blocks =
      static_cast<unsigned>(std::min<int64_t>(kMaxBlocks, num_rows));
  AT_DISPATCH_FLOATING_TYPES_AND2(
      at::kHalf, at::kBFloat16, rewards.scalar_type(), "shape_tokens_cuda", [&] {
        using Acc = at::opmath_type<scalar_t>;
        ShapeTokensKernel<scalar_t, Acc><<<blocks, kThreads, 0, stream>>>(
            rewards.const_data_ptr<scalar_t>(), out.mutable_data_ptr<scalar_t>(),
            num_rows, num_tokens, staging.Device<int64_t>(offsets_at),
            staging.Device<int64_t>(positions_at),
            staging.Device<float>(costs_at), Resolve<float>(staging, w),
            num_categories, Resolve<int64_t>(staging, len),
            Resolve<bool>(staging, m), static_cast<Acc>(scale),
            static_cast<Acc>(clip));
        C10_CUDA_KERNEL_LAUNCH_CHECK();
      });
}

void TerminationsCuda(const at::Tensor& terminated, const at::Tensor& flags,
                      const at::Tensor& out) {
  const c10::cuda::CUDAGuard guard(terminated.device());
  Staging staging(terminated.device());
  StagedInput f = Plan(staging, flags);
  if (!staging.empty()) {
    staging.Allocate();
    Fill(staging, f);
    staging.Upload();
  }
  const int64_t n = terminated.size(0);
  TerminationsKernel<<<Blocks(n), kThreads, 0,
                       at::cuda::getCurrentCUDAStream()>>>(
      terminated.const_data_ptr<bool>(), Resolve<uint8_t>(staging, f),
      out.mutable_data_ptr<bool>(), n);
  C10_CUDA_KERNEL_LAUNCH_CHECK();
}

}  // namespace rewardguard::shaping::internal

namespace internal = rewardguard::shaping::internal;

TORCH_LIBRARY_IMPL(rewardguard, CUDA, m) {
  m.impl("shape_step", &internal::ShapeStepOp);
  m.impl("shape_step_", &internal::ShapeStepOp_);
  m.impl("shape_tokens", &internal::ShapeTokensOp);
  m.impl("shape_tokens_", &internal::ShapeTokensOp_);
  m.impl("terminations", &internal::TerminationsOp);
  m.impl("terminations_", &internal::TerminationsOp_);
}
