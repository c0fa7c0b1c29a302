#include "rewardguard/shaping/shaping.h"

#include <ATen/ATen.h>
#include <ATen/core/dispatch/Dispatcher.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <torch/cuda.h>

#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

namespace rewardguard::shaping {
namespace {

using ::testing::HasSubstr;

const at::ScalarType kDtypes[] = {at::kFloat, at::kDouble, at::kHalf,
                                  at::kBFloat16};

// ---- plain reference loops -------------------------------------------------

template <typename Acc>
Acc RefShape(Acc r, Acc pen, double scale, double clip) {
  Acc v = static_cast<Acc>(scale) * (r - pen);
  if (clip > 0) {
    const Acc k = static_cast<Acc>(clip);
    if (v > k) v = k;
    if (v < -k) v = -k;
  }
  return v;
}

template <typename Acc>
Acc RefPenalty(const at::Tensor& costs, int64_t row, const at::Tensor& w) {
  Acc sum = 0;
  auto c = costs.accessor<float, 2>();
  auto wa = w.accessor<float, 1>();
  for (int64_t k = 0; k < costs.size(1); ++k) {
    sum += static_cast<Acc>(wa[k]) * static_cast<Acc>(c[row][k]);
  }
  return sum;
}

at::Tensor RefStep(const at::Tensor& rewards, const at::Tensor& costs,
                   const at::Tensor& w, double scale, double clip) {
  at::Tensor out = at::empty_like(rewards);
  AT_DISPATCH_FLOATING_TYPES_AND2(
      at::kHalf, at::kBFloat16, rewards.scalar_type(), "ref", [&] {
        using Acc = std::conditional_t<std::is_same_v<scalar_t, double>, double, float>;
        for (int64_t b = 0; b < rewards.size(0); ++b) {
          const Acc r = static_cast<Acc>(rewards[b].item<scalar_t>());
          out[b] = static_cast<scalar_t>(
              RefShape<Acc>(r, RefPenalty<Acc>(costs, b, w), scale, clip));
        }
      });
  return out;
}

at::Tensor RefTokens(const at::Tensor& rewards, const at::Tensor& costs,
                     const at::Tensor& w, const at::Tensor& positions,
                     const at::Tensor& rows, const at::Tensor& lengths,
                     const at::Tensor& mask, double scale, double clip) {
  const int64_t B = rewards.size(0), T = rewards.size(1);
  at::Tensor out = at::empty_like(rewards);
  AT_DISPATCH_FLOATING_TYPES_AND2(
      at::kHalf, at::kBFloat16, rewards.scalar_type(), "ref", [&] {
        using Acc = std::conditional_t<std::is_same_v<scalar_t, double>, double, float>;
        std::vector<Acc> pen(B * T, Acc(0));
        for (int64_t e = 0; e < positions.size(0); ++e) {
          const int64_t b = rows.defined() ? rows[e].item<int64_t>() : e;
          int64_t t = positions[e].item<int64_t>();
          if (t == -1) {
            t = T - 1;
            if (lengths.defined()) t = std::min(lengths[b].item<int64_t>(), T) - 1;
            if (mask.defined()) {
              t = -1;
              for (int64_t i = 0; i < T; ++i) {
                if (mask[b][i].item<bool>()) t = i;
              }
            }
          }
          if (t < 0) continue;
          pen[b * T + t] += RefPenalty<Acc>(costs, e, w);
        }
        auto r = rewards.accessor<scalar_t, 2>();
        auto o = out.accessor<scalar_t, 2>();
        for (int64_t b = 0; b < B; ++b) {
          for (int64_t t = 0; t < T; ++t) {
            o[b][t] = static_cast<scalar_t>(RefShape<Acc>(
                static_cast<Acc>(r[b][t]), pen[b * T + t], scale, clip));
          }
        }
      });
  return out;
}

// Bitwise equality, NaN equal to NaN.
void ExpectSame(const at::Tensor& got, const at::Tensor& want) {
  ASSERT_EQ(got.scalar_type(), want.scalar_type());
  ASSERT_EQ(got.sizes(), want.sizes());
  ASSERT_EQ(got.device(), want.device());
  EXPECT_TRUE(at::allclose(got.cpu().to(at::kDouble), want.cpu().to(at::kDouble),
                           0.0, 0.0, /*equal_nan=*/true))
      << "got\n" << got << "\nwant\n" << want;
}

at::Tensor RandomCosts(int64_t n, int64_t c) {
  // Integers and halves mostly, as rule penalties are; some fractions.
  return (at::randint(0, 4, {n, c}) * 0.5 + at::rand({n, c}) * 0.01)
      .to(at::kFloat);
}

struct Mode {
  double scale, clip;
};
const Mode kModes[] = {{1.0, 0.0}, {0.5, 0.0}, {2.0, 1.5}, {1.0, -1.0}};

// ---- shape_step -----------------------------------------------------------

TEST(ShapeStep, MatchesReferenceForEveryDtypeShapeAndMode) {
  at::manual_seed(1);
  for (at::ScalarType dtype : kDtypes) {
    for (int64_t B : {0, 1, 7, 1000}) {
      for (int64_t C : {0, 1, 5, 16}) {
        for (Mode mode : kModes) {
          SCOPED_TRACE(::testing::Message() << dtype << " B=" << B << " C=" << C
                                            << " scale=" << mode.scale
                                            << " clip=" << mode.clip);
          const at::Tensor r = (at::randn({B}) * 3).to(dtype);
          const at::Tensor costs = RandomCosts(B, C);
          const at::Tensor w = at::rand({C});
          const at::Tensor want = RefStep(r, costs, w, mode.scale, mode.clip);
          ExpectSame(ShapeStep(r, costs, w, {mode.scale, mode.clip}), want);
          at::Tensor inplace = r.clone();
          ShapeStep_(inplace, costs, w, {mode.scale, mode.clip});
          ExpectSame(inplace, want);
        }
      }
    }
  }
}

TEST(ShapeStep, LargeBatchRunsInParallelAndMatches) {
  at::manual_seed(2);
  for (at::ScalarType dtype : kDtypes) {
    const at::Tensor r = at::randn({100000}).to(dtype);
    const at::Tensor costs = RandomCosts(100000, 3);
    const at::Tensor w = at::rand({3});
    ExpectSame(ShapeStep(r, costs, w, {0.7, 2.0}),
               RefStep(r, costs, w, 0.7, 2.0));
  }
}

TEST(ShapeStep, NonContiguousInputs) {
  at::manual_seed(3);
  const at::Tensor base = at::randn({20});
  const at::Tensor r = base.slice(0, 0, 20, 2);  // stride 2
  const at::Tensor costs = RandomCosts(4, 10).t();  // [10, 4] transposed
  const at::Tensor w = at::rand({4});
  const at::Tensor want = RefStep(r.contiguous(), costs.contiguous(), w, 1, 0);
  ExpectSame(ShapeStep(r, costs, w), want);
  at::Tensor view = base.clone().slice(0, 0, 20, 2);
  ShapeStep_(view, costs, w);
  ExpectSame(view, want);
}

TEST(ShapeStep, NanRewardsPassThroughEvenClipped) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  for (at::ScalarType dtype : kDtypes) {
    const at::Tensor r = at::tensor({nan, 5.0f, -5.0f}).to(dtype);
    const at::Tensor costs = at::tensor({1.0f, 0.0f, 0.0f}).reshape({3, 1});
    const at::Tensor out = ShapeStep(r, costs, at::ones({1}), {1.0, 2.0});
    EXPECT_TRUE(std::isnan(out[0].item<double>())) << dtype;
    EXPECT_EQ(out[1].item<double>(), 2.0) << dtype;
    EXPECT_EQ(out[2].item<double>(), -2.0) << dtype;
  }
}

TEST(ShapeStep, RejectsBadArguments) {
  const at::Tensor r = at::zeros({2});
  const at::Tensor costs = at::zeros({2, 3});
  const at::Tensor w = at::zeros({3});
  auto message = [](auto&& fn) {
    try {
      fn();
    } catch (const c10::Error& e) {
      return std::string(e.what_without_backtrace());
    }
    return std::string("no error");
  };
  EXPECT_THAT(message([&] { ShapeStep(r, costs.to(at::kDouble), w); }),
              HasSubstr("costs must be float32"));
  EXPECT_THAT(message([&] { ShapeStep(r, at::zeros({3, 3}), w); }),
              HasSubstr("costs must have shape [B, C] = [2, C]"));
  EXPECT_THAT(message([&] { ShapeStep(r, costs, at::zeros({2})); }),
              HasSubstr("weights must have shape [C] = [3]"));
  EXPECT_THAT(message([&] {
                ShapeStep(r, at::zeros({2, 17}), at::zeros({17}));
              }),
              HasSubstr("at most 16 cost categories"));
  EXPECT_THAT(message([&] { ShapeStep(r.to(at::kInt), costs, w); }),
              HasSubstr("rewards must be float32, float64, bfloat16 or float16"));
  EXPECT_THAT(message([&] { ShapeStep(at::zeros({2, 1}), costs, w); }),
              HasSubstr("rewards must have 1 dimension(s)"));
}

// ---- shape_tokens -----------------------------------------------------------

struct TokenCase {
  int64_t B, T, N;
  int valid;  // 0: none, 1: lengths, 2: mask
  bool with_rows;
};

TEST(ShapeTokens, MatchesReferenceForEveryDtypeShapeAndMode) {
  at::manual_seed(4);
  const TokenCase cases[] = {
      {4, 16, 4, 0, false}, {4, 16, 9, 1, true},  {5, 33, 12, 2, true},
      {3, 1, 6, 1, true},   {3, 1, 3, 2, false},  {0, 8, 0, 1, true},
      {6, 0, 0, 0, true},   {64, 700, 200, 2, true}, {64, 700, 64, 1, false},
  };
  for (at::ScalarType dtype : kDtypes) {
    for (const TokenCase& k : cases) {
      for (Mode mode : kModes) {
        SCOPED_TRACE(::testing::Message()
                     << dtype << " B=" << k.B << " T=" << k.T << " N=" << k.N
                     << " valid=" << k.valid << " scale=" << mode.scale);
        const int64_t C = 3;
        const at::Tensor r = at::randn({k.B, k.T}).to(dtype);
        const at::Tensor costs = RandomCosts(k.N, C);
        const at::Tensor w = at::rand({C});
        // Positions in [-1, T): many -1, collisions on small T.
        const at::Tensor positions =
            k.T == 0 ? at::zeros({0}, at::kLong)
                     : at::randint(-1, k.T, {k.N}, at::kLong);
        TokenOptions o;
        o.scale = mode.scale;
        o.clip = mode.clip;
        if (k.with_rows) o.rows = at::randint(0, std::max<int64_t>(k.B, 1), {k.N}, at::kLong);
        if (k.valid == 1) o.lengths = at::randint(0, k.T + 2, {k.B}, at::kLong);
        if (k.valid == 2) {
          o.mask = at::rand({k.B, k.T}) < 0.7;
          if (k.B > 1) o.mask[1].fill_(false);  // a fully masked row
        }
        const at::Tensor want = RefTokens(r, costs, w, positions, o.rows,
                                          o.lengths, o.mask, o.scale, o.clip);
        ExpectSame(ShapeTokens(r, costs, w, positions, o), want);
        at::Tensor inplace = r.clone();
        ShapeTokens_(inplace, costs, w, positions, o);
        ExpectSame(inplace, want);
      }
    }
  }
}

TEST(ShapeTokens, PenaltyLandsOnCallEndOrLastValidToken) {
  const at::Tensor r = at::zeros({2, 6});
  const at::Tensor costs = at::tensor({1.0f, 2.0f, 4.0f}).reshape({3, 1});
  const at::Tensor positions = at::tensor({2, -1, 2}, at::kLong);
  TokenOptions o;
  o.rows = at::tensor({0, 0, 1}, at::kLong);
  o.lengths = at::tensor({5, 6}, at::kLong);
  const at::Tensor out = ShapeTokens(r, costs, at::ones({1}), positions, o);
  const at::Tensor want = at::tensor(
      {0.f, 0.f, -1.f, 0.f, -2.f, 0.f, 0.f, 0.f, -4.f, 0.f, 0.f, 0.f}).reshape({2, 6});
  ExpectSame(out, want);
}

TEST(ShapeTokens, SeveralCallsOnOneTokenAddUp) {
  const at::Tensor r = at::full({1, 3}, 10.0);
  const at::Tensor costs = at::tensor({1.0f, 2.0f, 3.0f}).reshape({3, 1});
  TokenOptions o;
  o.rows = at::zeros({3}, at::kLong);
  const at::Tensor out =
      ShapeTokens(r, costs, at::ones({1}), at::tensor({1, 1, -1}, at::kLong), o);
  ExpectSame(out, at::tensor({10.0, 7.0, 7.0}, at::kDouble).reshape({1, 3}).to(at::kFloat));
}

TEST(ShapeTokens, FullyMaskedRowDropsLastTokenPenalty) {
  const at::Tensor r = at::ones({2, 4});
  const at::Tensor costs = at::ones({2, 1});
  const at::Tensor positions = at::tensor({-1, -1}, at::kLong);
  TokenOptions o;
  o.mask = at::ones({2, 4}, at::kBool);
  o.mask[0].fill_(false);
  at::Tensor out = ShapeTokens(r, costs, at::ones({1}), positions, o);
  ExpectSame(out[0], at::ones({4}));                              // dropped
  ExpectSame(out[1], at::tensor({1.f, 1.f, 1.f, 0.f}));          // last token
  TokenOptions by_length;
  by_length.lengths = at::tensor({0, 2}, at::kLong);
  out = ShapeTokens(r, costs, at::ones({1}), positions, by_length);
  ExpectSame(out[0], at::ones({4}));
  ExpectSame(out[1], at::tensor({1.f, 0.f, 1.f, 1.f}));
}

TEST(ShapeTokens, RejectsOutOfRangeEventsWithClearMessages) {
  const at::Tensor r = at::zeros({2, 4});
  const at::Tensor costs = at::ones({2, 1});
  const at::Tensor w = at::ones({1});
  auto message = [&](at::Tensor positions, TokenOptions o) {
    at::Tensor copy = r.clone();
    try {
      ShapeTokens_(copy, costs, w, positions, o);
    } catch (const c10::Error& e) {
      EXPECT_TRUE(copy.eq(0).all().item<bool>()) << "wrote before failing";
      return std::string(e.what_without_backtrace());
    }
    return std::string("no error");
  };
  EXPECT_THAT(message(at::tensor({0, 4}, at::kLong), {}),
              HasSubstr("positions[1] = 4 is out of range for 4 tokens"));
  EXPECT_THAT(message(at::tensor({-2, 0}, at::kLong), {}),
              HasSubstr("positions[0] = -2 is out of range"));
  TokenOptions bad_rows;
  bad_rows.rows = at::tensor({0, 2}, at::kLong);
  EXPECT_THAT(message(at::tensor({0, 0}, at::kLong), bad_rows),
              HasSubstr("rows[1] = 2 is out of range for 2 rows"));
  TokenOptions both;
  both.lengths = at::ones({2}, at::kLong);
  both.mask = at::ones({2, 4}, at::kBool);
  EXPECT_THAT(message(at::tensor({0, 0}, at::kLong), both),
              HasSubstr("pass lengths or mask, not both"));
  EXPECT_THAT(message(at::tensor({0}, at::kLong), {}),
              HasSubstr("costs must have shape [N, C] = [1, C]"));
}

// ---- terminations ---------------------------------------------------------

TEST(Terminations, OrsFlagsIntoTerminated) {
  at::manual_seed(5);
  for (int64_t B : {0, 1, 77}) {
    const at::Tensor t = at::rand({B}) < 0.3;
    const at::Tensor f = at::rand({B}) < 0.3;
    const at::Tensor want = at::logical_or(t, f);
    ExpectSame(Terminations(t, f), want);
    ExpectSame(Terminations(t, f.to(at::kByte)), want);
    at::Tensor inplace = t.clone();
    Terminations_(inplace, f);
    ExpectSame(inplace, want);
  }
}

// ---- registered operators ---------------------------------------------------

TEST(Operators, DispatcherMatchesCppApi) {
  at::manual_seed(6);
  const at::Tensor r = at::randn({9}).to(at::kHalf);
  const at::Tensor costs = RandomCosts(9, 2);
  const at::Tensor w = at::rand({2});
  auto op = c10::Dispatcher::singleton()
                .findSchemaOrThrow("rewardguard::shape_step", "")
                .typed<at::Tensor(const at::Tensor&, const at::Tensor&,
                                  const at::Tensor&, double, double)>();
  ExpectSame(op.call(r, costs, w, 0.5, 1.0), ShapeStep(r, costs, w, {0.5, 1.0}));

  auto tokens = c10::Dispatcher::singleton()
                    .findSchemaOrThrow("rewardguard::shape_tokens", "")
                    .typed<at::Tensor(const at::Tensor&, const at::Tensor&,
                                      const at::Tensor&, const at::Tensor&,
                                      const std::optional<at::Tensor>&,
                                      const std::optional<at::Tensor>&,
                                      const std::optional<at::Tensor>&, double,
                                      double)>();
  const at::Tensor tr = at::randn({3, 5});
  const at::Tensor pos = at::tensor({1, -1, 4}, at::kLong);
  const at::Tensor tc = RandomCosts(3, 2);
  const at::Tensor lengths = at::tensor({5, 2, 5}, at::kLong);
  TokenOptions o;
  o.lengths = lengths;
  ExpectSame(tokens.call(tr, tc, w, pos, std::nullopt, lengths, std::nullopt, 1.0, 0.0),
             ShapeTokens(tr, tc, w, pos, o));

  // Meta: shapes only.
  const at::Tensor meta = op.call(at::empty({4}, at::TensorOptions().device(at::kMeta)),
                                  at::empty({4, 2}, at::TensorOptions().device(at::kMeta)),
                                  at::empty({2}, at::TensorOptions().device(at::kMeta)),
                                  1.0, 0.0);
  EXPECT_TRUE(meta.is_meta());
  EXPECT_EQ(meta.sizes(), at::IntArrayRef({4}));
}

// ---- CUDA: same results as the CPU path, bit for bit (--fmad=false) --------

class ShapingCuda : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
    if (!HasCudaKernels()) GTEST_SKIP() << "built without CUDA kernels";
  }
};

