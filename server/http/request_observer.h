// What the HTTP server reports each answered request to. The daemon's
// Metrics implements it (server/daemon/metrics.h); the HTTP part knows only
// this.
#pragma once

#include <chrono>
#include <string_view>

namespace keyledger::server {

// Counts answered requests. Thread-safe, and quick: it runs for every request.
class RequestObserver {
 public:
  virtual ~RequestObserver() = default;
  // `route` is the matched pattern, "unmatched" or "rejected"; `method` is
  // the request's, or "OTHER" for one outside HTTP's known set.
  virtual void observe_request(std::string_view route, std::string_view method, unsigned status,
                               std::chrono::nanoseconds duration) = 0;
};

}  // namespace keyledger::server
