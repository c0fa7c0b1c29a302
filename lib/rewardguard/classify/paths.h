// rewardguard/classify/paths.h
//
// Path helpers: lexical normalization, and the refinement of a file access
// by where it lands (a read of ~/.ssh/id_rsa is `fs.read.secret`; a write to
// ~/.bashrc is `persistence.shell_rc`). The table of sensitive locations is
// data (policies/signatures/paths.yaml), not code.
//
//   NormalizePath("$HOME/./.ssh//id_rsa");          // "~/.ssh/id_rsa"
//   RefineFileAccess(FileAccess::kRead, "~/.aws/credentials");  // "fs.read.secret"
#ifndef REWARDGUARD_CLASSIFY_PATHS_H_
#define REWARDGUARD_CLASSIFY_PATHS_H_

#include <string>
#include <string_view>

namespace rewardguard {

enum class FileAccess { kRead, kWrite, kDelete };

// Collapses "//" and "/./", resolves ".." lexically, and writes the home
// directory ($HOME, ${HOME}, /root, /home/<user>) as "~".
std::string NormalizePath(std::string_view path);

// The most specific capability for `access` to the normalized `path`:
// "fs.read" / "fs.write" / "fs.delete" unless the table says more.
std::string_view RefineFileAccess(FileAccess access, std::string_view path);

}  // namespace rewardguard

#endif  // REWARDGUARD_CLASSIFY_PATHS_H_
