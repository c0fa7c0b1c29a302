// rewardguard/eval/internal/evaluator_peer.h
//
// For tests and fuzz targets only: judges a fact list made by hand (or by an
// analyzer called directly), which the public Evaluator never takes: callers
// hand it tool calls and observations (Evaluator::Evaluate), never facts.
#ifndef REWARDGUARD_EVAL_INTERNAL_EVALUATOR_PEER_H_
#define REWARDGUARD_EVAL_INTERNAL_EVALUATOR_PEER_H_

#include <string_view>

#include "rewardguard/core/fact.h"
#include "rewardguard/eval/evaluator.h"
#include "rewardguard/eval/verdict.h"

namespace rewardguard::internal {

class EvaluatorPeer {
 public:
  static void JudgeFacts(Evaluator& evaluator, int env, std::string_view tool,
                         const FactList& facts, Verdict* out) {
    evaluator.Judge(env, tool, facts, out);
  }
};

}  // namespace rewardguard::internal

#endif  // REWARDGUARD_EVAL_INTERNAL_EVALUATOR_PEER_H_
