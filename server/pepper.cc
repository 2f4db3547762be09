#include "server/pepper.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

#include "core/hash.h"
#include "core/secret_hasher.h"

namespace keyledger::server {

StatusOr<std::string> load_or_create_pepper(const std::filesystem::path& path,
                                            RandomSource& random) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    if (errno != ENOENT)
      return unavailable("pepper_unreadable",
                         "cannot read " + path.string() + ": " + std::strerror(errno));
    std::array<std::uint8_t, 32> bytes;
    random.fill(bytes);
    const std::string pepper = to_hex(bytes);
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0)
      return unavailable("pepper_unwritable",
                         "cannot create " + path.string() + ": " + std::strerror(errno));
    const bool written =
        ::write(fd, pepper.data(), pepper.size()) == static_cast<ssize_t>(pepper.size()) &&
        ::fsync(fd) == 0;
    ::close(fd);
    if (!written) return unavailable("pepper_unwritable", "cannot write " + path.string());
    return pepper;
  }
  if ((info.st_mode & 077) != 0)
    return failed_precondition("pepper_permissions",
                               path.string() + " is readable by other users; chmod 600 it");
  std::ifstream in(path, std::ios::binary);
  std::string pepper((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  while (!pepper.empty() && (pepper.back() == '\n' || pepper.back() == '\r')) pepper.pop_back();
  if (pepper.size() < kMinPepperLength)
    return failed_precondition("pepper_too_short", path.string() + " holds fewer than 32 bytes");
  return pepper;
}

}  // namespace keyledger::server
