// keyledger_crash_loop: the long crash loop (tools/reliability.sh runs it).
// Exits 0 only if every cycle ran and nothing acknowledged was lost.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "tests/reliability/crash_loop.h"

int main(int argc, char** argv) {
  keyledger::reliability::CrashLoopOptions options;
  CLI::App app{
      "Kill keyledgerd at random moments under load and check nothing acknowledged is lost"};
  int min_run_ms = 1000, max_run_ms = 4000;
  std::string data_dir;
  app.add_option("--cycles", options.cycles, "kill/restart cycles")->capture_default_str();
  app.add_option("--workers", options.workers, "concurrent client threads")->capture_default_str();
  app.add_option("--min-run-ms", min_run_ms, "least traffic before a kill")->capture_default_str();
  app.add_option("--max-run-ms", max_run_ms, "most traffic before a kill")->capture_default_str();
  app.add_option("--seed", options.seed, "random seed (0: pick one)");
  app.add_option("--data", data_dir, "keep the ledger in this folder (default: a temporary one)");
  CLI11_PARSE(app, argc, argv);
  options.min_run = std::chrono::milliseconds(min_run_ms);
  options.max_run = std::chrono::milliseconds(std::max(min_run_ms, max_run_ms));
  options.data_dir = data_dir;
  options.log = [](const std::string& line) {
    std::printf("%s\n", line.c_str());
    std::fflush(stdout);
  };
  const auto report = keyledger::reliability::run_crash_loop(options);
  std::printf("%s", keyledger::reliability::describe(report).c_str());
  const bool ok = report.ok(options.cycles);
  std::printf("%s\n", ok ? "PASS" : "FAIL");
  return ok ? 0 : 1;
}
