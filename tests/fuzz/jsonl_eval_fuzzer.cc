// libFuzzer target: see fuzz_targets.h (JsonlEvalOneInput) and docs/hardening.md.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_targets.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  rewardguard::fuzz::JsonlEvalOneInput(
      std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
