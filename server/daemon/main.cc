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
  keyledger::server::ServerConfig config;
  int exit_code = 0;
  std::string error;
  if (!keyledger::server::parse_config(argc, argv, config, exit_code, error)) {
    if (!error.empty()) log.start_failure(error, {{"exit_code", exit_code}});
    return exit_code;
  }
  // parse_config admits only the names parse_log_level knows.
  log.set_level(keyledger::server::parse_log_level(config.log_level)
                    .value_or(keyledger::server::LogLevel::kInfo));
  keyledger::server::Daemon daemon(config, log);
  return daemon.run();
}
