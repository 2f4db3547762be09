#include "server/daemon/pepper.h"

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
#include "core/text.h"

namespace keyledger::server {
namespace {

// Reads the pepper at `path`; if the file does not exist and `may_create`,
// creates it (mode 0600) with fresh random bytes. Refuses a file that is
// readable by group or others, or shorter than 32 bytes.
StatusOr<std::string> load_or_create_pepper(const std::filesystem::path& path, RandomSource& random,
                                            bool may_create) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    if (errno != ENOENT)
      return unavailable(Reason::kPepperUnreadable,
                         "cannot read " + path.string() + ": " + std::strerror(errno));
    if (!may_create)
      return failed_precondition(Reason::kPepperMissing, path.string() + " does not exist");
    std::array<std::uint8_t, 32> bytes;
    random.fill(bytes);
    const std::string pepper = to_hex(bytes);
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0)
      return unavailable(Reason::kPepperUnwritable,
                         "cannot create " + path.string() + ": " + std::strerror(errno));
    const bool written =
        ::write(fd, pepper.data(), pepper.size()) == static_cast<ssize_t>(pepper.size()) &&
        ::fsync(fd) == 0;
    ::close(fd);
    if (!written) return unavailable(Reason::kPepperUnwritable, "cannot write " + path.string());
    return pepper;
  }
  if ((info.st_mode & 077) != 0)
    return failed_precondition(Reason::kPepperPermissions,
                               path.string() + " is readable by other users; chmod 600 it");
  std::ifstream in(path, std::ios::binary);
  std::string pepper((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  pepper.resize(trim_trailing(pepper, "\r\n").size());  // in place: no copy of the secret
  if (pepper.size() < kMinPepperLength)
    return failed_precondition(Reason::kPepperTooShort,
                               path.string() + " holds fewer than 32 bytes");
  return pepper;
}

}  // namespace

std::string pepper_fingerprint(const SecretHasher& hasher) {
  // The label holds '-', which a key id (base62) never does, so the
  // fingerprint can never equal a stored key hash.
  return to_hex(hasher.hash("keyledger-pepper-fingerprint", "1"));
}

StatusOr<SecretHasher> open_ledger_pepper(const std::filesystem::path& path,
                                          storage::RocksEventLog& log, RandomSource& random,
                                          JsonLog& daemon_log, bool rebind, bool follower) {
  const std::uint64_t events = log.head().seq;
  auto pepper = load_or_create_pepper(path, random, /*may_create=*/events == 0 && !follower);
  if (!pepper.is_ok()) {
    if (!pepper.status().is(Reason::kPepperMissing)) return pepper.status();
    if (follower)
      return failed_precondition(
          Reason::kPepperMissing,
          path.string() +
              " does not exist. A follower verifies keys hashed with the leader's "
              "pepper: copy the leader's pepper file there (mode 0600) or name it "
              "with --pepper-file; with a new pepper every API key would fail "
              "verification. Nothing was changed.");
    return failed_precondition(
        Reason::kPepperMissing,
        path.string() + " does not exist, but the ledger holds " + std::to_string(events) +
            " events and its key hashes were made with the pepper from that file. Restore it "
            "(--pepper-file names another place); with a new pepper every API key would fail "
            "verification. Nothing was changed.");
  }
  auto hasher = SecretHasher::create(*pepper);
  if (!hasher.is_ok()) return hasher.status();
  const std::string fingerprint = pepper_fingerprint(*hasher);
  auto stored = log.pepper_check();
  if (!stored.is_ok()) return stored.status();
  if (*stored && **stored == fingerprint) return std::move(*hasher);
  // Without an event there is no key hash yet: the ledger may take any
  // pepper (a first start, or one that stopped before its first event).
  if (*stored && events > 0 && !rebind)
    return failed_precondition(
        Reason::kPepperMismatch,
        "the pepper in " + path.string() +
            " is not the one this ledger's key hashes were made with (the ledger stores another "
            "pepper's fingerprint). Start with the ledger's own pepper file; with this one every "
            "API key would fail verification. Nothing was changed. (If the ledger was bound to a "
            "wrong pepper, start once with --rebind-pepper and the right file.)");
  if (*stored && events > 0)
    daemon_log.warn("--rebind-pepper: the ledger is now bound to the pepper in pepper_file",
                    {{"pepper_file", path.string()}});
  KEYLEDGER_RETURN_IF_ERROR(log.store_pepper_check(fingerprint));
  return std::move(*hasher);
}

}  // namespace keyledger::server
