// A trainer-side program using the installed package: load the built-in
// policy, judge one call, print the action.
#include <iostream>

#include "rewardguard/eval/evaluator.h"

int main() {
  auto policy = rewardguard::LoadBuiltinPolicy("coding-sandbox");
  if (!policy.ok()) {
    std::cerr << policy.status() << "\n";
    return 1;
  }
  rewardguard::Evaluator evaluator(*policy, 1);
  rewardguard::Verdict v = evaluator.Evaluate(
      0, {"http_get", R"({"url": "http://203.0.113.5/payload"})"});
  std::cout << "http_get to 203.0.113.5: " << rewardguard::ActionName(v.action) << "\n";
  return 0;
}
