// tests/fuzz/fuzz_targets.h
//
// The entry points shared by the libFuzzer targets (tests/fuzz/*_fuzzer.cc,
// built with REWARDGUARD_BUILD_FUZZERS=ON and clang) and by the regression
// test (regression_test.cc, built in every build), which replays each file
// of tests/fuzz/regressions/<target>/ through the same function.
//
// Each function feeds one input to the library and checks the invariants a
// security control must keep whatever it is given: no crash, no exception,
// bounded output, and fail closed (input it cannot judge is never `allow`).
// A broken invariant calls std::abort() after printing why, which libFuzzer
// reports as a crash and GoogleTest as a dead test.
#ifndef REWARDGUARD_TESTS_FUZZ_FUZZ_TARGETS_H_
#define REWARDGUARD_TESTS_FUZZ_FUZZ_TARGETS_H_

#include <string_view>

namespace rewardguard::fuzz {

// YAML policy text -> LoadPolicyText; a policy that loads is also run on a
// few calls and its own inline tests.
void PolicyLoaderOneInput(std::string_view data);

// A shell command -> AnalyzeShell with the default limits, and with tight
// ones chosen by the input's length.
void ShellAnalyzerOneInput(std::string_view data);

// Byte 0 picks the tool spec (shell / url / path / multi-argument), the
// format (JSON or raw) and the limits; the rest are the arguments.
void ClassifyCallOneInput(std::string_view data);

// JSON Lines -> RunEval (the CLI's `eval`) with a small fixed policy.
void JsonlEvalOneInput(std::string_view data);

}  // namespace rewardguard::fuzz

#endif  // REWARDGUARD_TESTS_FUZZ_FUZZ_TARGETS_H_
