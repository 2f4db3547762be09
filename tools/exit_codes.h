// Exit codes of the `keyledger` command, distinct so scripts can react.
#pragma once

namespace keyledger::tools {

enum ExitCode : int {
  kExitOk = 0,
  kExitCheckFailed = 1,   // verify found damage, or --expect-head does not match
  kExitUsage = 2,         // bad arguments
  kExitNoLedger = 3,      // --data is missing or not a keyledger database
  kExitUnreadable = 4,    // the database cannot be read or is corrupt
  kExitWriteFailed = 5,   // replay --out could not write the new database
};

}  // namespace keyledger::tools
