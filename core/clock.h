// Time is injected so that tests are deterministic: production code takes a
// `const Clock&`, main() passes a SystemClock, tests a ManualClock.
#pragma once

#include <atomic>
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

}  // namespace keyledger
