// rewardguard/core/limits.h
//
// Safety limits on the work done for one call. Input past a limit becomes the
// fact `limit.exceeded` (fail closed), never a crash, a stall or a pass.
// Policy files set them under `limits:`; these are the defaults.
#ifndef REWARDGUARD_CORE_LIMITS_H_
#define REWARDGUARD_CORE_LIMITS_H_

#include <cstdint>

namespace rewardguard {

// Hard ceiling on max_shell_depth, whatever a policy asks: each level of
// `$( )`, `-c` strings or inline code is a native stack frame chain, and a
// trainer thread's stack is finite. Policy files above it are rejected.
inline constexpr int32_t kMaxShellDepthCeiling = 256;

// Cost categories a policy may have (built-in ones included): the width of a
// verdict's cost array, and what the shaping kernels keep in registers.
// Plain C++ so that CUDA code includes it too.
inline constexpr int kMaxCategories = 16;

struct Limits {
  int64_t max_argument_bytes = 1 << 20;  // tool-call arguments as received
  int32_t max_shell_depth = 64;          // nested subshells, `-c` strings, $( )
  int32_t max_facts_per_call = 256;      // facts one call may produce
  // Per env and episode: the texts of files written, kept to judge a later
  // run of them (classify/file_memory.h).
  int64_t max_remembered_bytes = 1 << 20;
};

}  // namespace rewardguard

#endif  // REWARDGUARD_CORE_LIMITS_H_
