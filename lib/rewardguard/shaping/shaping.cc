#include "rewardguard/shaping/shaping.h"

#include <ATen/Dispatch.h>
#include <ATen/OpMathType.h>
#include <ATen/Parallel.h>
#include <ATen/ops/empty.h>
#include <ATen/ops/empty_like.h>
#include <torch/library.h>

#include <algorithm>
#include <cstring>
#include <optional>
#include <utility>
#include <vector>

#include "rewardguard/shaping/internal/ops.h"
#include "rewardguard/shaping/internal/row_index.h"
#include "rewardguard/shaping/internal/shaping_math.h"
#ifdef REWARDGUARD_WITH_CUDA
#include "rewardguard/shaping/internal/cuda_entry.h"
#endif

namespace rewardguard::shaping {
namespace {

using internal::kMaxCategories;

// Elements per at::parallel_for task; below this a loop runs inline.
constexpr int64_t kGrainElements = 32768;

bool IsRewardDtype(at::ScalarType t) {
  return t == at::kFloat || t == at::kDouble || t == at::kHalf ||
         t == at::kBFloat16;
}

bool IsIdentity(double scale, double clip) {
  return scale == 1.0 && !(clip > 0.0);
}

void CheckRewards(const char* op, const at::Tensor& rewards, int64_t dim) {
  TORCH_CHECK(rewards.defined(), op, ": rewards is undefined");
  TORCH_CHECK(rewards.dim() == dim, op, ": rewards must have ", dim,
              " dimension(s), got shape ", rewards.sizes());
  TORCH_CHECK(IsRewardDtype(rewards.scalar_type()), op,
              ": rewards must be float32, float64, bfloat16 or float16, got ",
              rewards.scalar_type());
  TORCH_CHECK(rewards.is_cpu() || rewards.is_cuda(), op,
              ": rewards must be on the CPU or a CUDA device, got ",
              rewards.device());
}

// costs [rows, C] float32 and weights [C] float32 on the CPU or rewards'
// device.
void CheckCostsAndWeights(const char* op, const at::Tensor& rewards,
                          const at::Tensor& costs, int64_t rows,
                          const char* rows_name, const at::Tensor& weights) {
  TORCH_CHECK(costs.defined() && weights.defined(), op,
              ": costs and weights must be defined");
  TORCH_CHECK(costs.dim() == 2 && costs.size(0) == rows, op,
              ": costs must have shape [", rows_name, ", C] = [", rows,
              ", C], got ", costs.sizes());
  TORCH_CHECK(weights.dim() == 1 && weights.size(0) == costs.size(1), op,
              ": weights must have shape [C] = [", costs.size(1), "], got ",
              weights.sizes());
  TORCH_CHECK(costs.size(1) <= kMaxCategories, op, ": at most ",
              kMaxCategories, " cost categories, got ", costs.size(1));
  TORCH_CHECK(costs.scalar_type() == at::kFloat, op,
              ": costs must be float32, got ", costs.scalar_type());
  TORCH_CHECK(weights.scalar_type() == at::kFloat, op,
              ": weights must be float32, got ", weights.scalar_type());
  for (const at::Tensor* t : {&costs, &weights}) {
    TORCH_CHECK(t->is_cpu() || t->device() == rewards.device(), op,
                ": costs and weights must be on the CPU or on rewards' device ",
                rewards.device(), ", got ", t->device());
  }
  if (rewards.is_cpu()) {
    TORCH_CHECK(costs.is_cpu() && weights.is_cpu(), op,
                ": costs and weights must be on the CPU for CPU rewards");
  }
}

[[noreturn, maybe_unused]] void NoCuda(const char* op) {
  TORCH_CHECK(false, op,
              ": rewardguard was built without CUDA kernels "
              "(REWARDGUARD_WITH_CUDA off)");
}

// ---- step ----------------------------------------------------------------

template <typename scalar_t>
void ShapeStepCpuKernel(const scalar_t* in, scalar_t* out, const float* costs,
                        const float* weights, int64_t num_envs,
                        int64_t num_categories, double scale, double clip) {
  using Acc = at::opmath_type<scalar_t>;
  const Acc s = static_cast<Acc>(scale);
  const Acc k = static_cast<Acc>(clip);
  auto body = [=](int64_t begin, int64_t end) {
    for (int64_t b = begin; b < end; ++b) {
      const Acc penalty = internal::Penalty<Acc>(
          costs + b * num_categories, weights, num_categories);
      out[b] = static_cast<scalar_t>(internal::ShapeValue<Acc>(
          static_cast<Acc>(in[b]), penalty, s, k));
    }
  };
  if (num_envs <= kGrainElements) {
    body(0, num_envs);
  } else {
    at::parallel_for(0, num_envs, kGrainElements, body);
  }
}

void ShapeStepCpu(const at::Tensor& rewards, const at::Tensor& out,
                  const at::Tensor& costs, const at::Tensor& weights,
                  double scale, double clip) {
  const at::Tensor c = costs.contiguous();
  const at::Tensor w = weights.contiguous();
  AT_DISPATCH_FLOATING_TYPES_AND2(
      at::kHalf, at::kBFloat16, rewards.scalar_type(), "shape_step_cpu", [&] {
        ShapeStepCpuKernel<scalar_t>(
            rewards.const_data_ptr<scalar_t>(), out.mutable_data_ptr<scalar_t>(),
            c.const_data_ptr<float>(), w.const_data_ptr<float>(),
            rewards.size(0), c.size(1), scale, clip);
      });
}

// Writes shape_step(rewards) into out (same shape, contiguous; may alias).
void ShapeStepInto(const at::Tensor& rewards, const at::Tensor& out,
                   const at::Tensor& costs, const at::Tensor& weights,
                   double scale, double clip) {
  if (rewards.size(0) == 0) return;
  if (rewards.is_cpu()) {
    ShapeStepCpu(rewards, out, costs, weights, scale, clip);
  } else {
#ifdef REWARDGUARD_WITH_CUDA
    internal::ShapeStepCuda(rewards, out, costs, weights, scale, clip);
#else
    NoCuda("shape_step");
#endif
  }
}

// ---- tokens --------------------------------------------------------------

struct TokenArgs {
  at::Tensor rows, lengths, mask;
};

TokenArgs CheckTokens(const char* op, const at::Tensor& rewards,
                      const at::Tensor& costs, const at::Tensor& weights,
                      const at::Tensor& positions, const TokenOptions& options) {
  CheckRewards(op, rewards, 2);
  const int64_t num_rows = rewards.size(0);
  const int64_t num_tokens = rewards.size(1);
  TORCH_CHECK(positions.defined() && positions.dim() == 1 &&
                  positions.scalar_type() == at::kLong,
              op, ": positions must be int64 [N]");
  const int64_t num_events = positions.size(0);
  CheckCostsAndWeights(op, rewards, costs, num_events, "N", weights);
  TokenArgs args;
  if (options.rows.defined()) {
    TORCH_CHECK(options.rows.dim() == 1 && options.rows.size(0) == num_events &&
                    options.rows.scalar_type() == at::kLong,
                op, ": rows must be int64 [N] = [", num_events, "], got ",
                options.rows.scalar_type(), " ", options.rows.sizes());
    args.rows = options.rows;
  } else {
    TORCH_CHECK(num_events == num_rows, op,
                ": without rows, event e belongs to row e, so N (", num_events,
                ") must equal B (", num_rows, ")");
  }
  TORCH_CHECK(!(options.lengths.defined() && options.mask.defined()), op,
              ": pass lengths or mask, not both");
  if (options.lengths.defined()) {
    TORCH_CHECK(options.lengths.dim() == 1 &&
                    options.lengths.size(0) == num_rows &&
                    options.lengths.scalar_type() == at::kLong,
                op, ": lengths must be int64 [B] = [", num_rows, "], got ",
                options.lengths.scalar_type(), " ", options.lengths.sizes());
    args.lengths = options.lengths;
  }
  if (options.mask.defined()) {
    TORCH_CHECK(options.mask.dim() == 2 && options.mask.size(0) == num_rows &&
                    options.mask.size(1) == num_tokens &&
                    options.mask.scalar_type() == at::kBool,
                op, ": mask must be bool [B, T] = [", num_rows, ", ",
                num_tokens, "], got ", options.mask.scalar_type(), " ",
                options.mask.sizes());
    args.mask = options.mask;
  }
  for (const at::Tensor* t : {&args.lengths, &args.mask}) {
    if (t->defined()) {
      TORCH_CHECK(t->is_cpu() || t->device() == rewards.device(), op,
                  ": lengths and mask must be on the CPU or rewards' device");
      TORCH_CHECK(!rewards.is_cpu() || t->is_cpu(), op,
                  ": lengths and mask must be on the CPU for CPU rewards");
    }
  }
  return args;
}

template <typename scalar_t>
void ShapeTokensCpuKernel(const scalar_t* in, scalar_t* out, int64_t num_rows,
                          int64_t num_tokens, const int64_t* offsets,
                          const int64_t* order, const int64_t* positions,
                          const float* costs,
                          const float* weights, int64_t num_categories,
                          const int64_t* lengths, const bool* mask,
                          double scale, double clip) {
  using Acc = at::opmath_type<scalar_t>;
  const Acc s = static_cast<Acc>(scale);
  const Acc k = static_cast<Acc>(clip);
  const bool identity = IsIdentity(scale, clip);
  auto body = [=](int64_t begin, int64_t end) {
    std::vector<std::pair<int64_t, Acc>> hits;  // (token, penalty)
    for (int64_t b = begin; b < end; ++b) {
      int64_t last = num_tokens - 1;
      if (lengths != nullptr) {
        last = internal::LastValidFromLength(lengths[b], num_tokens);
      } else if (mask != nullptr) {
        last = num_tokens - 1;
        while (last >= 0 && !mask[b * num_tokens + last]) --last;
      }
      hits.clear();
      for (int64_t i = offsets[b]; i < offsets[b + 1]; ++i) {
        const int64_t e = order[i];
        const int64_t t = internal::ResolvePosition(positions[e], last);
        if (t < 0) continue;  // no valid token in this row: dropped
        hits.emplace_back(t, internal::Penalty<Acc>(
                                 costs + e * num_categories, weights,
                                 num_categories));
      }
      if (hits.size() > 1) {
        auto by_token = [](const auto& a, const auto& c) {
          return a.first < c.first;
        };
        if (hits.size() <= 32) {  // stable insertion sort: no allocation
          for (size_t i = 1; i < hits.size(); ++i) {
            for (size_t j = i; j > 0 && by_token(hits[j], hits[j - 1]); --j) {
              std::swap(hits[j], hits[j - 1]);
            }
          }
        } else {
          std::stable_sort(hits.begin(), hits.end(), by_token);
        }
        size_t w = 0;  // merge equal tokens, summing in event order
        for (size_t i = 1; i < hits.size(); ++i) {
          if (hits[i].first == hits[w].first) {
            hits[w].second += hits[i].second;
          } else {
            hits[++w] = hits[i];
          }
        }
        hits.resize(w + 1);
      }
      const scalar_t* row_in = in + b * num_tokens;
      scalar_t* row_out = out + b * num_tokens;
      if (identity) {
        if (row_out != row_in) {
          std::memcpy(row_out, row_in, sizeof(scalar_t) * num_tokens);
        }
        for (const auto& [t, penalty] : hits) {
          row_out[t] = static_cast<scalar_t>(internal::ShapeValue<Acc>(
              static_cast<Acc>(row_in[t]), penalty, s, k));
        }
      } else {
        size_t next = 0;
        for (int64_t t = 0; t < num_tokens; ++t) {
          Acc penalty = Acc(0);
          if (next < hits.size() && hits[next].first == t) {
            penalty = hits[next++].second;
          }
          row_out[t] = static_cast<scalar_t>(internal::ShapeValue<Acc>(
              static_cast<Acc>(row_in[t]), penalty, s, k));
        }
      }
    }
  };
  // In place without scale or clip, a row costs its events, not its tokens.
  const bool events_only = identity && in == out;
  const int64_t grain_rows =
      std::max<int64_t>(1, kGrainElements / std::max<int64_t>(1, num_tokens));
  if (num_rows <= grain_rows ||
      (events_only && offsets[num_rows] < kGrainElements)) {
    body(0, num_rows);
  } else {
    at::parallel_for(0, num_rows, grain_rows, body);
  }
}

void ShapeTokensCpu(const at::Tensor& rewards, const at::Tensor& out,
                    const at::Tensor& costs, const at::Tensor& weights,
                    const at::Tensor& positions, const TokenArgs& args,
                    double scale, double clip) {
  const int64_t num_rows = rewards.size(0);
  const int64_t num_tokens = rewards.size(1);
  const int64_t num_events = positions.size(0);
  const int64_t num_categories = costs.size(1);
  const at::Tensor c = costs.contiguous();
  const at::Tensor w = weights.contiguous();
  const at::Tensor p = positions.contiguous();
  const at::Tensor r = args.rows.defined() ? args.rows.contiguous() : at::Tensor();
  const at::Tensor len =
      args.lengths.defined() ? args.lengths.contiguous() : at::Tensor();
  const at::Tensor m = args.mask.defined() ? args.mask.contiguous() : at::Tensor();
  std::vector<int64_t> index(num_rows + 1 + num_events);  // offsets, order
  int64_t* offsets = index.data();
  int64_t* order = offsets + num_rows + 1;
  internal::BuildRowIndex(num_rows, num_tokens, num_events,
                          r.defined() ? r.const_data_ptr<int64_t>() : nullptr,
                          p.const_data_ptr<int64_t>(), offsets, order);
  if (num_tokens == 0) return;
  AT_DISPATCH_FLOATING_TYPES_AND2(
      at::kHalf, at::kBFloat16, rewards.scalar_type(), "shape_tokens_cpu", [&] {
        ShapeTokensCpuKernel<scalar_t>(
            rewards.const_data_ptr<scalar_t>(), out.mutable_data_ptr<scalar_t>(),
            num_rows, num_tokens, offsets, order, p.const_data_ptr<int64_t>(),
            c.const_data_ptr<float>(), w.const_data_ptr<float>(), num_categories,
            len.defined() ? len.const_data_ptr<int64_t>() : nullptr,
            m.defined() ? m.const_data_ptr<bool>() : nullptr, scale, clip);
      });
}

void ShapeTokensInto(const at::Tensor& rewards, const at::Tensor& out,
                     const at::Tensor& costs, const at::Tensor& weights,
                     const at::Tensor& positions, const TokenArgs& args,
                     double scale, double clip) {
  if (rewards.is_cpu()) {
    ShapeTokensCpu(rewards, out, costs, weights, positions, args, scale, clip);
  } else {
#ifdef REWARDGUARD_WITH_CUDA
    internal::ShapeTokensCuda(rewards, out, costs, weights, positions,
                              args.rows, args.lengths, args.mask, scale, clip);
#else
    NoCuda("shape_tokens");
#endif
  }
}

// ---- terminations --------------------------------------------------------

void CheckTerminations(const at::Tensor& terminated, const at::Tensor& flags) {
  TORCH_CHECK(terminated.defined() && terminated.dim() == 1 &&
                  terminated.scalar_type() == at::kBool,
              "terminations: terminated must be bool [B]");
  TORCH_CHECK(flags.defined() && flags.dim() == 1 &&
                  flags.size(0) == terminated.size(0) &&
                  (flags.scalar_type() == at::kBool ||
                   flags.scalar_type() == at::kByte),
              "terminations: flags must be bool or uint8 [B] = [",
              terminated.size(0), "]");
  TORCH_CHECK(flags.is_cpu() || flags.device() == terminated.device(),
              "terminations: flags must be on the CPU or terminated's device");
  TORCH_CHECK(!terminated.is_cpu() || flags.is_cpu(),
              "terminations: flags must be on the CPU for CPU terminated");
}

void TerminationsInto(const at::Tensor& terminated, const at::Tensor& flags,
                      const at::Tensor& out) {
  const int64_t n = terminated.size(0);
  if (n == 0) return;
  if (terminated.is_cpu()) {
    const at::Tensor f = flags.contiguous();
    const bool* in = terminated.const_data_ptr<bool>();
    const uint8_t* fl = static_cast<const uint8_t*>(f.const_data_ptr());
    bool* o = out.mutable_data_ptr<bool>();
    for (int64_t b = 0; b < n; ++b) {
      o[b] = internal::Terminated(in[b], fl[b] != 0);
    }
  } else {
#ifdef REWARDGUARD_WITH_CUDA
    internal::TerminationsCuda(terminated, flags, out);
#else
    NoCuda("terminations");
#endif
  }
}

// Runs `fn(in, out)` on a contiguous view of `self` and writes back when
// `self` is not contiguous.
template <typename Fn>
const at::Tensor& InPlace(const at::Tensor& self, Fn&& fn) {
  if (self.is_contiguous()) {
    fn(self, self);
  } else {
    at::Tensor tmp = self.contiguous();
    fn(tmp, tmp);
    self.copy_(tmp);
  }
  return self;
}

}  // namespace

at::Tensor ShapeStep(const at::Tensor& rewards, const at::Tensor& costs,
                     const at::Tensor& weights, ShapeOptions options) {
  CheckRewards("shape_step", rewards, 1);
  CheckCostsAndWeights("shape_step", rewards, costs, rewards.size(0), "B",
                       weights);
  const at::Tensor in = rewards.contiguous();
  at::Tensor out = at::empty_like(in, at::MemoryFormat::Contiguous);
  ShapeStepInto(in, out, costs, weights, options.scale, options.clip);
  return out;
}

const at::Tensor& ShapeStep_(const at::Tensor& rewards, const at::Tensor& costs,
                             const at::Tensor& weights, ShapeOptions options) {
  CheckRewards("shape_step_", rewards, 1);
  CheckCostsAndWeights("shape_step_", rewards, costs, rewards.size(0), "B",
                       weights);
  return InPlace(rewards, [&](const at::Tensor& in, const at::Tensor& out) {
    ShapeStepInto(in, out, costs, weights, options.scale, options.clip);
  });
}

at::Tensor ShapeTokens(const at::Tensor& rewards, const at::Tensor& costs,
                       const at::Tensor& weights, const at::Tensor& positions,
                       const TokenOptions& options) {
  const TokenArgs args =
      CheckTokens("shape_tokens", rewards, costs, weights, positions, options);
  const at::Tensor in = rewards.contiguous();
  at::Tensor out = at::empty_like(in, at::MemoryFormat::Contiguous);
  ShapeTokensInto(in, out, costs, weights, positions, args, options.scale,
                  options.clip);
  return out;
}

const at::Tensor& ShapeTokens_(const at::Tensor& rewards,
                               const at::Tensor& costs,
                               const at::Tensor& weights,
                               const at::Tensor& positions,
                               const TokenOptions& options) {
  const TokenArgs args =
      CheckTokens("shape_tokens_", rewards, costs, weights, positions, options);
  return InPlace(rewards, [&](const at::Tensor& in, const at::Tensor& out) {
    ShapeTokensInto(in, out, costs, weights, positions, args, options.scale,
                    options.clip);
  });
}

at::Tensor Terminations(const at::Tensor& terminated, const at::Tensor& flags) {
  CheckTerminations(terminated, flags);
  const at::Tensor in = terminated.contiguous();
  at::Tensor out = at::empty_like(in, at::MemoryFormat::Contiguous);
  TerminationsInto(in, flags, out);
  return out;
}

const at::Tensor& Terminations_(const at::Tensor& terminated,
                                const at::Tensor& flags) {
  CheckTerminations(terminated, flags);
  return InPlace(terminated, [&](const at::Tensor& in, const at::Tensor& out) {
    TerminationsInto(in, flags, out);
  });
}

bool HasCudaKernels() {
#ifdef REWARDGUARD_WITH_CUDA
  return true;
#else
  return false;
#endif
}

// ---- operator registration ------------------------------------------------
// The CUDA kernels register the same entry points from cuda/shaping_kernels.cu.

namespace internal {

at::Tensor ShapeStepOp(const at::Tensor& rewards, const at::Tensor& costs,
                       const at::Tensor& weights, double scale, double clip) {
  return ShapeStep(rewards, costs, weights, {scale, clip});
}

void ShapeStepOp_(at::Tensor& rewards, const at::Tensor& costs,
                         const at::Tensor& weights, double scale, double clip) {
  ShapeStep_(rewards, costs, weights, {scale, clip});
}

TokenOptions MakeTokenOptions(const std::optional<at::Tensor>& rows,
                              const std::optional<at::Tensor>& lengths,
                              const std::optional<at::Tensor>& mask,
                              double scale, double clip) {
  TokenOptions options;
  if (rows.has_value()) options.rows = *rows;
  if (lengths.has_value()) options.lengths = *lengths;
  if (mask.has_value()) options.mask = *mask;
  options.scale = scale;
  options.clip = clip;
  return options;
}

at::Tensor ShapeTokensOp(const at::Tensor& rewards, const at::Tensor& costs,
                         const at::Tensor& weights, const at::Tensor& positions,
                         const std::optional<at::Tensor>& rows,
                         const std::optional<at::Tensor>& lengths,
                         const std::optional<at::Tensor>& mask, double scale,
                         double clip) {
  return ShapeTokens(rewards, costs, weights, positions,
                     MakeTokenOptions(rows, lengths, mask, scale, clip));
}

void ShapeTokensOp_(at::Tensor& rewards, const at::Tensor& costs,
                           const at::Tensor& weights,
                           const at::Tensor& positions,
                           const std::optional<at::Tensor>& rows,
                           const std::optional<at::Tensor>& lengths,
                           const std::optional<at::Tensor>& mask, double scale,
                           double clip) {
  ShapeTokens_(rewards, costs, weights, positions,
               MakeTokenOptions(rows, lengths, mask, scale, clip));
}

at::Tensor TerminationsOp(const at::Tensor& terminated,
                          const at::Tensor& flags) {
  return Terminations(terminated, flags);
}

void TerminationsOp_(at::Tensor& terminated, const at::Tensor& flags) {
  Terminations_(terminated, flags);
}

// Meta kernels: shapes only, for torch.compile tracing.
at::Tensor ShapeStepMeta(const at::Tensor& rewards, const at::Tensor&,
                         const at::Tensor&, double, double) {
  return at::empty_like(rewards, at::MemoryFormat::Contiguous);
}
void ShapeStepMeta_(at::Tensor&, const at::Tensor&, const at::Tensor&, double,
                    double) {}
at::Tensor ShapeTokensMeta(const at::Tensor& rewards, const at::Tensor&,
                           const at::Tensor&, const at::Tensor&,
                           const std::optional<at::Tensor>&,
                           const std::optional<at::Tensor>&,
                           const std::optional<at::Tensor>&, double, double) {
  return at::empty_like(rewards, at::MemoryFormat::Contiguous);
}
void ShapeTokensMeta_(at::Tensor&, const at::Tensor&, const at::Tensor&,
                      const at::Tensor&, const std::optional<at::Tensor>&,
                      const std::optional<at::Tensor>&,
                      const std::optional<at::Tensor>&, double, double) {}
at::Tensor TerminationsMeta(const at::Tensor& terminated, const at::Tensor&) {
  return at::empty_like(terminated, at::MemoryFormat::Contiguous);
}
void TerminationsMeta_(at::Tensor&, const at::Tensor&) {}

}  // namespace internal
}  // namespace rewardguard::shaping

