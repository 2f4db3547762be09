#include "server/api/first_admin.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "core/token.h"
#include "projections/live_projection.h"
#include "server/http/json_log.h"
#include "server/writer/group_commit_writer.h"

namespace keyledger::server {
namespace {

// The length of a generated one-time password: base62, about 119 bits.
constexpr std::size_t kGeneratedPasswordLength = 20;

Status unwritable(const std::filesystem::path& path, int error_number) {
  return unavailable(Reason::kPasswordFileUnwritable,
                     "cannot write " + path.string() + ": " + std::strerror(error_number));
}

// Makes a new directory entry durable: without it, a crash could keep the
// committed admin but lose the file that holds its password.
bool sync_folder(const std::filesystem::path& folder) {
  const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  return synced;
}

// Creates `admin` with a generated one-time password, written to `file`
// before the user is committed.
Status create_with_one_time_password(writer::GroupCommitWriter& writer,
                                     const PasswordHasher& hasher, RandomSource& random,
                                     const InitialPasswordFile& file, JsonLog& log) {
  const std::string password =
      generate_token(kFirstAdmin, random).secret.substr(0, kGeneratedPasswordLength);
  auto hash = hasher.hash(password);
  if (!hash.is_ok()) return hash.status();
  // No admin exists yet, so a file already there holds nobody's password.
  KEYLEDGER_RETURN_IF_ERROR(file.remove("left by a start that ended before creating the admin"));
  KEYLEDGER_RETURN_IF_ERROR(file.write(password));
  auto created = writer.execute(
      CreateUser{std::string(kFirstAdmin), Privilege::kAdmin, *hash, /*must_change=*/true},
      EventOrigin{});
  if (!created.is_ok()) {
    file.remove("the admin was not created").ignore();
    return created.status();
  }
  log.always(LogLevel::kInfo, "created user admin with a one-time password",
             {{"user", kFirstAdmin}, {"password_file", file.path().string()}});
  return Status::ok();
}

}  // namespace

InitialPasswordFile::InitialPasswordFile(const std::filesystem::path& path, JsonLog& log)
    : path_(std::filesystem::absolute(path).lexically_normal()), log_(log) {}

bool InitialPasswordFile::exists() const {
  std::error_code error;
  return std::filesystem::is_symlink(path_, error) || std::filesystem::exists(path_, error);
}

Status InitialPasswordFile::write(std::string_view password) const {
  const int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return unwritable(path_, errno);
  const std::string text = std::string(password) + "\n";
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
                       ::fsync(fd) == 0;
  const int write_error = errno;
  ::close(fd);
  if (!written || !sync_folder(path_.parent_path())) {
    ::unlink(path_.c_str());
    return unwritable(path_, written ? errno : write_error);
  }
  return Status::ok();
}

Status InitialPasswordFile::remove(std::string_view why) const {
  if (::unlink(path_.c_str()) != 0) {
    if (errno == ENOENT) return Status::ok();
    return unavailable(Reason::kPasswordFileUnremovable,
                       "cannot remove " + path_.string() + ": " + std::strerror(errno));
  }
  log_.always(LogLevel::kInfo, "removed the one-time password file",
              {{"password_file", path_.string()}, {"why", why}});
  return Status::ok();
}

void InitialPasswordFile::password_chosen(std::string_view user_id) const {
  if (user_id != kFirstAdmin) return;
  Status removed = remove("user admin chose their own password");
  if (!removed.is_ok())
    log_.error("the one-time password file stays until the next start",
               {{"password_file", path_.string()}, {"error", removed.message()}});
}

StatusOr<std::optional<std::string>> admin_password_from_environment() {
  const char* given = std::getenv("KEYLEDGER_ADMIN_PASSWORD");
  if (!given || !*given) return std::optional<std::string>();
  if (Status valid = validate_password(given); !valid.is_ok())
    return invalid_argument(valid.reason_id(),
                            "KEYLEDGER_ADMIN_PASSWORD is not an acceptable "
                            "password: " +
                                valid.message() + ". No user was created.");
  return std::optional<std::string>(given);
}

Status start_first_admin(projections::LiveProjection& projection, writer::GroupCommitWriter& writer,
                         const PasswordHasher& hasher, RandomSource& random,
                         const InitialPasswordFile& file,
                         const StatusOr<std::optional<std::string>>& given, JsonLog& log) {
  if (projection.users().empty()) {
    if (!given.is_ok()) return given.status();
    if (!given->has_value())
      return create_with_one_time_password(writer, hasher, random, file, log);
    KEYLEDGER_RETURN_IF_ERROR(file.remove("KEYLEDGER_ADMIN_PASSWORD gives the admin's password"));
    auto hash = hasher.hash(**given);
    if (!hash.is_ok()) return hash.status();
    // The operator's own choice: not one-time.
    auto created = writer.execute(
        CreateUser{std::string(kFirstAdmin), Privilege::kAdmin, *hash, /*must_change=*/false},
        EventOrigin{});
    if (!created.is_ok()) return created.status();
    log.always(LogLevel::kInfo,
               "created user admin with the password from KEYLEDGER_ADMIN_PASSWORD",
               {{"user", kFirstAdmin}});
    return Status::ok();
  }
  if (!file.exists()) return Status::ok();
  const auto admin = projection.user(kFirstAdmin);
  if (admin && admin->must_change_password) {
    log.always(LogLevel::kInfo, "user admin still has the one-time password in password_file",
               {{"user", kFirstAdmin}, {"password_file", file.path().string()}});
    return Status::ok();
  }
  return file.remove("user admin chose their own password");
}

}  // namespace keyledger::server
