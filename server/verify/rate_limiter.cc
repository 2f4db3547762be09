#include "server/verify/rate_limiter.h"

namespace keyledger::server {

std::atomic<std::uint32_t>& FailureRateLimiter::slot_of(const std::string& client) {
  return tracked_per_slot_[std::hash<std::string>{}(client) % kSlots];
}

void FailureRateLimiter::forget(std::unordered_map<std::string, Window>::iterator it) {
  slot_of(it->first).fetch_sub(1, std::memory_order_relaxed);
  clients_.erase(it);
}

std::int64_t FailureRateLimiter::retry_after_seconds(const std::string& client) {
  // No tracked client shares the slot: no failures, nothing to expire. A
  // failure recorded concurrently is as if recorded just after this call.
  if (slot_of(client).load(std::memory_order_acquire) == 0) return 0;
  const TimeNs now = clock_.now_ns();
  const TimeNs window = std::chrono::nanoseconds(window_).count();
  std::lock_guard lock(mutex_);
  auto it = clients_.find(client);
  if (it == clients_.end()) return 0;
  if (now - it->second.started_ns >= window) {
    forget(it);
    return 0;
  }
  if (it->second.failures < max_failures_) return 0;
  return seconds_left(it->second, now, window);
}

void FailureRateLimiter::record_failure(const std::string& client) {
  const TimeNs now = clock_.now_ns();
  const TimeNs window = std::chrono::nanoseconds(window_).count();
  std::lock_guard lock(mutex_);
  record_failure_locked(client, now, window);
}

std::int64_t FailureRateLimiter::count_failure(const std::string& client) {
  const TimeNs now = clock_.now_ns();
  const TimeNs window = std::chrono::nanoseconds(window_).count();
  std::lock_guard lock(mutex_);
  if (auto it = clients_.find(client); it != clients_.end()) {
    const Window& entry = it->second;
    if (now - entry.started_ns < window && entry.failures >= max_failures_)
      return seconds_left(entry, now, window);
  }
  record_failure_locked(client, now, window);
  return 0;
}

std::int64_t FailureRateLimiter::seconds_left(const Window& entry, TimeNs now, TimeNs window) {
  return (entry.started_ns + window - now + 999'999'999) / 1'000'000'000;
}

void FailureRateLimiter::record_failure_locked(const std::string& client, TimeNs now,
                                               TimeNs window) {
  evict(now, window, !clients_.contains(client));
  auto [it, inserted] = clients_.try_emplace(client);
  if (inserted) slot_of(client).fetch_add(1, std::memory_order_release);
  auto& entry = it->second;
  if (entry.failures == 0 || now - entry.started_ns >= window) {
    entry = Window{now, 0};
    windows_by_start_.emplace_back(now, client);
  }
  ++entry.failures;
}

void FailureRateLimiter::evict(TimeNs now, TimeNs window, bool need_room) {
  while (!windows_by_start_.empty()) {
    const auto& [started, client] = windows_by_start_.front();
    auto it = clients_.find(client);
    const bool stale = it == clients_.end() || it->second.started_ns != started;
    const bool expired = now - started >= window;
    const bool make_room = need_room && clients_.size() >= max_clients_;
    if (!stale && !expired && !make_room) return;
    if (!stale) forget(it);
    windows_by_start_.pop_front();
  }
}

}  // namespace keyledger::server
