#include "server/rate_limiter.h"

namespace keyledger::server {

std::int64_t FailureRateLimiter::retry_after_seconds(const std::string& client) {
  const TimeNs now = clock_.now_ns();
  const TimeNs window = std::chrono::nanoseconds(window_).count();
  std::lock_guard lock(mutex_);
  auto it = clients_.find(client);
  if (it == clients_.end()) return 0;
  if (now - it->second.started_ns >= window) {
    clients_.erase(it);
    return 0;
  }
  if (it->second.failures < max_failures_) return 0;
  return (it->second.started_ns + window - now + 999'999'999) / 1'000'000'000;
}

void FailureRateLimiter::record_failure(const std::string& client) {
  const TimeNs now = clock_.now_ns();
  const TimeNs window = std::chrono::nanoseconds(window_).count();
  std::lock_guard lock(mutex_);
  if (clients_.size() >= max_clients_)
    std::erase_if(clients_,
                  [&](const auto& entry) { return now - entry.second.started_ns >= window; });
  if (clients_.size() >= max_clients_) clients_.erase(clients_.begin());
  auto& entry = clients_[client];
  if (entry.failures == 0 || now - entry.started_ns >= window) entry = Window{now, 0};
  ++entry.failures;
}

}  // namespace keyledger::server
