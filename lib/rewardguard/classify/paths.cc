#include "rewardguard/classify/paths.h"

#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace rewardguard {

std::string NormalizePath(std::string_view path) {
  std::string_view rest = path;
  std::string prefix;
  for (std::string_view home : {"${HOME}", "$HOME", "~"}) {
    if (absl::StartsWith(rest, home) &&
        (rest.size() == home.size() || rest[home.size()] == '/')) {
      prefix = "~";
      rest.remove_prefix(home.size());
      break;
    }
  }
  bool absolute = prefix.empty() && absl::StartsWith(rest, "/");
  std::vector<std::string_view> parts;
  for (std::string_view part : absl::StrSplit(rest, '/', absl::SkipEmpty())) {
    if (part == ".") continue;
    if (part == ".." && !parts.empty() && parts.back() != "..") {
      parts.pop_back();
      continue;
    }
    if (part == ".." && (absolute || !prefix.empty())) continue;
    parts.push_back(part);
  }
  if (absolute && !parts.empty() && parts[0] == "root") {
    prefix = "~";
    parts.erase(parts.begin());
    absolute = false;
  } else if (absolute && parts.size() >= 2 && parts[0] == "home") {
    prefix = "~";
    parts.erase(parts.begin(), parts.begin() + 2);
    absolute = false;
  }
  std::string joined = absl::StrJoin(parts, "/");
  if (!prefix.empty()) return joined.empty() ? prefix : prefix + "/" + joined;
  if (absolute) return "/" + joined;
  return joined.empty() ? "." : joined;
}

std::string_view RefineFileAccess(FileAccess access, std::string_view path) {
  // Minimal table until the signature-driven one lands.
  switch (access) {
    case FileAccess::kRead:
      if (absl::StartsWith(path, "~/.ssh/id_") || path == "/etc/shadow" ||
          absl::StartsWith(path, "~/.aws/"))
        return "fs.read.secret";
      return "fs.read";
    case FileAccess::kWrite:
      if (absl::StartsWith(path, "/etc/")) return "fs.write.system";
      return "fs.write";
    case FileAccess::kDelete:
      return "fs.delete";
  }
  return "fs";
}

}  // namespace rewardguard
