#include "server/daemon/data_folder.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace keyledger::server {
namespace {

constexpr mode_t kPrivateFolder = 0700;

std::string octal(mode_t mode) {
  char text[8];
  std::snprintf(text, sizeof text, "0%03o", static_cast<unsigned>(mode & 0777));
  return text;
}

Status not_writable(const std::filesystem::path& path, const std::string& why) {
  return unavailable(Reason::kDataFolderNotWritable,
                     path.string() + " is not writable (" + why +
                         "); keyledgerd must be able to write its ledger there. Nothing was "
                         "changed.");
}

// Creates `path` (mode 0700; missing parents follow the umask) unless it
// exists.
Status create_private_folder(const std::filesystem::path& path) {
  std::error_code error;
  if (std::filesystem::exists(path, error)) return Status::ok();
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), error);
  if (error) return not_writable(path.parent_path(), error.message());
  if (::mkdir(path.c_str(), kPrivateFolder) != 0 && errno != EEXIST)
    return not_writable(path, std::strerror(errno));
  // mkdir's mode passes through the umask, which may be stricter, never
  // looser; say exactly what is meant.
  if (::chmod(path.c_str(), kPrivateFolder) != 0) return not_writable(path, std::strerror(errno));
  return Status::ok();
}

}  // namespace

Status check_data_folder(const DataFolder& folder) {
  for (const auto& path : {folder.root, folder.ledger}) {
    struct stat info {};
    if (::stat(path.c_str(), &info) != 0) continue;  // created later, privately
    if ((info.st_mode & (S_IWGRP | S_IWOTH)) != 0)
      return failed_precondition(
          Reason::kDataFolderNotPrivate,
          path.string() + " is writable by other users (mode " + octal(info.st_mode) +
              "), who could replace the ledger or the pepper in it; make it private (chmod 700 " +
              path.string() + ") or choose another with --data. Nothing was changed.");
    if (::access(path.c_str(), W_OK) != 0) return not_writable(path, std::strerror(errno));
  }
  return Status::ok();
}

bool ledger_is_new(const DataFolder& folder) {
  std::error_code error;
  if (!std::filesystem::exists(folder.ledger, error)) return true;
  return std::filesystem::is_empty(folder.ledger, error) && !error;
}

Status prepare_data_folder(const DataFolder& folder, JsonLog& log) {
  KEYLEDGER_RETURN_IF_ERROR(create_private_folder(folder.root));
  struct stat info {};
  if (::stat(folder.ledger.c_str(), &info) == 0 && (info.st_mode & 077) != 0) {
    if (::chmod(folder.ledger.c_str(), kPrivateFolder) != 0)
      return not_writable(folder.ledger, std::strerror(errno));
    log.always(LogLevel::kWarn, "made the ledger folder private: other users could read it",
               {{"path", folder.ledger.string()},
                {"mode_was", octal(info.st_mode)},
                {"mode", octal(kPrivateFolder)}});
  }
  return create_private_folder(folder.ledger);
}

}  // namespace keyledger::server
