// keyledgerd: parses flags, makes the log and runs the Daemon
// (daemon.h). The one log every part writes to is made here, before the
// flags are read, so that even a bad flag is reported as a JSON line.
#include "core/clock.h"
#include "server/daemon/config.h"
#include "server/daemon/daemon.h"
#include "server/http/json_log.h"

int main(int argc, char** argv) {
  keyledger::SystemClock clock;
  keyledger::server::JsonLog log(clock);
  auto parsed = keyledger::server::parse_config(argc, argv);
  if (const auto* exit = std::get_if<keyledger::server::ConfigExit>(&parsed)) {
    if (!exit->why.is_ok())
      log.start_failure(exit->why.message(), {{"exit_code", exit->exit_code}});
    return exit->exit_code;
  }
  const auto& config = std::get<keyledger::server::ServerConfig>(parsed);
  // parse_config admits only the names parse_log_level knows.
  log.set_level(keyledger::server::parse_log_level(config.log_level)
                    .value_or(keyledger::server::LogLevel::kInfo));
  keyledger::server::Daemon daemon(config, log);
  return daemon.run();
}
