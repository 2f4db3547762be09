// Failing writes and syncs for the storage-fault tests, injected into a real
// keyledgerd with LD_PRELOAD (no test double inside the server: RocksDB's
// own calls to the C library fail, as on a dying disk).
//
// Two environment variables steer it:
//   KEYLEDGER_IO_FAULT_DIR      only files under this folder are affected;
//   KEYLEDGER_IO_FAULT_CONTROL  a file the test writes while the server runs:
//                               "write" makes write()/pwrite() fail with EIO,
//                               "sync" makes fsync()/fdatasync() fail with
//                               EIO; missing or empty means no fault.
// The control file is read on every call, so a test switches faults on and
// off without talking to the server. Every injected failure is counted in
// "<control>.injected" so the test can tell the fault was really hit.
#include <dlfcn.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

enum class Fault { kNone, kWrite, kSync };

template <typename Function>
Function next(const char* name) {
  return reinterpret_cast<Function>(dlsym(RTLD_NEXT, name));
}

using WriteFn = ssize_t (*)(int, const void*, size_t);
using PwriteFn = ssize_t (*)(int, const void*, size_t, off_t);
using WritevFn = ssize_t (*)(int, const struct iovec*, int);
using SyncFn = int (*)(int);

// Reads the control file with raw read(), which this shim does not wrap.
Fault current_fault() {
  const char* control = std::getenv("KEYLEDGER_IO_FAULT_CONTROL");
  if (control == nullptr) return Fault::kNone;
  const int fd = ::open(control, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Fault::kNone;
  char text[16] = {};
  const ssize_t got = ::read(fd, text, sizeof text - 1);
  ::close(fd);
  if (got <= 0) return Fault::kNone;
  if (std::strncmp(text, "write", 5) == 0) return Fault::kWrite;
  if (std::strncmp(text, "sync", 4) == 0) return Fault::kSync;
  return Fault::kNone;
}

bool under_fault_dir(int fd) {
  const char* dir = std::getenv("KEYLEDGER_IO_FAULT_DIR");
  if (dir == nullptr || *dir == '\0') return false;
  char link[64];
  std::snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  char target[PATH_MAX];
  const ssize_t length = ::readlink(link, target, sizeof target - 1);
  if (length <= 0) return false;
  target[length] = '\0';
  const std::size_t dir_length = std::strlen(dir);
  return std::strncmp(target, dir, dir_length) == 0 &&
         (target[dir_length] == '/' || target[dir_length] == '\0');
}

void count_injection() {
  const char* control = std::getenv("KEYLEDGER_IO_FAULT_CONTROL");
  char path[PATH_MAX];
  std::snprintf(path, sizeof path, "%s.injected", control);
  // O_APPEND of one byte per failure: the file's size is the count. Uses
  // the real write, so this never recurses into the fault.
  const int fd = ::open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return;
  static const WriteFn real_write = next<WriteFn>("write");
  real_write(fd, "x", 1);
  ::close(fd);
}

bool inject(Fault wanted, int fd) {
  if (current_fault() != wanted || !under_fault_dir(fd)) return false;
  count_injection();
  errno = EIO;
  return true;
}

}  // namespace

extern "C" {

ssize_t write(int fd, const void* data, size_t size) {
  static const WriteFn real = next<WriteFn>("write");
  if (inject(Fault::kWrite, fd)) return -1;
  return real(fd, data, size);
}

ssize_t pwrite(int fd, const void* data, size_t size, off_t offset) {
  static const PwriteFn real = next<PwriteFn>("pwrite");
  if (inject(Fault::kWrite, fd)) return -1;
  return real(fd, data, size, offset);
}

ssize_t pwrite64(int fd, const void* data, size_t size, off_t offset) {
  static const PwriteFn real = next<PwriteFn>("pwrite64");
  if (inject(Fault::kWrite, fd)) return -1;
  return real(fd, data, size, offset);
}

ssize_t writev(int fd, const struct iovec* parts, int count) {
  static const WritevFn real = next<WritevFn>("writev");
  if (inject(Fault::kWrite, fd)) return -1;
  return real(fd, parts, count);
}

int fsync(int fd) {
  static const SyncFn real = next<SyncFn>("fsync");
  if (inject(Fault::kSync, fd)) return -1;
  return real(fd);
}

int fdatasync(int fd) {
  static const SyncFn real = next<SyncFn>("fdatasync");
  if (inject(Fault::kSync, fd)) return -1;
  return real(fd);
}

}  // extern "C"
