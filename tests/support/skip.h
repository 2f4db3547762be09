// Tests that cannot run on this machine (no root to mount a tmpfs, no way
// to drop privileges) say so and are reported as skipped, never as passed.
//
// KEYLEDGER_SKIP(why) prints why, counts the skip and returns from the test
// case; the test binary's main (tests/main.cc) then exits with
// kSkipExitCode when nothing failed, which ctest reports as "Skipped"
// (SKIP_RETURN_CODE on every test under tests/). ctest runs one test case
// per process, so one skip marks exactly that test. tools/test.sh fails a
// run as root that skipped anything: CI runs as root with every dependency
// installed, so there a skip is a defect.
#pragma once

#include <cstddef>
#include <string>

namespace keyledger::testing {

// automake's "skipped" status, also what SKIP_RETURN_CODE is set to.
inline constexpr int kSkipExitCode = 77;

void record_skip(const std::string& why);
// How many test cases this process skipped.
std::size_t skipped_count();

}  // namespace keyledger::testing

#define KEYLEDGER_SKIP(why)                 \
  do {                                      \
    ::keyledger::testing::record_skip(why); \
    return;                                 \
  } while (false)
