// How a start of keyledgerd that cannot serve ends: one exit code a
// supervisor can act on, and one error line that says the rest.
#pragma once

#include <string>

#include "core/status.h"
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

// Writes the error line that ends a start, "`what`: <the status's message>"
// with the status's reason and `exit_code` among `fields`, and returns
// `exit_code`.
int fail_start(JsonLog& log, int exit_code, const std::string& what, const Status& status,
               LogFields fields = LogFields::object());

}  // namespace keyledger::server
