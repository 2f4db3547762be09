// keyledgerd as a whole: opens the ledger under --data, creates the first
// admin on an empty ledger, serves HTTP until SIGINT/SIGTERM, then stops
// accepting, finishes in-flight requests, persists outstanding last-use
// records and closes the database cleanly.
#pragma once

#include "server/config.h"

namespace keyledger::server {

// Returns the process exit code.
int run_server(const ServerConfig& config);

}  // namespace keyledger::server
