// The options several `keyledger` subcommands share, declared once so that
// their names, help texts and checks cannot drift apart between commands.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace keyledger::tools {

// What `keyledger NAME --help` shows of a subcommand.
struct CommandText {
  const char* name;
  const char* description;
  const char* footer;
};

// Adds the subcommand with its help and the --data option that every
// subcommand reads (keyledgerd's data folder, ./keyledger-data by default).
CLI::App* add_ledger_command(CLI::App& app, const CommandText& text, std::string& data);

// Adds --format: table, json or csv, or nothing for table on a terminal and
// JSON otherwise. CLI11 refuses any other value (exit 2) before the command
// runs, so a command's callback can take the format as valid.
void add_format_option(CLI::App& command, std::string& format);

// Checks a seq argument: digits only. (CLI11 alone would read "-1" as the
// largest unsigned number.)
CLI::Validator seq_validator();

// Checks a time argument: RFC 3339 with a zone, or YYYY-MM-DD (midnight UTC).
CLI::Validator time_validator();

// Checks a hash argument: 64 hex digits.
CLI::Validator hash_validator();

}  // namespace keyledger::tools
