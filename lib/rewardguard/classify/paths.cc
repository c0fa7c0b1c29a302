#include "rewardguard/classify/paths.h"

#include <vector>

#include "rewardguard/core/capabilities.h"
#include "rewardguard/classify/internal/signatures.h"

namespace rewardguard {

std::string NormalizePath(std::string_view path) {
  std::string_view rest = path;
  bool home = false;
  for (std::string_view prefix : {"${HOME}", "$HOME", "~"}) {
    if (rest.starts_with(prefix) && (rest.size() == prefix.size() || rest[prefix.size()] == '/')) {
      home = true;
      rest.remove_prefix(prefix.size());
      break;
    }
  }
  bool absolute = !home && rest.starts_with("/");
  std::vector<std::string_view> parts;
  size_t i = 0;
  while (i <= rest.size()) {
    size_t slash = rest.find('/', i);
    if (slash == std::string_view::npos) slash = rest.size();
    std::string_view part = rest.substr(i, slash - i);
    i = slash + 1;
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (!parts.empty() && parts.back() != "..") {
        parts.pop_back();
        continue;
      }
      if (absolute || home) continue;  // "/.." is "/"
    }
    parts.push_back(part);
  }
  // /root and /home/<user> are home directories too.
  if (absolute && !parts.empty() && parts[0] == "root") {
    home = true;
    absolute = false;
    parts.erase(parts.begin());
  } else if (absolute && parts.size() >= 2 && parts[0] == "home") {
    home = true;
    absolute = false;
    parts.erase(parts.begin(), parts.begin() + 2);
  }
  std::string out;
  out.reserve(path.size() + 1);
  if (home) out.push_back('~');
  for (std::string_view part : parts) {
    if (!out.empty() || absolute || home) out.push_back('/');
    out.append(part.data(), part.size());
  }
  if (out.empty()) return absolute ? "/" : ".";
  return out;
}

std::string_view RefineFileAccess(FileAccess access, std::string_view path) {
  const classify_internal::Signatures& sig = classify_internal::GetSignatures();
  if (const classify_internal::PathRule* rule = sig.FindPath(static_cast<int>(access), path))
    return rule->capability;
  switch (access) {
    case FileAccess::kRead:
      return cap::kFsRead;
    case FileAccess::kWrite:
      return cap::kFsWrite;
    case FileAccess::kDelete:
      return cap::kFsDelete;
  }
  return "fs";
}

}  // namespace rewardguard