TEST_F(ShapingCuda, StepMatchesCpu) {
  at::manual_seed(7);
  const at::Device cuda(at::kCUDA, 0);
  for (at::ScalarType dtype : kDtypes) {
    for (int64_t B : {0, 1, 1000, 70000}) {
      for (Mode mode : kModes) {
        SCOPED_TRACE(::testing::Message() << dtype << " B=" << B);
        const at::Tensor r = at::randn({B}).to(dtype);
        const at::Tensor costs = RandomCosts(B, 5);
        const at::Tensor w = at::rand({5});
        const at::Tensor want = ShapeStep(r, costs, w, {mode.scale, mode.clip});
        // Host costs and weights (staged), and device ones.
        ExpectSame(ShapeStep(r.to(cuda), costs, w, {mode.scale, mode.clip}), want.to(cuda));
        ExpectSame(ShapeStep(r.to(cuda), costs.to(cuda), w.to(cuda),
                             {mode.scale, mode.clip}),
                   want.to(cuda));
        at::Tensor inplace = r.to(cuda);
        ShapeStep_(inplace, costs.pin_memory(), w, {mode.scale, mode.clip});
        ExpectSame(inplace, want.to(cuda));
      }
    }
  }
}

TEST_F(ShapingCuda, TokensMatchCpu) {
  at::manual_seed(8);
  const at::Device cuda(at::kCUDA, 0);
  for (at::ScalarType dtype : kDtypes) {
    for (int valid : {0, 1, 2}) {
      for (auto [B, T, N] : {std::tuple<int64_t, int64_t, int64_t>{0, 4, 0},
                             {3, 1, 5}, {17, 300, 40}, {256, 4096, 512}}) {
        SCOPED_TRACE(::testing::Message() << dtype << " B=" << B << " T=" << T);
        const at::Tensor r = at::randn({B, T}).to(dtype);
        const at::Tensor costs = RandomCosts(N, 4);
        const at::Tensor w = at::rand({4});
        const at::Tensor positions = at::randint(-1, T, {N}, at::kLong);
        TokenOptions o;
        o.rows = at::randint(0, std::max<int64_t>(B, 1), {N}, at::kLong);
        o.scale = 0.5;
        o.clip = 3.0;
        if (valid == 1) o.lengths = at::randint(0, T + 1, {B}, at::kLong);
        if (valid == 2) o.mask = at::rand({B, T}) < 0.5;
        const at::Tensor want = ShapeTokens(r, costs, w, positions, o);
        TokenOptions od = o;
        if (od.lengths.defined()) od.lengths = od.lengths.to(cuda);
        if (od.mask.defined()) od.mask = od.mask.to(cuda);
        ExpectSame(ShapeTokens(r.to(cuda), costs, w, positions, od), want.to(cuda));
        at::Tensor inplace = r.to(cuda);
        ShapeTokens_(inplace, costs, w.to(cuda), positions, o);  // host lengths/mask
        ExpectSame(inplace, want.to(cuda));
      }
    }
  }
}

TEST_F(ShapingCuda, TerminationsMatchCpu) {
  const at::Device cuda(at::kCUDA, 0);
  const at::Tensor t = at::rand({1000}) < 0.5;
  const at::Tensor f = at::rand({1000}) < 0.5;
  ExpectSame(Terminations(t.to(cuda), f), at::logical_or(t, f).to(cuda));
  at::Tensor inplace = t.to(cuda);
  Terminations_(inplace, f.to(cuda));
  ExpectSame(inplace, at::logical_or(t, f).to(cuda));
}

TEST_F(ShapingCuda, OutOfRangeRejectedOnHostBeforeAnyCopy) {
  const at::Device cuda(at::kCUDA, 0);
  try {
    ShapeTokens(at::zeros({2, 4}, cuda), at::ones({2, 1}), at::ones({1}),
                at::tensor({0, 9}, at::kLong));
    FAIL() << "no error";
  } catch (const c10::Error& e) {
    EXPECT_THAT(e.what_without_backtrace(), HasSubstr("positions[1] = 9"));
  }
}

}  // namespace
}  // namespace rewardguard::shaping
