// The user `admin` that keyledgerd creates on an empty ledger, and its
// one-time password. The password never enters the log stream (collectors
// keep every line): it is written to a file that only keyledgerd's user can
// read, DATA/initial-admin-password, whose path the log names, and the file
// lives exactly as long as the password is one-time. A password the
// operator set in KEYLEDGER_ADMIN_PASSWORD is theirs already: no file.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "core/password_hasher.h"
#include "core/random.h"
#include "core/status.h"

namespace keyledger::projections {
class LiveProjection;
}  // namespace keyledger::projections
namespace keyledger::writer {
class GroupCommitWriter;
}  // namespace keyledger::writer

namespace keyledger::server {

class JsonLog;  // server/http/json_log.h

inline constexpr std::string_view kFirstAdmin = "admin";
inline constexpr std::string_view kInitialPasswordFileName = "initial-admin-password";

// The file that holds the first admin's one-time password. Thread-safe
// (each call is one system call on the path, plus the log).
class InitialPasswordFile {
 public:
  // `log` outlives the object. The path is made absolute so the log line
  // names the file wherever its reader stands.
  InitialPasswordFile(const std::filesystem::path& path, JsonLog& log);

  const std::filesystem::path& path() const { return path_; }
  bool exists() const;
  // Creates the file holding `password` and a newline: mode 0600, never
  // over or through anything already at the path (O_EXCL, O_NOFOLLOW),
  // synced with its folder before this returns. kUnavailable on failure,
  // leaving no file.
  Status write(std::string_view password) const;
  // Removes the file, logging `why`; a missing file is no error.
  Status remove(std::string_view why) const;
  // To be called once `user_id` has chosen their own password (after the
  // commit): the first admin's one-time password opens nothing any more,
  // so its file goes. A failure to remove it is logged, and the next start
  // removes it.
  void password_chosen(std::string_view user_id) const;

 private:
  std::filesystem::path path_;
  JsonLog& log_;
};

// KEYLEDGER_ADMIN_PASSWORD, when set and not empty: the operator's password
// for the first admin. One that breaks the rules of every password is
// refused (kInvalidArgument, with the reason validate_password gives) so
// that a typo never becomes the admin's weak password.
StatusOr<std::optional<std::string>> admin_password_from_environment();

// At every start, once the ledger is open and before it serves:
// - on a ledger with no user: creates `admin` with `given` (from the
//   environment) or with a generated one-time password, which is written to
//   `file` before the user is committed, so that no admin exists whose
//   password nobody can read; a file left by a start that died before its
//   commit is replaced. A refused `given` creates nothing.
// - once the admin has chosen their own password: removes a file still
//   there (a crash between that commit and the removal).
// - while the admin's password is still one-time: logs again where the
//   file is, so a restart never hides it.
Status start_first_admin(projections::LiveProjection& projection, writer::GroupCommitWriter& writer,
                         const PasswordHasher& hasher, RandomSource& random,
                         const InitialPasswordFile& file,
                         const StatusOr<std::optional<std::string>>& given, JsonLog& log);

}  // namespace keyledger::server
