// LastUseTracker against a real ledger: uses from a client that keeps its
// IPv4 address take the use cells' fast path and are persisted by the
// flusher; a new address, an IPv6 client and a key's first use take the
// slow path and a new address is persisted at once. Then, against a fake
// sink, what the tracker sends again when the sink fails.
#include "server/verify/last_use_tracker.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "server/daemon/leader_parts.h"
#include "tests/support/test_ledger.h"

using namespace keyledger;
using keyledger::server::LastUseTracker;
using keyledger::server::WriterKeyUseSink;
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
      : uses(ledger.writer()),
        tracker(uses, ledger.projection(), ledger.clock(), flush_interval),
        t0(ledger.clock().now_ns()) {
    ledger.create_user("alice");
    create_key(ledger, kKeyId);
    tracker.record(kKeyId, "10.0.0.1", t0 + 1);
    // A key's first use takes the slow path and is submitted at once.
    REQUIRE(persisted_soon(ledger, kKeyId, "10.0.0.1", t0 + 1));
  }
  TestLedger ledger;
  WriterKeyUseSink uses;
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

// The tracker against a sink of its own: what it sends, and what it does
// when the sink fails. The projection is a real ledger's; the sink persists
// nothing, so only what the tracker sends is observed.
namespace {

// Records every use submitted and answers each with the next scripted
// status (ok once the script is done), on the caller's thread.
class FakeKeyUseSink final : public server::KeyUseSink {
 public:
  void submit(RecordKeyUse use, Done done) override {
    Status answer;
    {
      std::lock_guard lock(mutex_);
      submitted_.push_back(use);
      if (!script_.empty()) {
        answer = std::move(script_.front());
        script_.erase(script_.begin());
      }
    }
    done(std::move(answer));
  }
  void answer_next(Status status) {
    std::lock_guard lock(mutex_);
    script_.push_back(std::move(status));
  }
  std::vector<RecordKeyUse> submitted() const {
    std::lock_guard lock(mutex_);
    return submitted_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<RecordKeyUse> submitted_;
  std::vector<Status> script_;
};

bool same_use(const RecordKeyUse& use, const std::string& ip, TimeNs at_ns) {
  return use.key_id == kKeyId && use.client_ip == ip && use.used_at_ns == at_ns;
}

// Alice's key, tracked through a FakeKeyUseSink.
struct SinkTrackedKey {
  SinkTrackedKey()
      : tracker(sink, ledger.projection(), ledger.clock(), std::chrono::seconds(3600)),
        t0(ledger.clock().now_ns()) {
    ledger.create_user("alice");
    create_key(ledger, kKeyId);
  }
  TestLedger ledger;
  FakeKeyUseSink sink;
  LastUseTracker tracker;
  TimeNs t0;
};

}  // namespace

TEST_CASE("a change of address the sink fails to persist is sent again by the next flush",
          "[server][last_use]") {
  SinkTrackedKey key;
  key.sink.answer_next(unavailable(Reason::kStorageUnavailable, "disk full"));
  key.tracker.record(kKeyId, "10.0.0.1", key.t0 + 1);
  REQUIRE(key.sink.submitted().size() == 1);
  // Still exact in memory, and not persisted: the next flush sends it again.
  CHECK(key.tracker.latest(kKeyId)->ip == "10.0.0.1");
  key.tracker.flush_all();
  const auto sent = key.sink.submitted();
  REQUIRE(sent.size() == 2);
  CHECK(same_use(sent[0], "10.0.0.1", key.t0 + 1));
  CHECK(same_use(sent[1], "10.0.0.1", key.t0 + 1));
  // Persisted now: nothing more to send.
  key.tracker.flush_all();
  CHECK(key.sink.submitted().size() == 2);
}

TEST_CASE("a use from the same address the sink fails to persist is sent again by the next flush",
          "[server][last_use]") {
  SinkTrackedKey key;
  key.tracker.record(kKeyId, "10.0.0.1", key.t0 + 1);  // the first use, persisted
  key.tracker.record(kKeyId, "10.0.0.1", key.t0 + 2);  // the fast path: the key's use cell
  REQUIRE(key.sink.submitted().size() == 1);
  key.sink.answer_next(unavailable(Reason::kStorageUnavailable, "disk full"));
  key.tracker.flush_all();
  const auto sent = key.sink.submitted();
  REQUIRE(sent.size() == 3);
  CHECK(same_use(sent[1], "10.0.0.1", key.t0 + 2));  // failed
  CHECK(same_use(sent[2], "10.0.0.1", key.t0 + 2));  // sent again, persisted
  key.tracker.flush_all();
  CHECK(key.sink.submitted().size() == 3);
}

TEST_CASE("a use whose key the sink no longer finds is forgotten, not sent again",
          "[server][last_use]") {
  SinkTrackedKey key;
  key.sink.answer_next(not_found(Reason::kKeyNotFound, "no such key"));
  key.tracker.record(kKeyId, "10.0.0.1", key.t0 + 1);
  REQUIRE(key.sink.submitted().size() == 1);
  key.tracker.flush_all();
  CHECK(key.sink.submitted().size() == 1);
}
