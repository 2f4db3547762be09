// SessionStore's limits: a user past their own limit loses only their own
// least recently used session; a full store drops the least recently used
// session of all, after the expired ones; signing a user out ends exactly
// that user's sessions.
#include "server/api/session_store.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <vector>

using namespace keyledger;
using keyledger::server::SessionLimits;
using keyledger::server::SessionStore;

namespace {

struct Fixture {
  explicit Fixture(SessionLimits limits) : store(clock, random, limits) {}

  void pass(std::chrono::nanoseconds time) { clock.advance(time.count()); }
  std::string sign_in(const std::string& user) {
    pass(std::chrono::seconds(1));  // each session a second younger than the last
    std::string csrf;
    return store.create(user, csrf);
  }
  bool live(const std::string& id) { return store.find(id).has_value(); }

  ManualClock clock;
  SeededRandom random{3};
  SessionStore store;
};

SessionLimits limits(std::size_t total, std::size_t per_user) {
  SessionLimits limits;
  limits.max_sessions = total;
  limits.max_sessions_per_user = per_user;
  return limits;
}

}  // namespace

TEST_CASE("a user past their limit loses their own least recently used session", "[server]") {
  Fixture f(limits(100, 3));
  const std::string other = f.sign_in("bob");
  std::vector<std::string> mine;
  for (int i = 0; i < 3; ++i) mine.push_back(f.sign_in("alice"));
  f.pass(std::chrono::seconds(1));
  REQUIRE(f.live(mine[0]));  // used again: now the second one is the least recently used
  const std::string newest = f.sign_in("alice");
  CHECK(f.live(newest));
  CHECK(f.live(mine[0]));
  CHECK_FALSE(f.live(mine[1]));
  CHECK(f.live(mine[2]));
  CHECK(f.live(other));  // never somebody else's

  // Signing in again and again still costs nobody else anything.
  for (int i = 0; i < 50; ++i) f.sign_in("alice");
  CHECK(f.live(other));
}

TEST_CASE("a full store drops the expired sessions, then the least recently used of all",
          "[server]") {
  Fixture f(limits(3, 10));
  const std::string a = f.sign_in("alice");
  const std::string b = f.sign_in("bob");
  const std::string c = f.sign_in("carol");
  f.pass(std::chrono::seconds(1));
  REQUIRE(f.live(a));  // a is now used more recently than b and c
  const std::string d = f.sign_in("dave");
  CHECK(f.live(a));
  CHECK_FALSE(f.live(b));
  CHECK(f.live(c));
  CHECK(f.live(d));

  // Once they have expired, sessions go before any live one.
  f.pass(std::chrono::hours(9));
  const std::string e = f.sign_in("erin");
  const std::string g = f.sign_in("grace");
  CHECK(f.live(e));
  CHECK(f.live(g));
}

TEST_CASE("signing a user out ends that user's sessions, but the one kept", "[server]") {
  Fixture f(limits(100, 10));
  const std::string kept = f.sign_in("alice");
  const std::string ended = f.sign_in("alice");
  const std::string other = f.sign_in("bob");
  f.store.erase_user("alice", kept);
  CHECK(f.live(kept));
  CHECK_FALSE(f.live(ended));
  CHECK(f.live(other));
  f.store.erase_user("alice");
  CHECK_FALSE(f.live(kept));
  CHECK(f.live(other));
  // The user's count starts again: a new session is not refused or dropped.
  const std::string again = f.sign_in("alice");
  CHECK(f.live(again));
  f.store.erase(again);
  CHECK_FALSE(f.live(again));
}
