// keyledgerd: parses flags and runs the server (server_app.h).
#include "server/config.h"
#include "server/server_app.h"

int main(int argc, char** argv) {
  keyledger::server::ServerConfig config;
  int exit_code = 0;
  if (!keyledger::server::parse_config(argc, argv, config, exit_code)) return exit_code;
  return keyledger::server::run_server(config);
}
