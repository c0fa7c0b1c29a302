#include "rewardguard/sandbox/internal/os.h"

#include <fcntl.h>

namespace rewardguard::sandbox_internal {

std::string ReadSmallFile(const std::string& path) {
  Fd f(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  std::string out;
  if (!f.ok()) return out;
  char buf[4096];
  for (ssize_t n; (n = read(f.get(), buf, sizeof(buf))) > 0;) out.append(buf, static_cast<size_t>(n));
  return out;
}

bool WriteSmallFile(const std::string& path, const std::string& text) {
  Fd f(open(path.c_str(), O_WRONLY | O_CLOEXEC));
  return f.ok() && write(f.get(), text.data(), text.size()) == static_cast<ssize_t>(text.size());
}

}  // namespace rewardguard::sandbox_internal
