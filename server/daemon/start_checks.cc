#include "server/daemon/start_checks.h"

#include <filesystem>

#include "core/token.h"
#include "server/daemon/start_failure.h"

namespace keyledger::server {
namespace {

// A new ledger holds no one to unlock but the admin it creates, who is not
// locked: any other name would fail only after the ledger was made.
int check_unlock_users(const ServerConfig& config, const DataFolder& data, JsonLog& log) {
  for (const auto& user_id : config.unlock_users)
    if (ledger_is_new(data) && user_id != "admin")
      return fail_start(log, kExitUsage, "--unlock " + user_id,
                        not_found(Reason::kUserNotFound, "the ledger is new: it holds no user '" +
                                                             user_id + "' to unlock"));
  return 0;
}

// The pepper is created at the first start; a folder for it that does not
// exist would fail only after the ledger was made.
int check_pepper_folder(const ServerConfig& config, const DataFolder& data, JsonLog& log) {
  const std::filesystem::path pepper_folder =
      std::filesystem::path(config.pepper_file).parent_path();
  std::error_code error;
  if (!std::filesystem::exists(config.pepper_file, error) && pepper_folder != data.root &&
      !pepper_folder.empty() && !std::filesystem::is_directory(pepper_folder, error))
    return fail_start(
        log, kExitUsage, "--pepper-file",
        not_found(Reason::kPepperFolderMissing,
                  "the folder " + pepper_folder.string() + " of --pepper-file does not exist"));
  return 0;
}

// A follower never creates a pepper (pepper.h): without the leader's, it
// would create its data folder only to refuse to start.
int check_follower_pepper(const ServerConfig& config, JsonLog& log) {
  std::error_code error;
  if (!config.follower || std::filesystem::exists(config.pepper_file, error)) return 0;
  return fail_start(
      log, kExitUsage, "--pepper-file",
      failed_precondition(Reason::kPepperMissing,
                          config.pepper_file + " does not exist. A follower verifies keys hashed "
                                               "with the leader's pepper: copy the leader's pepper "
                                               "file there (mode 0600) or name it with "
                                               "--pepper-file. Nothing was changed."));
}

}  // namespace

int check_before_binding(const ServerConfig& config, const DataFolder& data,
                         const StatusOr<std::optional<std::string>>& admin_password, JsonLog& log) {
  if (Status prefix = validate_token_prefix(config.token_prefix); !prefix.is_ok())
    return fail_start(log, kExitFailure, "--token-prefix", prefix);
  if (Status usable = check_data_folder(data); !usable.is_ok())
    return fail_start(
        log, usable.is(Reason::kDataFolderNotPrivate) ? kExitDataNotPrivate : kExitDataNotWritable,
        "cannot use the data folder", usable, {{"path", config.data_dir}});
  // A follower creates no admin: the leader's users come with its events.
  if (!config.follower && !admin_password.is_ok() && ledger_is_new(data))
    return fail_start(log, kExitFailure, "creating the admin user", admin_password.status());
  if (int refused = check_unlock_users(config, data, log)) return refused;
  if (int refused = check_follower_pepper(config, log)) return refused;
  return check_pepper_folder(config, data, log);
}

}  // namespace keyledger::server
