#include "tests/support/skip.h"

#include <atomic>
#include <catch2/catch.hpp>

namespace keyledger::testing {
namespace {

// The one process-wide count the runner reads at exit (test support only).
std::atomic<std::size_t>& skips() {
  static std::atomic<std::size_t> count{0};
  return count;
}

}  // namespace

void record_skip(const std::string& why) {
  WARN("SKIPPED: " << why);
  skips().fetch_add(1);
}

std::size_t skipped_count() { return skips().load(); }

}  // namespace keyledger::testing
