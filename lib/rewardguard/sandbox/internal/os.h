// rewardguard/sandbox/internal/os.h
//
// The few operating-system helpers the sandbox's parts share: an owned file
// descriptor, and whole small files (procfs, cgroupfs) read and written.
#ifndef REWARDGUARD_SANDBOX_INTERNAL_OS_H_
#define REWARDGUARD_SANDBOX_INTERNAL_OS_H_

#include <unistd.h>

#include <string>
#include <utility>

namespace rewardguard::sandbox_internal {

// An owned file descriptor; -1 when empty.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() { Reset(); }
  Fd(Fd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  Fd& operator=(Fd&& o) noexcept {
    std::swap(fd_, o.fd_);
    return *this;
  }
  // Closes the descriptor held, if any, and holds `fd`.
  void Reset(int fd = -1) {
    if (fd_ >= 0) close(fd_);
    fd_ = fd;
  }
  int get() const { return fd_; }
  bool ok() const { return fd_ >= 0; }

 private:
  int fd_;
};

// The file's contents; "" if it cannot be read.
std::string ReadSmallFile(const std::string& path);
// Writes `text` as the whole file (one write, as procfs and cgroupfs want);
// false on any error.
bool WriteSmallFile(const std::string& path, const std::string& text);

}  // namespace rewardguard::sandbox_internal

#endif  // REWARDGUARD_SANDBOX_INTERNAL_OS_H_
