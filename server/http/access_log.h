// One JSON line per request, through keyledgerd's JsonLog (so with its
// "time", "level" and "msg": "request"), on whatever --log-level says:
// --no-access-log switches it off instead. Holds no secrets: no tokens, no
// cookies, no query strings, no bodies.
#pragma once

#include <chrono>

#include "server/http/json_log.h"

namespace keyledger::server {

struct Exchange;

class AccessLog {
 public:
  // `log` outlives the access log; nothing is written unless `enabled`.
  AccessLog(JsonLog& log, bool enabled) : log_(log), enabled_(enabled) {}
  void record(const Exchange& exchange, unsigned status, std::chrono::nanoseconds duration);

 private:
  JsonLog& log_;
  bool enabled_;
};

}  // namespace keyledger::server
