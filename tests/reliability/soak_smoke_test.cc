// A five-second soak for the default test run; tools/reliability.sh runs
// the ten-minute one (keyledger_soak). Memory and latency figures are
// reported, not asserted: a few seconds say nothing about them.
#include <catch2/catch.hpp>

#include "tests/reliability/soak.h"

namespace keyledger::reliability {

TEST_CASE("five seconds of mixed load end with no errors and the server up",
          "[reliability][soak]") {
  SoakOptions options;
  options.duration = std::chrono::seconds(5);
  options.interval = std::chrono::milliseconds(1000);
  options.workers = 4;
  options.log = [](const std::string& line) { UNSCOPED_INFO(line); };
  const SoakReport report = run_soak(options);
  INFO(describe(report));
  CHECK(report.requests > 0);
  CHECK(report.errors == 0);
  CHECK(report.server_alive);
  CHECK(report.intervals.size() >= 4);
  CHECK(report.final_rss_kib > 0);
}

}  // namespace keyledger::reliability
