// A small tmpfs mounted by a test as a data folder it can fill up or make
// read-only. Needs the right to mount (root, as the suites run in CI);
// where that is missing, mounted() is false and why_not() says why, so the
// test can say it was skipped.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

namespace keyledger::reliability {

class TmpfsMount {
 public:
  // Creates `mount_point` (its parent must exist) and mounts a tmpfs of
  // `size_bytes` there.
  TmpfsMount(std::filesystem::path mount_point, std::uint64_t size_bytes);
  // Unmounts (lazily, in case a process still holds a file) and removes
  // the mount point.
  ~TmpfsMount();
  TmpfsMount(const TmpfsMount&) = delete;
  TmpfsMount& operator=(const TmpfsMount&) = delete;

  bool mounted() const { return mounted_; }
  const std::string& why_not() const { return why_not_; }
  const std::filesystem::path& path() const { return path_; }

  // Remounts read-only or read-write; false (with why_not()) on failure.
  bool set_read_only(bool read_only);

 private:
  std::filesystem::path path_;
  std::string options_;
  bool mounted_ = false;
  std::string why_not_;
};

// Writes `file` until the file system has no more than `leave_free` bytes
// free (0: until it is full). Returns the bytes written.
std::uint64_t fill_disk(const std::filesystem::path& file, std::uint64_t leave_free = 0);

}  // namespace keyledger::reliability