namespace internal = rewardguard::shaping::internal;

// The in-place forms mutate their first argument and return nothing: an
// output aliasing an input cannot be functionalized (torch.compile, AOT
// dispatch), and opcheck (tests/python/test_ops.py) holds every op to that.
TORCH_LIBRARY(rewardguard, m) {
  m.def(
      "shape_step(Tensor rewards, Tensor costs, Tensor weights, "
      "float scale=1.0, float clip=0.0) -> Tensor");
  m.def(
      "shape_step_(Tensor(a!) rewards, Tensor costs, Tensor weights, "
      "float scale=1.0, float clip=0.0) -> ()");
  m.def(
      "shape_tokens(Tensor rewards, Tensor costs, Tensor weights, "
      "Tensor positions, Tensor? rows=None, Tensor? lengths=None, "
      "Tensor? mask=None, float scale=1.0, float clip=0.0) -> Tensor");
  m.def(
      "shape_tokens_(Tensor(a!) rewards, Tensor costs, Tensor weights, "
      "Tensor positions, Tensor? rows=None, Tensor? lengths=None, "
      "Tensor? mask=None, float scale=1.0, float clip=0.0) -> ()");
  m.def("terminations(Tensor terminated, Tensor flags) -> Tensor");
  m.def("terminations_(Tensor(a!) terminated, Tensor flags) -> ()");
}

TORCH_LIBRARY_IMPL(rewardguard, CPU, m) {
  m.impl("shape_step", &internal::ShapeStepOp);
  m.impl("shape_step_", &internal::ShapeStepOp_);
  m.impl("shape_tokens", &internal::ShapeTokensOp);
  m.impl("shape_tokens_", &internal::ShapeTokensOp_);
  m.impl("terminations", &internal::TerminationsOp);
  m.impl("terminations_", &internal::TerminationsOp_);
}

TORCH_LIBRARY_IMPL(rewardguard, Meta, m) {
  m.impl("shape_step", &internal::ShapeStepMeta);
  m.impl("shape_step_", &internal::ShapeStepMeta_);
  m.impl("shape_tokens", &internal::ShapeTokensMeta);
  m.impl("shape_tokens_", &internal::ShapeTokensMeta_);
  m.impl("terminations", &internal::TerminationsMeta);
  m.impl("terminations_", &internal::TerminationsMeta_);
}
