// The crash loop: keyledgerd under concurrent creates, renames, deletes
// and verifications from many clients is killed with SIGKILL at a random
// moment, checked on disk (`keyledger verify`: hash chain and stored
// projection), restarted on the same data folder and checked through its
// API against LedgerModel. Repeated for a number of cycles.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "tests/reliability/ledger_model.h"

namespace keyledger::reliability {

struct CrashLoopOptions {
  int cycles = 3;
  int workers = 8;
  // Each cycle runs traffic for a random time in [min_run, max_run], then kills.
  std::chrono::milliseconds min_run{300};
  std::chrono::milliseconds max_run{1200};
  std::uint64_t seed = 0;          // 0: pick one (reported)
  std::filesystem::path data_dir;  // empty: a temporary folder, removed afterwards
  std::function<void(const std::string&)> log = [](const std::string&) {};
};

struct CrashLoopReport {
  std::uint64_t seed = 0;
  int cycles = 0;
  ModelTotals totals;
  std::uint64_t verifies = 0;
  std::uint64_t verify_mismatches = 0;  // a live key refused or a deleted one accepted mid-cycle
  std::uint64_t lost = 0;               // acknowledged changes missing after a crash
  std::uint64_t violations = 0;         // half-applied or unexplained changes
  std::uint64_t in_flight_applied = 0;
  std::uint64_t in_flight_not_applied = 0;
  std::uint64_t ledger_verify_failures = 0;              // `keyledger verify` on the crashed folder
  std::map<unsigned, std::uint64_t> refusals_by_status;  // non-2xx replies to changes
  std::chrono::milliseconds max_restart{0};
  std::chrono::milliseconds total_restart{0};
  std::vector<std::string> problems;
  bool ok(int cycles_wanted) const {
    return cycles == cycles_wanted && lost == 0 && violations == 0 && verify_mismatches == 0 &&
           ledger_verify_failures == 0 && problems.empty();
  }
};

CrashLoopReport run_crash_loop(const CrashLoopOptions& options);

// A multi-line human summary.
std::string describe(const CrashLoopReport& report);

}  // namespace keyledger::reliability
