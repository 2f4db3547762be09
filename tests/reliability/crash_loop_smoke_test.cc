// A short crash loop for the default test run; tools/reliability.sh runs
// the long one (keyledger_crash_loop, 25 cycles).
#include <catch2/catch.hpp>

#include "tests/reliability/crash_loop.h"

namespace keyledger::reliability {

TEST_CASE("keyledgerd killed mid-traffic three times loses no acknowledged change",
          "[reliability][crash]") {
  CrashLoopOptions options;
  options.cycles = 3;
  options.workers = 6;
  options.min_run = std::chrono::milliseconds(300);
  options.max_run = std::chrono::milliseconds(900);
  options.log = [](const std::string& line) { UNSCOPED_INFO(line); };
  const CrashLoopReport report = run_crash_loop(options);
  INFO(describe(report));
  CHECK(report.cycles == 3);
  CHECK(report.totals.acked() > 0);
  CHECK(report.lost == 0);
  CHECK(report.violations == 0);
  CHECK(report.ledger_verify_failures == 0);
  CHECK(report.ok(3));
}

}  // namespace keyledger::reliability
