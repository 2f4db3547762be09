// Building a ledger of N events through the real write path, for the
// benchmarks that need a big log.
#pragma once

#include <cstdint>
#include <filesystem>

#include "tests/bench/bench_common.h"

namespace keyledger::bench {

// Writes `events` events (users, key creations, renames, uses, deletions)
// into a fresh ledger at `path` through the group-commit writer, with sync
// off (building the fixture is not what is measured).
void build_ledger(const std::filesystem::path& path, std::uint64_t events);

}  // namespace keyledger::bench
