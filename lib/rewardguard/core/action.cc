#include "rewardguard/core/action.h"

#include <array>

namespace rewardguard {
namespace {
constexpr std::array<std::string_view, kNumActions> kNames = {
    "allow", "warn", "penalize", "block", "terminate"};
}  // namespace

std::string_view ActionName(Action action) {
  return kNames[static_cast<int>(action)];
}

std::optional<Action> ParseAction(std::string_view name) {
  for (int i = 0; i < kNumActions; ++i) {
    if (kNames[i] == name) return static_cast<Action>(i);
  }
  return std::nullopt;
}

}  // namespace rewardguard
