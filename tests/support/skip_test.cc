// The skip status (tests/support/skip.h). The hidden test below is run only
// by the ctest a_skipped_test_exits_77_not_0, which checks that a process
// whose test skipped exits 77 (reported as skipped), not 0 (passed).
#include "tests/support/skip.h"

#include <catch2/catch.hpp>

TEST_CASE("a test that cannot run here reports itself skipped", "[.skip_self_check]") {
  KEYLEDGER_SKIP("the skip status's own check");
}
