// The soak: keyledgerd under steady mixed load (mostly verifications,
// some listings, creates, renames and deletes) for a long time, sampled
// every interval: requests, errors, latency percentiles, resident memory.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace keyledger::reliability {

struct SoakOptions {
  std::chrono::seconds duration{5};
  std::chrono::milliseconds interval{1000};
  int workers = 4;
  // Creates, renames and deletes per 10,000 requests (the rest verify and
  // list). 0 gives a read-only soak after each client made its first keys:
  // it tells leaks per request apart from the ledger growing with changes.
  int changes_per_10k = 50;
  // Intervals before the memory baseline is taken: RocksDB's memtables
  // (64 MiB each) and the allocator's caches grow at first by design.
  int warmup_intervals = 1;
  std::function<void(const std::string&)> log = [](const std::string&) {};
};

struct SoakInterval {
  double seconds = 0;  // since the start, at the end of the interval
  std::uint64_t requests = 0;
  std::uint64_t errors = 0;
  double p50_ms = 0;
  double p99_ms = 0;
  std::uint64_t rss_kib = 0;
};

struct SoakReport {
  std::vector<SoakInterval> intervals;
  std::uint64_t requests = 0;
  std::uint64_t errors = 0;  // no reply, or a status the request did not call for
  std::vector<std::string> error_samples;
  std::uint64_t baseline_rss_kib = 0;  // at the end of the warm-up
  std::uint64_t peak_rss_kib = 0;      // after the warm-up
  std::uint64_t final_rss_kib = 0;
  // Growth of the peak over the last third against the peak over the
  // middle third: memory that keeps growing shows here, a cache that
  // filled once does not.
  double late_rss_growth = 0;
  double rss_growth_since_baseline = 0;  // final against baseline
  // Highest interval p99 of the last third against the middle third's.
  double late_p99_ratio = 0;
  bool server_alive = false;
};

SoakReport run_soak(const SoakOptions& options);

std::string describe(const SoakReport& report);

}  // namespace keyledger::reliability
