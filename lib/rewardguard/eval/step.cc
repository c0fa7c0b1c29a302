#include "rewardguard/eval/step.h"

#include <algorithm>

namespace rewardguard {

void CollectStep(const Evaluator& evaluator, absl::Span<const Verdict> verdicts,
                 absl::Span<const int32_t> env_ids, StepColumns* out) {
  const int b = evaluator.num_envs();
  const int c = static_cast<int>(evaluator.policy().categories().size());
  out->num_envs = b;
  out->num_categories = c;
  out->costs.assign(static_cast<size_t>(b) * c, 0.0f);
  out->penalty.assign(b, 0.0f);
  out->action.assign(b, static_cast<int8_t>(Action::kAllow));
  out->terminate.assign(b, 0);
  out->blocked.assign(b, 0);
  const bool enforce = evaluator.mode() == Mode::kEnforce;
  const size_t n = std::min(verdicts.size(), env_ids.size());
  for (size_t i = 0; i < n; ++i) {
    const int env = env_ids[i];
    if (env < 0 || env >= b) continue;
    const Verdict& v = verdicts[i];
    float* row = out->costs.data() + static_cast<size_t>(env) * c;
    for (int k = 0; k < c; ++k) row[k] += v.costs[k];
    out->penalty[env] += v.penalty;
    out->action[env] = std::max(out->action[env], static_cast<int8_t>(v.action));
    if (enforce && v.action == Action::kTerminate) out->terminate[env] = 1;
    if (enforce && Prevents(v.action)) out->blocked[env] = 1;
  }
}

}  // namespace rewardguard
