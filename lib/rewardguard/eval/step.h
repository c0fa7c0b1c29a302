// rewardguard/eval/step.h
//
// One step's verdicts gathered per env into the columns the shaping ops take
// (rewardguard/shaping/shaping.h): costs [B, C] row-major, terminate [B],
// and which envs must not get their calls forwarded: blocked [B].
//
//   evaluator.EvaluateBatch(calls, env_ids, absl::MakeSpan(verdicts));
//   StepColumns step;
//   CollectStep(evaluator, verdicts, env_ids, &step);
//   // torch::from_blob(step.costs.data(), {B, C}) -> ShapeStep(rewards, costs, weights)
#ifndef REWARDGUARD_EVAL_STEP_H_
#define REWARDGUARD_EVAL_STEP_H_

#include <cstdint>
#include <vector>

#include "absl/types/span.h"
#include "rewardguard/eval/evaluator.h"

namespace rewardguard {

struct StepColumns {
  int num_envs = 0;
  int num_categories = 0;
  std::vector<float> costs;         // [num_envs * num_categories], summed per env
  std::vector<float> penalty;       // [num_envs], summed per env
  std::vector<int8_t> action;       // [num_envs], strongest per env (allow if no call)
  std::vector<uint8_t> terminate;   // [num_envs], a terminate verdict in enforce mode
  std::vector<uint8_t> blocked;     // [num_envs], a call Prevents() in enforce mode
};

// Sums verdicts[i] into env env_ids[i]. Entries whose env id is out of
// range are ignored (their verdicts already block). Reuses `out`'s storage.
void CollectStep(const Evaluator& evaluator, absl::Span<const Verdict> verdicts,
                 absl::Span<const int32_t> env_ids, StepColumns* out);

}  // namespace rewardguard

#endif  // REWARDGUARD_EVAL_STEP_H_
