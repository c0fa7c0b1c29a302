// rewardguard/policies/embedded.h
//
// The YAML files of this folder, compiled into the library: built-in policies
// (`coding-sandbox.yaml`) and signature tables (`signatures/*.yaml`).
//
//   std::optional<std::string_view> text = EmbeddedFile("coding-sandbox.yaml");
#ifndef REWARDGUARD_POLICIES_EMBEDDED_H_
#define REWARDGUARD_POLICIES_EMBEDDED_H_

#include <optional>
#include <string_view>

#include "absl/types/span.h"

namespace rewardguard {

struct EmbeddedFile {
  std::string_view path;      // relative to lib/rewardguard/policies
  std::string_view contents;
};

// All embedded files, in the order CMake listed them.
absl::Span<const EmbeddedFile> EmbeddedFiles();

// The contents of `path`, or nullopt.
std::optional<std::string_view> FindEmbeddedFile(std::string_view path);

}  // namespace rewardguard

#endif  // REWARDGUARD_POLICIES_EMBEDDED_H_
