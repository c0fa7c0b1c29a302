#include "rewardguard/classify/file_memory.h"

#include "rewardguard/core/strings.h"

namespace rewardguard {

const FileMemory::File* FileMemory::Find(std::string_view path) const {
  auto it = files_.find(AbslView(path));
  return it == files_.end() ? nullptr : &it->second;
}

void FileMemory::Apply(absl::Span<const Write> writes, int64_t max_bytes) {
  for (const Write& w : writes) {
    if (auto it = files_.find(AbslView(w.path)); it != files_.end()) {
      bytes_ -= static_cast<int64_t>(it->first.size() + it->second.text.size());
      files_.erase(it);
    }
    if (!w.file) continue;
    const int64_t path_bytes = static_cast<int64_t>(w.path.size());
    const int64_t text_bytes = static_cast<int64_t>(w.file->text.size());
    if (bytes_ + path_bytes + text_bytes <= max_bytes) {
      files_.emplace(w.path, *w.file);
      bytes_ += path_bytes + text_bytes;
    } else if (bytes_ + path_bytes <= max_bytes) {
      files_.emplace(w.path, File{Origin::kGenerated, {}});
      bytes_ += path_bytes;
    } else {
      overflowed_ = true;
    }
  }
}

void FileMemory::Clear() {
  files_.clear();
  bytes_ = 0;
  overflowed_ = false;
}

}  // namespace rewardguard
