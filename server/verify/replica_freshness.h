// Whether a follower may answer verifications (issue 20): only while it
// has confirmed, within --max-staleness, that it held every event of the
// stream. Past that bound it answers 503 stale_replica: a deleted key must
// never verify because a follower lost its network.
//
// The follow loop (server/replication/follow_loop.h, on its own thread)
// moves the deadline forward; every verification reads it with one atomic
// load and a monotonic clock reading, no lock and no shared write. A
// leader has none: its verifier's pointer is null and costs a test of it.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <limits>
#include <optional>

#include "core/clock.h"
#include "core/status.h"

namespace keyledger::server {

class ReplicaFreshness {
 public:
  // `clock` outlives it. Stale until the first confirmation: a follower
  // that restarts on an old data folder answers nothing before it has
  // asked the stream.
  ReplicaFreshness(const MonotonicClock& clock, std::chrono::nanoseconds max_staleness)
      : clock_(clock), max_staleness_(max_staleness) {}

  // Thread-safe; the hot path.
  bool fresh() const noexcept {
    return clock_.now().time_since_epoch().count() < deadline_ns_.load(std::memory_order_acquire);
  }

  // The follower held every event of the stream when it asked at
  // `asked_at`: fresh until asked_at + max_staleness. Never moves the
  // deadline back. One writer (the follow loop).
  void confirmed(MonotonicTime asked_at) noexcept {
    const std::int64_t deadline = (asked_at + max_staleness_).time_since_epoch().count();
    if (deadline > deadline_ns_.load(std::memory_order_relaxed))
      deadline_ns_.store(deadline, std::memory_order_release);
  }

  // When it last confirmed; nullopt before the first time.
  std::optional<MonotonicTime> confirmed_at() const noexcept {
    const std::int64_t deadline = deadline_ns_.load(std::memory_order_acquire);
    if (deadline == kNever) return std::nullopt;
    return MonotonicTime(std::chrono::nanoseconds(deadline)) - max_staleness_;
  }
  // How long since then, as of now; nullopt before the first confirmation.
  std::optional<std::chrono::nanoseconds> staleness() const noexcept {
    const auto at = confirmed_at();
    if (!at) return std::nullopt;
    return clock_.now() - *at;
  }
  std::chrono::nanoseconds max_staleness() const noexcept { return max_staleness_; }

 private:
  static constexpr std::int64_t kNever = std::numeric_limits<std::int64_t>::min();

  const MonotonicClock& clock_;
  const std::chrono::nanoseconds max_staleness_;
  std::atomic<std::int64_t> deadline_ns_{kNever};
};

// kUnavailable, reason stale_replica: the answer of a follower past
// --max-staleness (HTTP 503; on the verify port, refused as unavailable).
Status stale_replica();

}  // namespace keyledger::server
