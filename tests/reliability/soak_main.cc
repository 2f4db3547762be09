// keyledger_soak: the long soak (tools/reliability.sh runs it for 10
// minutes). Exits non-zero on any error, a dead server, or memory still
// growing more than 10% late in the run.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "tests/reliability/soak.h"

int main(int argc, char** argv) {
  keyledger::reliability::SoakOptions options;
  CLI::App app{"Mixed load on keyledgerd for a long time; reports errors, p99 and memory"};
  int seconds = 600, interval_seconds = 10, warmup_seconds = 120;
  app.add_option("--seconds", seconds, "how long")->capture_default_str();
  app.add_option("--interval", interval_seconds, "seconds per sample")->capture_default_str();
  app.add_option("--warmup", warmup_seconds, "seconds before the memory baseline")
      ->capture_default_str();
  app.add_option("--workers", options.workers, "concurrent clients")->capture_default_str();
  app.add_option("--changes-per-10k", options.changes_per_10k,
                 "creates, renames and deletes per 10,000 requests (0: read-only)")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  options.duration = std::chrono::seconds(seconds);
  options.interval = std::chrono::seconds(std::max(1, interval_seconds));
  options.warmup_intervals = std::max(1, warmup_seconds / std::max(1, interval_seconds));
  options.log = [](const std::string& line) {
    std::printf("%s\n", line.c_str());
    std::fflush(stdout);
  };
  const auto report = keyledger::reliability::run_soak(options);
  std::printf("%s", keyledger::reliability::describe(report).c_str());
  const bool ok = report.errors == 0 && report.server_alive && report.late_rss_growth <= 0.10;
  std::printf("%s\n", ok ? "PASS" : "FAIL");
  return ok ? 0 : 1;
}
