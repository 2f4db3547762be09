// What the /v1 handlers report for metrics, and the page they serve at
// /metrics. The daemon's Metrics implements them (server/daemon/metrics.h);
// the API knows only these.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace keyledger::server {

// Counts answered requests. Thread-safe, and quick: it runs for every request.
class RequestObserver {
 public:
  virtual ~RequestObserver() = default;
  virtual void observe_request(std::string_view route, std::string_view method, unsigned status,
                               std::chrono::nanoseconds duration) = 0;
};

// Counts scrypt checks of presented passwords (sign-in, password change).
class PasswordCheckCounter {
 public:
  virtual ~PasswordCheckCounter() = default;
  virtual void observe_password_check() = 0;
};

// The text of /metrics (Prometheus text exposition format 0.0.4).
class MetricsRenderer {
 public:
  virtual ~MetricsRenderer() = default;
  virtual std::string render() const = 0;
};

}  // namespace keyledger::server
