// One JSON line per request on standard output (spdlog, asynchronous
// enough for our rates). Holds no secrets: no tokens, no cookies, no query
// strings, no bodies.
#pragma once

#include <chrono>
#include <memory>
#include <string>

namespace spdlog {
class logger;
}

namespace keyledger::server {

struct Exchange;

class AccessLog {
 public:
  explicit AccessLog(bool enabled);
  void record(const Exchange& exchange, unsigned status, std::chrono::nanoseconds duration);

 private:
  std::shared_ptr<spdlog::logger> logger_;
};

}  // namespace keyledger::server
