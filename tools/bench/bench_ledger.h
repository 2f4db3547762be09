// Shared by the benchmarks: building a ledger of N events through the real
// write path, and taking medians.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <vector>

namespace keyledger::bench {

// Writes `events` events (users, key creations, renames, uses, deletions)
// into a fresh ledger at `path` through the group-commit writer, with sync
// off (building the fixture is not what is measured).
void build_ledger(const std::filesystem::path& path, std::uint64_t events);

inline double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const std::size_t middle = values.size() / 2;
  return values.size() % 2 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
}

inline double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace keyledger::bench
