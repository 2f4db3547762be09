// keyledgerd as a whole: the Daemon owns every part of the server and runs
// them in order. A start creates nothing until it is sure to serve: it
// checks the data folder and binds every listening port first, and only
// then creates the data folder (0700), opens the ledger and the pepper, and
// creates the first admin on an empty ledger. It serves HTTP (and the
// verify port) until SIGINT/SIGTERM, then stops accepting, finishes
// in-flight requests, persists outstanding last-use records and closes the
// database cleanly.
//
// The parts themselves are in node.h, which only daemon.cc includes: this
// header names no other part of the server, so whoever runs a Daemon
// (main.cc, the tests) depends on the daemon alone.
#pragma once

#include <memory>

#include "server/daemon/config.h"
#include "server/daemon/exit_codes.h"

namespace keyledger::server {

class JsonLog;
class Node;

class Daemon {
 public:
  // `config` and `log` outlive the daemon. Builds only the parts that do
  // nothing until used; run() builds the others.
  Daemon(const ServerConfig& config, JsonLog& log);
  ~Daemon();
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  // Checks, binds, opens, starts, serves until SIGINT or SIGTERM, and
  // stops. Returns the process exit code: 0 after a clean stop, otherwise
  // one of exit_codes.h's after the error line. Call once.
  int run();

 private:
  std::unique_ptr<Node> node_;
};

}  // namespace keyledger::server
