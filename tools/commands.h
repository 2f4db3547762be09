// The subcommands of `keyledger`. Each adds itself to the CLI11 app; its
// callback stores the process exit code in `exit_code`.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace keyledger::tools {

void add_audit_command(CLI::App& app, int& exit_code);
void add_replay_command(CLI::App& app, int& exit_code);
void add_verify_command(CLI::App& app, int& exit_code);
void add_export_command(CLI::App& app, int& exit_code);
void add_stats_command(CLI::App& app, int& exit_code);

}  // namespace keyledger::tools
