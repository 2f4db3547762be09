// Counts failures per client (IP address) in a sliding one-minute window
// and says when a client has had too many. Used for failed verifications.
// Thread-safe; memory is bounded by dropping idle clients.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

#include "core/clock.h"

namespace keyledger::server {

class FailureRateLimiter {
 public:
  FailureRateLimiter(const Clock& clock, unsigned max_failures_per_window,
                     std::chrono::seconds window = std::chrono::seconds(60),
                     std::size_t max_clients = 100'000)
      : clock_(clock),
        max_failures_(max_failures_per_window),
        window_(window),
        max_clients_(max_clients) {}

  // Seconds until `client` may try again; 0 when it may now.
  std::int64_t retry_after_seconds(const std::string& client);
  void record_failure(const std::string& client);

 private:
  struct Window {
    TimeNs started_ns = 0;
    unsigned failures = 0;
  };

  const Clock& clock_;
  unsigned max_failures_;
  std::chrono::seconds window_;
  std::size_t max_clients_;
  std::mutex mutex_;
  std::unordered_map<std::string, Window> clients_;
};

}  // namespace keyledger::server
