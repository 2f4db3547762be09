// keyledger: read-only tools for auditors and operators. Every command
// reads a live ledger safely beside a running keyledgerd and never writes
// to it.
#include <CLI/CLI.hpp>

#include "tools/commands.h"
#include "tools/exit_codes.h"

int main(int argc, char** argv) {
  CLI::App app{
      "keyledger: audit, replay, verify, export and summarise a keyledger ledger.\n"
      "Safe to run while keyledgerd is serving the same --data folder; never writes to it.\n"
      "Exit codes: 0 ok, 1 check failed, 2 bad arguments, 3 no ledger at --data,\n"
      "4 ledger unreadable or corrupt, 5 could not write the output database."};
  app.require_subcommand(1);
  int exit_code = keyledger::tools::kExitOk;
  keyledger::tools::add_audit_command(app, exit_code);
  keyledger::tools::add_replay_command(app, exit_code);
  keyledger::tools::add_verify_command(app, exit_code);
  keyledger::tools::add_export_command(app, exit_code);
  keyledger::tools::add_stats_command(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& help) {
    return app.exit(help);
  } catch (const CLI::CallForAllHelp& help) {
    return app.exit(help);
  } catch (const CLI::ParseError& error) {
    app.exit(error);
    return keyledger::tools::kExitUsage;
  }
  return exit_code;
}
