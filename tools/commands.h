// The subcommands of `keyledger`. Each adds itself to the CLI11 app; its
// callback stores the process exit code in `exit_code`.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace keyledger::tools {

// Checks a seq argument: digits only. (CLI11 alone would read "-1" as the
// largest unsigned number.)
inline CLI::Validator seq_validator() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos)
          return "must be a whole number (0 or more), got '" + text + "'";
        return "";
      },
      "SEQ", "seq");
}

void add_audit_command(CLI::App& app, int& exit_code);
void add_replay_command(CLI::App& app, int& exit_code);
void add_verify_command(CLI::App& app, int& exit_code);
void add_export_command(CLI::App& app, int& exit_code);
void add_stats_command(CLI::App& app, int& exit_code);

}  // namespace keyledger::tools
