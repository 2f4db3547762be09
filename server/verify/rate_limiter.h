// Counts failures per client (IP address) in a one-minute window that
// begins at the client's first failure, and says when a client has had too
// many. Used for failed verifications and failed sign-ins. Thread-safe;
// memory is bounded by dropping the clients whose window began longest ago,
// in constant time per failure even when an attacker spreads failures over
// more addresses than the limiter keeps.
//
// Verification consults the limiter only after a key failed
// (count_failure), so a valid key is never refused and its success touches
// nothing here. Sign-in asks retry_after_seconds() before every attempt,
// nearly always for a client with no failures; that answer takes no lock: a
// fixed table of atomic counts says how many tracked clients hash to each
// slot, and a client whose slot is empty has no window to look up.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
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
  // One failure of `client`, checked and counted under one lock: 0 when it
  // was counted within the limit (answer "invalid"), else the seconds until
  // the client's window ends (answer "rate limited"). A failure over the
  // limit is not counted, so it does not keep the client out longer.
  std::int64_t count_failure(const std::string& client);

 private:
  struct Window {
    TimeNs started_ns = 0;
    unsigned failures = 0;
  };

  // Drops clients whose window ended and, when `need_room`, the oldest ones
  // until one more fits.
  void evict(TimeNs now, TimeNs window, bool need_room);
  // clients_.erase() that keeps the slot counts right; mutex_ held.
  void forget(std::unordered_map<std::string, Window>::iterator it);
  // record_failure() with mutex_ held.
  void record_failure_locked(const std::string& client, TimeNs now, TimeNs window);
  static std::int64_t seconds_left(const Window& entry, TimeNs now, TimeNs window);
  std::atomic<std::uint32_t>& slot_of(const std::string& client);

  const Clock& clock_;
  unsigned max_failures_;
  std::chrono::seconds window_;
  std::size_t max_clients_;
  std::mutex mutex_;
  std::unordered_map<std::string, Window> clients_;
  // (window start, client) in the order windows began; an entry whose start
  // no longer matches the client's current window is stale and skipped.
  std::deque<std::pair<TimeNs, std::string>> windows_by_start_;
  // How many clients in clients_ hash to each slot; written under mutex_,
  // read without it. A false "maybe" only costs the locked lookup.
  static constexpr std::size_t kSlots = 1024;
  std::array<std::atomic<std::uint32_t>, kSlots> tracked_per_slot_{};
};

}  // namespace keyledger::server
