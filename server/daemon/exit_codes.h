// keyledgerd's exit codes (sysexits.h values where one fits), so that a
// supervisor can tell what to fix without reading messages. The error
// line on stderr (start_failure.h) says the rest.
#pragma once

namespace keyledger::server {

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

}  // namespace keyledger::server
