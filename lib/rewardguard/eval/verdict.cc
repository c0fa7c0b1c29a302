#include "rewardguard/eval/verdict.h"

namespace rewardguard {

void Verdict::Clear() {
  action = Action::kAllow;
  penalty = 0.0f;
  costs.fill(0.0f);
  rules.clear();
  capabilities.clear();
  reason.clear();
}

}  // namespace rewardguard
