// The cluster chaos run (chaos.h): a 2-cycle smoke version in the default
// run, and the long run of `tools/reliability.sh --only cluster`
// (KEYLEDGER_CHAOS_CYCLES cycles, default 20). KEYLEDGER_CHAOS_SEED repeats
// a run's sequence of kills (its seed is printed first).
#include "tests/cluster/chaos.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "tests/support/nats_cluster.h"
#include "tests/support/skip.h"

namespace keyledger::testing {
namespace {

std::uint64_t env_number(const char* name, std::uint64_t otherwise) {
  const char* text = std::getenv(name);
  return text != nullptr && *text != '\0' ? std::stoull(text) : otherwise;
}

ChaosOptions options_with(int cycles) {
  ChaosOptions options;
  options.cycles = cycles;
  options.seed = env_number(
      "KEYLEDGER_CHAOS_SEED",
      static_cast<std::uint64_t>(std::chrono::system_clock::now().time_since_epoch().count()));
  std::printf("chaos: %d cycles, seed %llu (KEYLEDGER_CHAOS_SEED repeats it)\n", cycles,
              static_cast<unsigned long long>(options.seed));
  return options;
}

}  // namespace

TEST_CASE(
    "two cycles of random kills with writes and verifications in flight keep every invariant "
    "of the cluster",
    "[nats][chaos]") {
  KEYLEDGER_REQUIRE_NATS_SERVER();
  const ChaosSummary summary = run_chaos(options_with(2));
  std::printf("chaos summary: %s\n", summary.text().c_str());
  CHECK(summary.failed_cycles == 0);
  CHECK(summary.leader_wrong == 0);
}

TEST_CASE("the long chaos run keeps every invariant of the cluster in every cycle",
          "[.][chaos_long]") {
  KEYLEDGER_REQUIRE_NATS_SERVER();
  const ChaosSummary summary =
      run_chaos(options_with(static_cast<int>(env_number("KEYLEDGER_CHAOS_CYCLES", 20))));
  std::printf("chaos summary: %s\n", summary.text().c_str());
  CHECK(summary.cycles >= 1);
  CHECK(summary.failed_cycles == 0);
  CHECK(summary.leader_wrong == 0);
}

}  // namespace keyledger::testing
