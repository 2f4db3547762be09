// The rule of how long a sign-in lock lasts (core/lockout.h).
#include "core/lockout.h"

#include <catch2/catch.hpp>
#include <limits>

using namespace keyledger;

namespace {

constexpr TimeNs kMinute = 60LL * 1'000'000'000;
constexpr TimeNs kHour = 60 * kMinute;
const LockoutPolicy kPolicy{15 * kMinute, 24 * kHour};

}  // namespace

TEST_CASE("a first lock lasts the policy's base", "[core][lockout]") {
  CHECK(next_lockout_duration({}, 1'000 * kHour, kPolicy) == 15 * kMinute);
}

TEST_CASE("a lock that follows the end of the previous one within the cap lasts twice as long",
          "[core][lockout]") {
  const TimeNs now = 1'000 * kHour;
  // Locked again the moment the last 15-minute lock ended, and an hour later.
  CHECK(next_lockout_duration({15 * kMinute, now}, now, kPolicy) == 30 * kMinute);
  CHECK(next_lockout_duration({30 * kMinute, now - kHour}, now, kPolicy) == kHour);
}

TEST_CASE("doubling stops at the cap", "[core][lockout]") {
  const TimeNs now = 1'000 * kHour;
  CHECK(next_lockout_duration({16 * kHour, now}, now, kPolicy) == 24 * kHour);
  CHECK(next_lockout_duration({24 * kHour, now}, now, kPolicy) == 24 * kHour);
  CHECK(next_lockout_duration({12 * kHour, now}, now, kPolicy) == 24 * kHour);
}

TEST_CASE("a lock long after the previous one ended starts again from the base",
          "[core][lockout]") {
  const TimeNs now = 1'000 * kHour;
  CHECK(next_lockout_duration({8 * kHour, now - 24 * kHour}, now, kPolicy) == 15 * kMinute);
  CHECK(next_lockout_duration({8 * kHour, now - 24 * kHour + 1}, now, kPolicy) == 16 * kHour);
}

TEST_CASE("a policy whose cap is below its base locks for the base", "[core][lockout]") {
  const LockoutPolicy odd{kHour, kMinute};
  CHECK(next_lockout_duration({}, 1'000 * kHour, odd) == kHour);
  CHECK(next_lockout_duration({kHour, 1'000 * kHour}, 1'000 * kHour, odd) == kHour);
}

TEST_CASE("doubling a huge previous lock cannot overflow", "[core][lockout]") {
  const LockoutPolicy huge{kMinute, std::numeric_limits<TimeNs>::max() / 2};
  const TimeNs previous = std::numeric_limits<TimeNs>::max() / 2 - 1;
  CHECK(next_lockout_duration({previous, 0}, 1, huge) == huge.max_ns);
}
