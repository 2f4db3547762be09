// keyledgerd as a whole. Start-up creates nothing until it is sure to
// serve: it checks the data folder and binds every listening port first,
// and only then creates the data folder (0700), opens the ledger and the
// pepper, and creates the first admin on an empty ledger. It serves HTTP
// (and the verify port) until SIGINT/SIGTERM, then stops accepting,
// finishes in-flight requests, persists outstanding last-use records and
// closes the database cleanly.
#pragma once

#include "server/daemon/config.h"
#include "server/http/json_log.h"

namespace keyledger::server {

// keyledgerd's exit codes (sysexits.h values where one fits), so that a
// supervisor can tell what to fix without reading messages. The error
// line on stderr says the rest.
inline constexpr int kExitFailure = 1;  // any other failure to start
inline constexpr int kExitUsage = 2;    // a bad flag (CLI11 uses 100-119 for its own)
// EX_UNAVAILABLE: a listening address (--listen, --verify-listen) cannot be
// bound: in use, not this machine's, or privileged. Nothing was created.
inline constexpr int kExitAddressUnavailable = 69;
// EX_CANTCREAT: the data folder cannot be written (a read-only mount,
// another user's folder). Nothing was changed.
inline constexpr int kExitDataNotWritable = 73;
// EX_CONFIG: the data folder or its ledger folder is writable by other
// users. Nothing was changed.
inline constexpr int kExitDataNotPrivate = 78;

// Runs keyledgerd with `config`, logging to `log` (which outlives it).
// Returns the process exit code: 0 after a clean stop.
int run_server(const ServerConfig& config, JsonLog& log);

}  // namespace keyledger::server
