// Failed sign-ins per name, and the lock they lead to (server/api/sign_in_guard.h),
// on an injected clock.
#include "server/api/sign_in_guard.h"

#include <catch2/catch.hpp>

#include "core/clock.h"

using namespace keyledger;
using namespace keyledger::server;

namespace {

constexpr TimeNs kSecond = 1'000'000'000;
constexpr TimeNs kMinute = 60 * kSecond;

struct Fixture {
  ManualClock clock{1'000'000 * kSecond};
  SignInPolicy policy{10, 15 * kMinute, LockoutPolicy{15 * kMinute, 60 * kMinute}};
  SignInGuard guard{clock, policy, 8};

  // Fails `count` times; the lock length the last one returned, if any.
  std::optional<TimeNs> fail(const std::string& name, int count,
                             std::optional<LockHistory> history = std::nullopt) {
    std::optional<TimeNs> lockout;
    for (int i = 0; i < count; ++i) lockout = guard.record_failure(name, history);
    return lockout;
  }
};

}  // namespace

TEST_CASE("the tenth failed sign-in in a row locks the name for the base lockout",
          "[server][sign_in]") {
  Fixture f;
  CHECK_FALSE(f.fail("alice", 9));
  CHECK(f.guard.locked_until("alice") == 0);
  CHECK(f.fail("alice", 1) == 15 * kMinute);
  CHECK(f.guard.locked_until("alice") == f.clock.now_ns() + 15 * kMinute);
  CHECK(f.guard.locked_until("bob") == 0);
}

TEST_CASE("a lock ends by itself", "[server][sign_in]") {
  Fixture f;
  REQUIRE(f.fail("alice", 10));
  f.clock.advance(15 * kMinute - 1);
  CHECK(f.guard.locked_until("alice") != 0);
  f.clock.advance(1);
  CHECK(f.guard.locked_until("alice") == 0);
  // And the count starts again: one more failure does not lock.
  CHECK_FALSE(f.fail("alice", 1));
}

TEST_CASE("failures older than the window stop counting", "[server][sign_in]") {
  Fixture f;
  CHECK_FALSE(f.fail("alice", 9));
  f.clock.advance(15 * kMinute);
  CHECK_FALSE(f.fail("alice", 9));
  f.clock.advance(15 * kMinute - 1);
  // Nine are still inside the window: the tenth locks.
  CHECK(f.fail("alice", 1) == 15 * kMinute);
}

TEST_CASE("a success starts the count again", "[server][sign_in]") {
  Fixture f;
  CHECK_FALSE(f.fail("alice", 9));
  f.guard.record_success("alice");
  CHECK_FALSE(f.fail("alice", 9));
  CHECK(f.fail("alice", 1));
}

TEST_CASE("a name nobody holds is locked again for twice as long, up to the cap",
          "[server][sign_in]") {
  Fixture f;
  REQUIRE(f.fail("nobody", 10) == 15 * kMinute);
  f.clock.advance(15 * kMinute);
  CHECK(f.fail("nobody", 10) == 30 * kMinute);
  f.clock.advance(30 * kMinute);
  CHECK(f.fail("nobody", 10) == 60 * kMinute);
  f.clock.advance(60 * kMinute);
  CHECK(f.fail("nobody", 10) == 60 * kMinute);
}

TEST_CASE("a user's lock doubles from the history the ledger recorded", "[server][sign_in]") {
  Fixture f;
  const LockHistory recorded{30 * kMinute, f.clock.now_ns() - kMinute};
  CHECK(f.fail("alice", 10, recorded) == 60 * kMinute);
  // A user whose last lock was long ago starts from the base.
  const LockHistory old{30 * kMinute, f.clock.now_ns() - 2 * 60 * kMinute};
  CHECK(f.fail("bob", 10, old) == 15 * kMinute);
}

TEST_CASE("an unblocked name has no lock, no failures and no history", "[server][sign_in]") {
  Fixture f;
  REQUIRE(f.fail("alice", 10));
  f.guard.unblock("alice");
  CHECK(f.guard.locked_until("alice") == 0);
  CHECK_FALSE(f.fail("alice", 9));
  CHECK(f.fail("alice", 1) == 15 * kMinute);
}

TEST_CASE("names sprayed past the bound forget counts but keep the locks in force",
          "[server][sign_in]") {
  Fixture f;  // holds 8 names
  REQUIRE(f.fail("alice", 10));
  CHECK_FALSE(f.fail("carol", 9));
  for (int i = 0; i < 20; ++i) f.fail("spray-" + std::to_string(i), 1);
  CHECK(f.guard.locked_until("alice") != 0);
  // carol's nine failures were forgotten to make room: one more does not lock.
  CHECK_FALSE(f.fail("carol", 1));
}

TEST_CASE("making room keeps the history a name's next lock doubles from", "[server][sign_in]") {
  Fixture f;  // holds 8 names; the cap is an hour
  REQUIRE(f.fail("nobody", 10) == 15 * kMinute);
  f.clock.advance(15 * kMinute);  // its lock has ended, its history has not
  for (int i = 0; i < 7; ++i) f.fail("count-" + std::to_string(i), 1);
  f.fail("one-more", 1);  // makes room: the counts go, "nobody" stays
  CHECK(f.fail("nobody", 10) == 30 * kMinute);
}
