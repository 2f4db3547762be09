// What can refuse a start of keyledgerd before it binds a port or touches
// the disk, so that a refused start changes nothing.
#pragma once

#include <optional>
#include <string>

#include "core/status.h"
#include "server/daemon/config.h"
#include "server/daemon/data_folder.h"
#include "server/http/json_log.h"

namespace keyledger::server {

// Checks the token prefix, the data folder's state (check_data_folder),
// and, when this start would create the ledger, the admin's password from
// the environment (`admin_password`), the --unlock names (a new ledger
// holds only the admin, who is not locked) and the folder of
// --pepper-file. 0, or the exit code after the error line in `log`.
int check_before_binding(const ServerConfig& config, const DataFolder& data,
                         const StatusOr<std::optional<std::string>>& admin_password, JsonLog& log);

}  // namespace keyledger::server
