#include "tests/reliability/tmpfs_mount.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace keyledger::reliability {

TmpfsMount::TmpfsMount(std::filesystem::path mount_point, std::uint64_t size_bytes)
    : path_(std::move(mount_point)), options_("size=" + std::to_string(size_bytes) + ",mode=0700") {
  std::error_code error;
  std::filesystem::create_directory(path_, error);
  if (error) {
    why_not_ = "cannot create " + path_.string() + ": " + error.message();
    return;
  }
  if (::mount("tmpfs", path_.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, options_.c_str()) != 0) {
    why_not_ = "mounting a tmpfs at " + path_.string() + " failed: " + std::strerror(errno) +
               " (the storage fault tests need to run as root)";
    return;
  }
  mounted_ = true;
}

TmpfsMount::~TmpfsMount() {
  if (mounted_) ::umount2(path_.c_str(), MNT_DETACH);
  std::error_code ignored;
  std::filesystem::remove(path_, ignored);
}

bool TmpfsMount::set_read_only(bool read_only) {
  unsigned long flags = MS_REMOUNT | MS_NOSUID | MS_NODEV | (read_only ? MS_RDONLY : 0);
  if (::mount("tmpfs", path_.c_str(), "tmpfs", flags, options_.c_str()) == 0) return true;
  why_not_ = std::string("remounting failed: ") + std::strerror(errno);
  return false;
}

std::uint64_t fill_disk(const std::filesystem::path& file, std::uint64_t leave_free) {
  int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) return 0;
  std::uint64_t written = 0;
  auto free_bytes = [&] {
    std::error_code error;
    return std::filesystem::space(file.parent_path(), error).available;
  };
  // Large writes first, then ever smaller ones for the last partial pages.
  for (std::size_t chunk = 1 << 20; chunk > 0; chunk /= 16) {
    std::vector<char> bytes(chunk, 'x');
    while (leave_free == 0 || free_bytes() >= leave_free + chunk) {
      ssize_t n = ::write(fd, bytes.data(), bytes.size());
      if (n <= 0) break;
      written += static_cast<std::uint64_t>(n);
    }
  }
  ::fsync(fd);
  ::close(fd);
  return written;
}

}  // namespace keyledger::reliability
