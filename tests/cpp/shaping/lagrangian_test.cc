#include "rewardguard/shaping/lagrangian.h"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <vector>

namespace rewardguard::shaping {
namespace {

LagrangianController Make(std::vector<double> limits, PidOptions o) {
  absl::StatusOr<LagrangianController> c = LagrangianController::Create(limits, o);
  EXPECT_TRUE(c.ok()) << c.status();
  return *std::move(c);
}

TEST(Lagrangian, MultiplierRisesWhileOverLimitThenFallsToZero) {
  LagrangianController c = Make({1.0, 5.0}, {.kp = 0.1, .ki = 0.05, .kd = 0.1});
  EXPECT_EQ(c.multipliers()[0], 0.0);
  double previous = 0.0;
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(c.Update({3.0, 0.0}).ok());  // category 0 over, 1 under
    EXPECT_GT(c.multipliers()[0], previous);
    previous = c.multipliers()[0];
    EXPECT_EQ(c.multipliers()[1], 0.0);
  }
  for (int i = 0; i < 200; ++i) ASSERT_TRUE(c.Update({0.0, 0.0}).ok());
  EXPECT_EQ(c.multipliers()[0], 0.0);
  EXPECT_EQ(c.state().integral[0], 0.0);  // clamped, not negative
}

TEST(Lagrangian, MatchesHandComputedPid) {
  LagrangianController c =
      Make({1.0}, {.kp = 2.0, .ki = 0.5, .kd = 3.0, .alpha_p = 0.5, .alpha_d = 0.5});
  ASSERT_TRUE(c.Update({3.0}).ok());
  // e=2, I=2, P=2 (first), D rise 0: 2*2 + 0.5*2 = 5
  EXPECT_DOUBLE_EQ(c.multipliers()[0], 5.0);
  ASSERT_TRUE(c.Update({5.0}).ok());
  // e=4, I=6, P=0.5*2+0.5*4=3, D=0.5*3+0.5*5=4, rise=1: 6 + 3 + 3 = 12
  EXPECT_DOUBLE_EQ(c.multipliers()[0], 12.0);
  at::Tensor w = c.Weights();
  EXPECT_EQ(w.scalar_type(), at::kFloat);
  EXPECT_EQ(w[0].item<float>(), 12.0f);
}

TEST(Lagrangian, MaxMultiplierCaps) {
  LagrangianController c = Make({0.0}, {.ki = 1.0, .max_multiplier = 2.5});
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(c.Update({10.0}).ok());
  EXPECT_EQ(c.multipliers()[0], 2.5);
}

TEST(Lagrangian, SaveRestoreReproducesNextUpdateExactly) {
  PidOptions o{.kp = 0.3, .ki = 0.07, .kd = 0.2, .alpha_p = 0.9, .alpha_d = 0.8};
  LagrangianController a = Make({1.0, 2.0, 0.5}, o);
  const std::vector<std::vector<double>> costs = {
      {2.0, 1.0, 0.1}, {3.5, 2.5, 0.7}, {0.2, 4.0, 0.0}, {1.1, 1.9, 3.3}};
  for (const auto& x : costs) ASSERT_TRUE(a.Update(x).ok());
  const std::vector<double> flat = a.SaveState();
  ASSERT_EQ(flat.size(), 3u + 5u * 3u);
  const at::Tensor as_tensor = a.StateTensor();

  LagrangianController b = Make({1.0, 2.0, 0.5}, o);
  ASSERT_TRUE(b.RestoreState(flat).ok());
  LagrangianController t = Make({1.0, 2.0, 0.5}, o);
  ASSERT_TRUE(t.RestoreState(as_tensor).ok());
  for (const auto& x : {std::vector<double>{5.0, 0.0, 1.0}, {0.5, 0.5, 0.5}}) {
    ASSERT_TRUE(a.Update(x).ok());
    ASSERT_TRUE(b.Update(x).ok());
    ASSERT_TRUE(t.Update(x).ok());
    for (int c = 0; c < 3; ++c) {
      EXPECT_EQ(a.multipliers()[c], b.multipliers()[c]);
      EXPECT_EQ(a.multipliers()[c], t.multipliers()[c]);
    }
  }
  EXPECT_EQ(a.SaveState(), b.SaveState());
}

TEST(Lagrangian, RejectsBadInputs) {
  EXPECT_FALSE(LagrangianController::Create({}).ok());
  EXPECT_FALSE(LagrangianController::Create(std::vector<double>(17, 1.0)).ok());
  EXPECT_FALSE(LagrangianController::Create({1.0}, {.ki = -1.0}).ok());
  EXPECT_FALSE(LagrangianController::Create({1.0}, {.alpha_p = 1.0}).ok());
  LagrangianController c = Make({1.0, 1.0}, {});
  EXPECT_FALSE(c.Update({1.0}).ok());
  EXPECT_FALSE(c.Update({1.0, std::nan("")}).ok());
  EXPECT_EQ(c.state().updates, 0);
  std::vector<double> flat = c.SaveState();
  LagrangianController three = Make({1.0, 1.0, 1.0}, {});
  EXPECT_FALSE(three.RestoreState(flat).ok());  // category count differs
  flat[0] = 2.0;
  EXPECT_FALSE(c.RestoreState(flat).ok());  // unknown version
  EXPECT_TRUE(c.Update(at::tensor({2.0f, 0.0f})).ok());
  EXPECT_EQ(c.state().updates, 1);
}

}  // namespace
}  // namespace rewardguard::shaping
