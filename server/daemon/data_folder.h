// keyledgerd's data folder (--data): the ledger in DATA/ledger, the pepper
// at DATA/pepper unless --pepper-file says otherwise, and the first admin's
// one-time password file. They hold password hashes and secrets, so the
// folders are private (0700), and keyledgerd refuses a folder that other
// users may write to: they could replace the ledger or the pepper under it.
#pragma once

#include <filesystem>

#include "core/status.h"
#include "server/http/json_log.h"

namespace keyledger::server {

struct DataFolder {
  explicit DataFolder(const std::filesystem::path& root) : root(root), ledger(root / "ledger") {}
  std::filesystem::path root;
  std::filesystem::path ledger;
};

// Checks, before anything is created or changed, that keyledgerd may use
// the folder; a folder that does not exist yet is fine. Refuses, changing
// nothing: DATA or DATA/ledger writable by group or others
// (kFailedPrecondition, data_folder_not_private), or one keyledgerd itself
// cannot write (kUnavailable, data_folder_not_writable: a read-only mount,
// another user's folder).
Status check_data_folder(const DataFolder& folder);

// Whether DATA/ledger holds nothing yet (missing or empty): the next start
// creates the ledger and the first admin.
bool ledger_is_new(const DataFolder& folder);

// Creates DATA and DATA/ledger with mode 0700 where missing, and tightens
// an existing DATA/ledger that group or others may read (an older build
// created it under the usual umask) to 0700, saying so in `log`. An existing
// DATA keeps its mode: it may be a folder the operator made, and what it
// holds is private itself. kUnavailable (data_folder_not_writable) if a
// folder cannot be created or changed.
Status prepare_data_folder(const DataFolder& folder, JsonLog& log);

}  // namespace keyledger::server
