// Time is injected so that tests are deterministic: production code takes a
// `const Clock&` (wall time) or a `const MonotonicClock&` (timeouts), main()
// passes a SystemClock or SteadyClock, tests a ManualClock or
// ManualMonotonicClock.
#pragma once

#include <atomic>
#include <cassert>
#include <chrono>
#include <cstdint>

namespace keyledger {

// Nanoseconds since the Unix epoch, UTC.
using TimeNs = std::int64_t;

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time. Thread-safe.
  virtual TimeNs now_ns() const = 0;
};

class SystemClock final : public Clock {
 public:
  TimeNs now_ns() const override {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

// A clock that moves only when told to. Thread-safe.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimeNs start = 1'700'000'000'000'000'000) : now_(start) {}
  TimeNs now_ns() const override { return now_.load(std::memory_order_relaxed); }
  void set(TimeNs t) { now_.store(t, std::memory_order_relaxed); }
  void advance(TimeNs delta) { now_.fetch_add(delta, std::memory_order_relaxed); }

 private:
  std::atomic<TimeNs> now_;
};

// A point on a clock that only moves forward, whatever happens to the wall
// clock: what timeouts are measured on.
using MonotonicTime = std::chrono::steady_clock::time_point;

// Readings are never earlier than a reading before them. Thread-safe.
class MonotonicClock {
 public:
  virtual MonotonicTime now() const = 0;
  virtual ~MonotonicClock() = default;
};

class SteadyClock final : public MonotonicClock {
 public:
  MonotonicTime now() const override { return std::chrono::steady_clock::now(); }
};

// A monotonic clock that moves only when told to. Thread-safe.
class ManualMonotonicClock final : public MonotonicClock {
 public:
  MonotonicTime now() const override {
    return MonotonicTime(std::chrono::nanoseconds(since_start_.load(std::memory_order_relaxed)));
  }
  // Time never goes back: `delta` must not be negative.
  void advance(std::chrono::nanoseconds delta) {
    assert(delta.count() >= 0);
    since_start_.fetch_add(delta.count(), std::memory_order_relaxed);
  }

 private:
  std::atomic<std::int64_t> since_start_{0};
};

}  // namespace keyledger
