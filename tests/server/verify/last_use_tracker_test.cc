// LastUseTracker against a real ledger: uses from a client that keeps its
// IPv4 address take the use cells' fast path and are persisted by the
// flusher; a new address, an IPv6 client and a key's first use take the
// slow path and a new address is persisted at once.
#include "server/verify/last_use_tracker.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <thread>

#include "tests/support/test_ledger.h"

using namespace keyledger;
using keyledger::server::LastUseTracker;
using keyledger::testing::TestLedger;

namespace {

const std::string kKeyId = "AAAAAAAAAAAA";

void create_key(TestLedger& ledger, const std::string& key_id) {
  auto created = ledger.execute(CreateKey{key_id, "alice", "ci", sha256(key_id)}, "alice");
  INFO(created.status().to_string());
  REQUIRE(created.is_ok());
}

// The last use the projection holds, i.e. what the log has persisted.
std::pair<std::string, TimeNs> persisted_use(TestLedger& ledger, const std::string& key_id) {
  auto key = ledger.projection().key(key_id);
  REQUIRE(key.has_value());
  return {key->last_used_ip, key->last_used_at_ns};
}

// Waits (bounded) until the persisted use of `key_id` is `ip` at `at_ns`.
bool persisted_soon(TestLedger& ledger, const std::string& key_id, const std::string& ip,
                    TimeNs at_ns) {
  for (int i = 0; i < 500; ++i) {
    if (persisted_use(ledger, key_id) == std::pair{ip, at_ns}) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

// A user's key whose first use, from 10.0.0.1 at t0 + 1, is persisted.
struct TrackedKey {
  explicit TrackedKey(std::chrono::seconds flush_interval = std::chrono::seconds(3600))
      : tracker(ledger.writer(), ledger.projection(), ledger.clock(), flush_interval),
        t0(ledger.clock().now_ns()) {
    ledger.create_user("alice");
    create_key(ledger, kKeyId);
    tracker.record(kKeyId, "10.0.0.1", t0 + 1);
    // A key's first use takes the slow path and is submitted at once.
    REQUIRE(persisted_soon(ledger, kKeyId, "10.0.0.1", t0 + 1));
  }
  TestLedger ledger;
  LastUseTracker tracker;
  TimeNs t0;
};

}  // namespace

TEST_CASE("a key's first use and each change of address are persisted at once",
          "[server][last_use]") {
  TrackedKey key;
  CHECK(key.tracker.latest(kKeyId)->ip == "10.0.0.1");
  key.tracker.record(kKeyId, "10.0.0.2", key.t0 + 2);
  CHECK(persisted_soon(key.ledger, kKeyId, "10.0.0.2", key.t0 + 2));
  CHECK(key.tracker.latest(kKeyId)->at_ns == key.t0 + 2);
  key.tracker.flush_all();
}

TEST_CASE("uses from the same IPv4 address are exact at once and persisted by a flush",
          "[server][last_use]") {
  TrackedKey key;
  for (TimeNs t = 2; t <= 50; ++t) key.tracker.record(kKeyId, "10.0.0.1", key.t0 + t);
  // Exact in memory at once; not yet in the log (the interval is an hour).
  CHECK(key.tracker.latest(kKeyId)->at_ns == key.t0 + 50);
  CHECK(key.tracker.latest(kKeyId)->ip == "10.0.0.1");
  CHECK(persisted_use(key.ledger, kKeyId).second == key.t0 + 1);

  key.tracker.flush_all();
  CHECK(persisted_use(key.ledger, kKeyId) == std::pair{std::string("10.0.0.1"), key.t0 + 50});
  // Nothing left to persist: a second flush appends nothing.
  const auto head = key.ledger.log().head().seq;
  key.tracker.flush_all();
  CHECK(key.ledger.log().head().seq == head);
}

TEST_CASE("the flusher persists fast-path uses once the interval has passed",
          "[server][last_use]") {
  TrackedKey key(std::chrono::seconds(60));
  key.tracker.start();
  key.tracker.record(kKeyId, "10.0.0.1", key.t0 + 2);
  key.ledger.clock().advance(std::chrono::nanoseconds(std::chrono::seconds(61)).count());
  // The flusher wakes every second.
  CHECK(persisted_soon(key.ledger, kKeyId, "10.0.0.1", key.t0 + 2));
  key.tracker.stop();
  key.tracker.flush_all();
}

TEST_CASE("IPv6 clients take the slow path with the same results", "[server][last_use]") {
  TrackedKey key;
  key.tracker.record(kKeyId, "::1", key.t0 + 2);
  REQUIRE(persisted_soon(key.ledger, kKeyId, "::1", key.t0 + 2));
  key.tracker.record(kKeyId, "::1", key.t0 + 5);
  CHECK(key.tracker.latest(kKeyId)->ip == "::1");
  CHECK(key.tracker.latest(kKeyId)->at_ns == key.t0 + 5);
  // Back to IPv4, then IPv6 again: each change persisted, the newest wins.
  key.tracker.record(kKeyId, "10.0.0.1", key.t0 + 6);
  REQUIRE(persisted_soon(key.ledger, kKeyId, "10.0.0.1", key.t0 + 6));
  key.tracker.record(kKeyId, "::1", key.t0 + 7);
  REQUIRE(persisted_soon(key.ledger, kKeyId, "::1", key.t0 + 7));
  CHECK(key.tracker.latest(kKeyId)->ip == "::1");
  key.tracker.flush_all();
  CHECK(persisted_use(key.ledger, kKeyId) == std::pair{std::string("::1"), key.t0 + 7});
}

TEST_CASE("uses of unknown and deleted keys are ignored", "[server][last_use]") {
  TrackedKey key;
  key.tracker.record(kKeyId, "10.0.0.1", key.t0 + 2);  // unpersisted, then the key goes
  REQUIRE(key.ledger.execute(DeleteKey{kKeyId, "alice", ""}, "alice").is_ok());
  const auto head = key.ledger.log().head().seq;

  key.tracker.record(kKeyId, "10.0.0.1", key.t0 + 3);
  key.tracker.record(kKeyId, "10.0.0.2", key.t0 + 4);
  key.tracker.record("BBBBBBBBBBBB", "10.0.0.1", key.t0 + 5);
  CHECK_FALSE(key.tracker.latest("BBBBBBBBBBBB").has_value());
  key.tracker.flush_all();
  CHECK(key.ledger.log().head().seq == head);
}
