#include "server/daemon/start_failure.h"

namespace keyledger::server {

int fail_start(JsonLog& log, int exit_code, const std::string& what, const Status& status,
               LogFields fields) {
  fields["reason"] = status.reason();
  fields["exit_code"] = exit_code;
  log.start_failure(what + ": " + status.message(), fields);
  return exit_code;
}

}  // namespace keyledger::server
