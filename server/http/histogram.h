// A Prometheus histogram with fixed buckets, cheap enough for the verify
// hot path: observing is two relaxed atomic additions (the bucket and the
// sum), with no lock and no allocation. Values are whole units (nanoseconds
// for durations, items for counts); rendering divides them into the unit
// Prometheus expects (seconds for durations).
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace keyledger::server {

inline constexpr std::uint64_t kNanosecondsPerSecond = 1'000'000'000;

// The shortest text that reads back as `value`, as a Prometheus sample value:
// a sum or a process's CPU seconds keeps every digit.
std::string exact_sample_text(double value);

// HTTP requests in general: 100 µs to 2.5 s.
inline constexpr std::array<std::uint64_t, 12> kRequestLatencyBoundsNs = {
    100'000,    250'000,    500'000,    1'000'000,   2'500'000,   5'000'000,
    10'000'000, 25'000'000, 50'000'000, 100'000'000, 500'000'000, 2'500'000'000};
// Verification, answered from memory in microseconds: 1 µs to 1 s, so that
// its p50 and p99 land in different buckets.
inline constexpr std::array<std::uint64_t, 14> kVerifyLatencyBoundsNs = {
    1'000,   2'500,   5'000,     10'000,    25'000,     50'000,      100'000,
    250'000, 500'000, 1'000'000, 2'500'000, 10'000'000, 100'000'000, 1'000'000'000};
// Sizes (events per group commit).
inline constexpr std::array<std::uint64_t, 12> kBatchSizeBounds = {1,  2,   4,   8,   16,   32,
                                                                   64, 128, 256, 512, 1024, 4096};

class Histogram {
 public:
  // `upper_bounds` ascending, in observed units; `units_per_rendered` is how
  // many observed units make one rendered unit (kNanosecondsPerSecond for
  // durations observed in nanoseconds).
  explicit Histogram(std::span<const std::uint64_t> upper_bounds,
                     std::uint64_t units_per_rendered = 1);

  // Thread-safe and lock-free.
  void observe(std::uint64_t value);
  void observe(std::chrono::nanoseconds duration) {
    observe(duration.count() > 0 ? static_cast<std::uint64_t>(duration.count()) : 0);
  }

  // Appends the _bucket, _sum and _count lines of `name` (not HELP or
  // TYPE). `labels` is empty or `a="x",b="y"`. A render concurrent with
  // observations may miss the newest of them, never count one twice; its
  // _count always equals its +Inf bucket.
  void render(std::string& out, std::string_view name, std::string_view labels) const;

 private:
  friend class HistogramBatch;
  std::size_t bucket_of(std::uint64_t value) const;

  std::vector<std::uint64_t> bounds_;
  double units_per_rendered_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> buckets_;  // bounds_.size() + 1, the last +Inf
  std::atomic<std::uint64_t> sum_{0};
};

// Observations that one thread gathers in a row and adds to a Histogram
// together, with one atomic addition per bucket touched (and one for the
// sum) per flush() instead of two per value: a verify-port session answering
// a pipelined batch observes each request and flushes once. Not
// thread-safe; `into` outlives it. What is not flushed is not counted.
class HistogramBatch {
 public:
  explicit HistogramBatch(Histogram& into) : into_(into), counts_(into.bounds_.size() + 1) {}

  void observe(std::chrono::nanoseconds duration) {
    const auto value =
        duration.count() > 0 ? static_cast<std::uint64_t>(duration.count()) : std::uint64_t{0};
    ++counts_[into_.bucket_of(value)];
    sum_ += value;
  }
  void flush();

 private:
  Histogram& into_;
  std::vector<std::uint64_t> counts_;
  std::uint64_t sum_ = 0;
};

}  // namespace keyledger::server
