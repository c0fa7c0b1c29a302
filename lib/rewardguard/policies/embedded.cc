#include "rewardguard/policies/embedded.h"

namespace rewardguard {

extern const EmbeddedFile kEmbeddedFiles[];
extern const int kNumEmbeddedFiles;

absl::Span<const EmbeddedFile> EmbeddedFiles() {
  return absl::MakeConstSpan(kEmbeddedFiles, kNumEmbeddedFiles);
}

std::optional<std::string_view> FindEmbeddedFile(std::string_view path) {
  for (const EmbeddedFile& f : EmbeddedFiles()) {
    if (f.path == path) return f.contents;
  }
  return std::nullopt;
}

}  // namespace rewardguard
