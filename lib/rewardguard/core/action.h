// rewardguard/core/action.h
//
// The five actions a verdict can carry, ordered by strength. When several
// rules fire on one event the strongest action wins (like Cedar's
// forbid-overrides-permit):
//
//   allow < warn < penalize < block < terminate
//
//   Action a = StrongerOf(Action::kWarn, Action::kBlock);  // kBlock
//   ActionName(a);                                         // "block"
#ifndef REWARDGUARD_CORE_ACTION_H_
#define REWARDGUARD_CORE_ACTION_H_

#include <cstdint>
#include <optional>
#include <string_view>

namespace rewardguard {

enum class Action : uint8_t {
  kAllow = 0,      // the call runs, no penalty
  kWarn = 1,       // the call runs, recorded, penalty applied if any
  kPenalize = 2,   // the call runs, the reward is penalized
  kBlock = 3,      // the call does not reach the env; penalized
  kTerminate = 4,  // blocked, and the episode ends
};

inline constexpr int kNumActions = 5;

// Lowercase name as written in policy files: "allow", "warn", ...
std::string_view ActionName(Action action);

// Inverse of ActionName; nullopt for anything else (case-sensitive).
std::optional<Action> ParseAction(std::string_view name);

constexpr Action StrongerOf(Action a, Action b) { return a < b ? b : a; }

// True for actions that keep the call from reaching the environment.
constexpr bool Prevents(Action a) { return a >= Action::kBlock; }

}  // namespace rewardguard

#endif  // REWARDGUARD_CORE_ACTION_H_
