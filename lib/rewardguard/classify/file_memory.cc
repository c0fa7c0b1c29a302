#include "rewardguard/classify/file_memory.h"

#include "rewardguard/core/strings.h"

namespace rewardguard {

const FileMemory::File* FileMemory::Find(std::string_view path) const {
  auto it = files_.find(AbslView(path));
  return it == files_.end() ? nullptr : &it->second;
}

const FileMemory::File* FileMemory::FindBelowSomeDirectory(std::string_view relative_path) const {
  const File* found = nullptr;
  for (const auto& [path, file] : files_) {
    if (!IsBelowSomeDirectory(path, relative_path)) continue;
    if (found == nullptr || found->origin == Origin::kText) found = &file;
  }
  return found;
}

void FileMemory::Apply(absl::Span<Write> writes, int64_t max_bytes) {
  for (Write& w : writes) {
    auto it = files_.find(AbslView(w.path));
    if (it != files_.end()) bytes_ -= static_cast<int64_t>(it->first.size() + it->second.text.size());
    if (!w.file) {
      if (it != files_.end()) files_.erase(it);
      continue;
    }
    const int64_t path_bytes = static_cast<int64_t>(w.path.size());
    if (bytes_ + path_bytes > max_bytes) {
      if (it != files_.end()) files_.erase(it);
      overflowed_ = true;
      continue;
    }
    if (bytes_ + path_bytes + static_cast<int64_t>(w.file->text.size()) > max_bytes)
      *w.file = File{Origin::kGenerated, {}};
    bytes_ += path_bytes + static_cast<int64_t>(w.file->text.size());
    // A file written again (the common case) keeps its node.
    if (it != files_.end()) {
      it->second = std::move(*w.file);
    } else {
      files_.emplace(std::move(w.path), std::move(*w.file));
    }
  }
}

void FileMemory::Clear() {
  files_.clear();
  bytes_ = 0;
  overflowed_ = false;
}

}  // namespace rewardguard
