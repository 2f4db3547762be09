// Runs a program as a child process (fork/exec, no shell) and captures its
// standard output and standard error separately, for tests of command-line
// tools.
#pragma once

#include <string>
#include <vector>

namespace keyledger::testing {

struct CommandResult {
  // The exit status, or 128 + the signal number if a signal ended it.
  int exit_code = -1;
  std::string out;  // everything written to standard output
  std::string err;  // everything written to standard error
  bool signalled() const { return exit_code >= 128; }
};

// Runs `program` (a path; no PATH search) with `args` (not including argv[0])
// and waits for it. Standard input is /dev/null. Throws std::runtime_error if
// the program cannot be started at all.
CommandResult run_command(const std::string& program, const std::vector<std::string>& args);

}  // namespace keyledger::testing
