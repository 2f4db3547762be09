// The leader's table of followers (issue 20, "The cluster view"): each
// report marks its node heard with its applied seq; lag is the leader's
// head minus that seq; a follower silent for the forget interval drops
// out; the table is bounded.
#include "server/replication/follower_table.h"

#include <catch2/catch.hpp>

using namespace keyledger;
using namespace std::chrono_literals;
using keyledger::replication::FollowerTable;

TEST_CASE("a follower heard is listed with its applied seq, lag and silence",
          "[replication][cluster]") {
  ManualMonotonicClock clock;
  FollowerTable table(clock, 10s);
  table.heard("f2", 90);
  table.heard("f1", 100);
  clock.advance(2s);
  const auto rows = table.followers(120);
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].node == "f1");  // by name
  CHECK(rows[0].applied_seq == 100);
  CHECK(rows[0].lag == 20);
  CHECK(rows[0].seconds_since_heard == Approx(2.0));
  CHECK(rows[1].lag == 30);
  // A follower ahead of the head asked (the head read before its report): no lag.
  CHECK(table.followers(50)[0].lag == 0);
}

TEST_CASE(
    "a follower's row shows its last report, also when it went back, and a report resets "
    "its silence",
    "[replication][cluster]") {
  ManualMonotonicClock clock;
  FollowerTable table(clock, 10s);
  table.heard("f1", 100);
  clock.advance(5s);
  table.heard("f1", 3);  // rebuilt from an empty folder under the same name
  const auto rows = table.followers(100);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].applied_seq == 3);
  CHECK(rows[0].lag == 97);
  CHECK(rows[0].seconds_since_heard == Approx(0.0));
}

TEST_CASE("a follower silent for the forget interval drops from the table",
          "[replication][cluster]") {
  ManualMonotonicClock clock;
  FollowerTable table(clock, 10s);
  table.heard("f1", 1);
  clock.advance(5s);
  table.heard("f2", 1);
  clock.advance(5s);
  const auto rows = table.followers(1);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].node == "f2");
}

TEST_CASE("past its bound the table lists no new follower until one is forgotten",
          "[replication][cluster]") {
  ManualMonotonicClock clock;
  FollowerTable table(clock, 10s, 2);
  table.heard("f1", 1);
  table.heard("f2", 1);
  table.heard("f3", 1);
  CHECK(table.followers(1).size() == 2);
  CHECK(table.unlisted() == 1);
  clock.advance(10s);
  table.heard("f3", 1);
  REQUIRE(table.followers(1).size() == 1);
  CHECK(table.followers(1)[0].node == "f3");
}
