// LastUseTracker against a real ledger: uses from a client that keeps its
// IPv4 address take the use cells' fast path and are persisted by the
// flusher; a new address, an IPv6 client and a key's first use take the
// slow path and a new address is persisted at once.
#include "server/last_use_tracker.h"

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

}  // namespace

TEST_CASE("a key's first use and each change of address are persisted at once",
          "[server][last_use]") {
  TestLedger ledger;
  ledger.create_user("alice");
  create_key(ledger, kKeyId);
  LastUseTracker tracker(ledger.writer(), ledger.projection(), ledger.clock(),
                         std::chrono::seconds(3600));
  const TimeNs t0 = ledger.clock().now_ns();

  tracker.record(kKeyId, "10.0.0.1", t0 + 1);
  CHECK(persisted_soon(ledger, kKeyId, "10.0.0.1", t0 + 1));
  CHECK(tracker.latest(kKeyId)->ip == "10.0.0.1");

  tracker.record(kKeyId, "10.0.0.2", t0 + 2);
  CHECK(persisted_soon(ledger, kKeyId, "10.0.0.2", t0 + 2));
  CHECK(tracker.latest(kKeyId)->at_ns == t0 + 2);
}

TEST_CASE("uses from the same IPv4 address are exact at once and persisted by a flush",
          "[server][last_use]") {
  TestLedger ledger;
  ledger.create_user("alice");
  create_key(ledger, kKeyId);
  LastUseTracker tracker(ledger.writer(), ledger.projection(), ledger.clock(),
                         std::chrono::seconds(3600));
  const TimeNs t0 = ledger.clock().now_ns();
  tracker.record(kKeyId, "10.0.0.1", t0 + 1);
  REQUIRE(persisted_soon(ledger, kKeyId, "10.0.0.1", t0 + 1));

  for (TimeNs t = 2; t <= 50; ++t) tracker.record(kKeyId, "10.0.0.1", t0 + t);
  // Exact in memory at once; not yet in the log (the interval is an hour).
  CHECK(tracker.latest(kKeyId)->at_ns == t0 + 50);
  CHECK(tracker.latest(kKeyId)->ip == "10.0.0.1");
  CHECK(persisted_use(ledger, kKeyId).second == t0 + 1);

  tracker.flush_all();
  CHECK(persisted_use(ledger, kKeyId) == std::pair{std::string("10.0.0.1"), t0 + 50});
  // Nothing left to persist: a second flush appends nothing.
  const auto head = ledger.log().head().seq;
  tracker.flush_all();
  CHECK(ledger.log().head().seq == head);
}

TEST_CASE("the flusher persists fast-path uses once the interval has passed",
          "[server][last_use]") {
  TestLedger ledger;
  ledger.create_user("alice");
  create_key(ledger, kKeyId);
  LastUseTracker tracker(ledger.writer(), ledger.projection(), ledger.clock(),
                         std::chrono::seconds(60));
  tracker.start();
  const TimeNs t0 = ledger.clock().now_ns();
  tracker.record(kKeyId, "10.0.0.1", t0 + 1);
  REQUIRE(persisted_soon(ledger, kKeyId, "10.0.0.1", t0 + 1));
  tracker.record(kKeyId, "10.0.0.1", t0 + 2);
  ledger.clock().advance(std::chrono::nanoseconds(std::chrono::seconds(61)).count());
  // The flusher wakes every second.
  CHECK(persisted_soon(ledger, kKeyId, "10.0.0.1", t0 + 2));
  tracker.stop();
}

TEST_CASE("IPv6 clients take the slow path with the same results", "[server][last_use]") {
  TestLedger ledger;
  ledger.create_user("alice");
  create_key(ledger, kKeyId);
  LastUseTracker tracker(ledger.writer(), ledger.projection(), ledger.clock(),
                         std::chrono::seconds(3600));
  const TimeNs t0 = ledger.clock().now_ns();
  tracker.record(kKeyId, "::1", t0 + 1);
  REQUIRE(persisted_soon(ledger, kKeyId, "::1", t0 + 1));
  tracker.record(kKeyId, "::1", t0 + 5);
  CHECK(tracker.latest(kKeyId)->ip == "::1");
  CHECK(tracker.latest(kKeyId)->at_ns == t0 + 5);
  // Back to IPv4, then IPv6 again: each change persisted, the newest wins.
  tracker.record(kKeyId, "10.0.0.1", t0 + 6);
  REQUIRE(persisted_soon(ledger, kKeyId, "10.0.0.1", t0 + 6));
  tracker.record(kKeyId, "::1", t0 + 7);
  REQUIRE(persisted_soon(ledger, kKeyId, "::1", t0 + 7));
  CHECK(tracker.latest(kKeyId)->ip == "::1");
  tracker.flush_all();
  CHECK(persisted_use(ledger, kKeyId) == std::pair{std::string("::1"), t0 + 7});
}

TEST_CASE("uses of unknown and deleted keys are ignored", "[server][last_use]") {
  TestLedger ledger;
  ledger.create_user("alice");
  create_key(ledger, kKeyId);
  LastUseTracker tracker(ledger.writer(), ledger.projection(), ledger.clock(),
                         std::chrono::seconds(3600));
  const TimeNs t0 = ledger.clock().now_ns();
  tracker.record(kKeyId, "10.0.0.1", t0 + 1);
  REQUIRE(persisted_soon(ledger, kKeyId, "10.0.0.1", t0 + 1));
  tracker.record(kKeyId, "10.0.0.1", t0 + 2);  // unpersisted, then the key goes
  REQUIRE(ledger.execute(DeleteKey{kKeyId, "alice", ""}, "alice").is_ok());
  const auto head = ledger.log().head().seq;

  tracker.record(kKeyId, "10.0.0.1", t0 + 3);
  tracker.record(kKeyId, "10.0.0.2", t0 + 4);
  tracker.record("BBBBBBBBBBBB", "10.0.0.1", t0 + 5);
  CHECK_FALSE(tracker.latest("BBBBBBBBBBBB").has_value());
  tracker.flush_all();
  CHECK(ledger.log().head().seq == head);
}
