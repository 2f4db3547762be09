// The Catch2 runner of every test binary under tests/: Catch's own, plus
// the skip status of tests/support/skip.h, so a test that could not run is
// reported by ctest as skipped rather than passed.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include "tests/support/skip.h"

int main(int argc, char** argv) {
  // Catch returns the number of failed assertions, which could be 77 too.
  const int failures = Catch::Session().run(argc, argv);
  if (failures != 0) return 1;
  return keyledger::testing::skipped_count() > 0 ? keyledger::testing::kSkipExitCode : 0;
}
