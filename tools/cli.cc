#include "tools/cli.h"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>
#include <string>

#include "core/version.h"
#include "tools/commands.h"
#include "tools/exit_codes.h"
#include "tools/output_format.h"

namespace {

// Bad arguments are reported on one line, like every other error.
std::string one_line_failure(const CLI::App* app, const CLI::Error& error) {
  std::string message = error.what();
  if (error.get_name() == "RequiredError" && app->get_subcommands().empty()) {
    // CLI11 says only that a subcommand is required, even for a misspelt one.
    message = "give a subcommand: audit, replay, verify, export or stats";
    const auto rest = app->remaining();
    if (!rest.empty() && !rest.front().empty() && rest.front().front() != '-')
      message = "unknown subcommand '" + rest.front() + "'; " + message;
  }
  for (auto& c : message)
    if (c == '\n' || c == '\r') c = ' ';
  return "keyledger: " + message + " (see keyledger --help)\n";
}

}  // namespace

namespace keyledger::tools {

int run_keyledger(int argc, const char* const* argv) {
  CLI::App app{
      "keyledger: audit, replay, verify, export and summarise a keyledger ledger.\n"
      "Safe to run while keyledgerd is serving the same --data folder; never writes to it.\n"
      "Exit codes: 0 ok, 1 check failed, 2 bad arguments, 3 no ledger at --data,\n"
      "4 ledger unreadable or corrupt, 5 could not write the output database."};
  app.footer(kOutputRules);
  app.set_version_flag("--version", version_line("keyledger"));
  app.require_subcommand(1);
  app.failure_message(one_line_failure);
  int exit_code = kExitOk;
  add_audit_command(app, exit_code);
  add_replay_command(app, exit_code);
  add_verify_command(app, exit_code);
  add_export_command(app, exit_code);
  add_stats_command(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& help) {
    return app.exit(help);
  } catch (const CLI::CallForAllHelp& help) {
    return app.exit(help);
  } catch (const CLI::CallForVersion& version) {
    return app.exit(version);
  } catch (const CLI::ParseError& error) {
    app.exit(error);
    return kExitUsage;
  } catch (const std::exception& error) {
    // Never a crash: whatever escaped a command is still one clear line.
    std::fprintf(stderr, "keyledger: unexpected error: %s\n", error.what());
    return kExitUnreadable;
  }
  return exit_code;
}

}  // namespace keyledger::tools
