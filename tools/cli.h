// The whole `keyledger` command as a function: main() is one call to it, and
// the fuzzer runs the same code in-process against corrupted ledgers.
#pragma once

namespace keyledger::tools {

// Parses the arguments, runs the subcommand and returns the exit code
// (tools/exit_codes.h). Never throws.
int run_keyledger(int argc, const char* const* argv);

}  // namespace keyledger::tools
