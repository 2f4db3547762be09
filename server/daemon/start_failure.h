// How a start of keyledgerd that cannot serve ends: one exit code a
// supervisor can act on, and one error line that says the rest.
#pragma once

#include <string>

#include "core/status.h"
#include "server/daemon/exit_codes.h"
#include "server/http/json_log.h"

namespace keyledger::server {

// Writes the error line that ends a start, "`what`: <the status's message>"
// with the status's reason and `exit_code` among `fields`, and returns
// `exit_code`.
int fail_start(JsonLog& log, int exit_code, const std::string& what, const Status& status,
               LogFields fields = LogFields::object());

}  // namespace keyledger::server
