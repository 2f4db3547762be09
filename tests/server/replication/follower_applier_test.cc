// The follower's applier on a real RocksDB in a temporary folder, fed the
// events a leader's real writer made, through a fake stream (only its get
// is used, to fill gaps): it applies in order with the leader's fold,
// skips redeliveries, fills gaps, refuses forks, broken chains, undecodable
// events and misnumbered ones for good, and resumes from its own head
// after a restart without applying anything twice.
#include "server/replication/follower_applier.h"

#include <catch2/catch.hpp>

#include "tests/server/replication/replication_fixtures.h"

using namespace keyledger;
using keyledger::replication::ApplyOutcome;
using keyledger::replication::FollowerApplier;
using keyledger::replication::StreamMessage;
using keyledger::testing::edited;
using keyledger::testing::FakeEventStream;
using keyledger::testing::FollowerStore;
using keyledger::testing::LeaderHistory;

namespace {

struct Fixture {
  Fixture() {
    leader.write_sample_history();
    all = leader.messages();
    REQUIRE(all.size() >= 10);
    leader.publish_to(stream);
  }
  // The leader's messages with seqs first..last.
  std::vector<StreamMessage> range(std::uint64_t first, std::uint64_t last) const {
    return {all.begin() + static_cast<long>(first - 1), all.begin() + static_cast<long>(last)};
  }
  ApplyOutcome apply_ok(const std::vector<StreamMessage>& messages) {
    auto outcome = applier.apply(messages);
    INFO(outcome.status().to_string());
    REQUIRE(outcome.is_ok());
    return *outcome;
  }
  void require_equal_to_leader() {
    CHECK(follower.log->head() == leader.ledger.log().head());
    CHECK(follower.projection->snapshot() == leader.ledger.projection().snapshot());
  }

  LeaderHistory leader;
  std::vector<StreamMessage> all;
  FakeEventStream stream;
  FollowerStore follower;
  FollowerApplier applier{*follower.log, *follower.projection, stream};
};

// A follower's applier that failed: refused with `reason` at `seq`.
void require_refused(const FollowerApplier& applier, const Status& status, Reason reason,
                     std::uint64_t seq) {
  INFO(status.to_string());
  CHECK(status.code() == StatusCode::kCorruption);
  CHECK(status.is(reason));
  REQUIRE(applier.refusal().has_value());
  CHECK(applier.refusal()->reason == reason);
  CHECK(applier.refusal()->seq == seq);
}

}  // namespace

TEST_CASE("a follower applies the leader's events in order and holds the leader's state",
          "[server][replication][applier]") {
  Fixture f;
  const ApplyOutcome first = f.apply_ok(f.range(1, 4));
  CHECK(first.applied == 4);
  CHECK(f.follower.log->head().seq == 4);
  const ApplyOutcome rest = f.apply_ok(f.range(5, f.all.size()));
  CHECK(rest.applied == f.all.size() - 4);
  CHECK(rest.redelivered == 0);
  CHECK(rest.filled == 0);
  f.require_equal_to_leader();
  // The stored projection too: what a restart loads is the leader's state.
  f.follower.reopen();
  CHECK(f.follower.projection->snapshot() == f.leader.ledger.projection().snapshot());
  CHECK(f.stream.gets() == 0);
}

TEST_CASE("a message delivered again with the bytes applied is skipped, never applied twice",
          "[server][replication][applier]") {
  Fixture f;
  f.apply_ok(f.range(1, 5));
  std::vector<StreamMessage> again = f.range(3, 6);
  again.push_back(f.all[5]);  // seq 6 twice in one batch
  const ApplyOutcome outcome = f.apply_ok(again);
  CHECK(outcome.redelivered == 4);
  CHECK(outcome.applied == 1);
  CHECK(f.follower.log->head().seq == 6);
  f.apply_ok(f.range(7, f.all.size()));
  f.require_equal_to_leader();
}

TEST_CASE("a seq applied once with other bytes is a fork: refused, reported, nothing more applied",
          "[server][replication][applier]") {
  Fixture f;
  f.apply_ok(f.range(1, 5));
  const LogHead head = f.follower.log->head();
  const auto before = f.follower.projection->snapshot();
  const StreamMessage forged =
      edited(f.all[2], [](Event& event) { event.origin.actor_ip = "203.0.113.66"; });
  auto refused = f.applier.apply(std::vector<StreamMessage>{forged});
  REQUIRE_FALSE(refused.is_ok());
  require_refused(f.applier, refused.status(), Reason::kStreamFork, 3);
  // Stopped for good: the good next event is not applied either.
  auto after = f.applier.apply(f.range(6, 6));
  REQUIRE_FALSE(after.is_ok());
  CHECK(after.status().is(Reason::kStreamFork));
  CHECK(f.follower.log->head() == head);
  CHECK(f.follower.projection->snapshot() == before);
}

TEST_CASE("a fork within a batch keeps the good events before it",
          "[server][replication][applier]") {
  Fixture f;
  f.apply_ok(f.range(1, 3));
  std::vector<StreamMessage> batch = f.range(4, 6);
  batch.push_back(edited(f.all[4], [](Event& event) { event.origin.request_id = "other"; }));
  batch.push_back(f.all[6]);
  auto refused = f.applier.apply(batch);
  REQUIRE_FALSE(refused.is_ok());
  require_refused(f.applier, refused.status(), Reason::kStreamFork, 5);
  CHECK(f.follower.log->head().seq == 6);
}

TEST_CASE("a gap in what was delivered is filled from the stream before what follows it",
          "[server][replication][applier]") {
  Fixture f;
  f.apply_ok(f.range(1, 2));
  const ApplyOutcome outcome =
      f.apply_ok(std::vector<StreamMessage>{f.all[5]});  // seq 6: 3, 4 and 5 are missing
  CHECK(outcome.filled == 3);
  CHECK(outcome.applied == 4);
  CHECK(f.stream.gets() == 3);
  f.apply_ok(f.range(7, f.all.size()));
  f.require_equal_to_leader();
}

TEST_CASE("a gap the stream cannot fill stores what came before and refuses nothing",
          "[server][replication][applier]") {
  Fixture f;
  FakeEventStream holey;
  for (const auto& message : f.all)
    if (message.seq != 4) holey.put_at(message.seq, message.bytes);
  FollowerApplier applier(*f.follower.log, *f.follower.projection, holey);
  auto outcome = applier.apply(f.range(1, 2));
  REQUIRE(outcome.is_ok());
  auto missing = applier.apply(std::vector<StreamMessage>{f.all[5]});
  REQUIRE_FALSE(missing.is_ok());
  CHECK(missing.status().code() == StatusCode::kUnavailable);
  CHECK(missing.status().is(Reason::kEventMissing));
  CHECK_FALSE(applier.refusal().has_value());
  CHECK(f.follower.log->head().seq == 3);  // 3 came before the hole
  // Once the stream holds it, the follower goes on.
  holey.put_at(4, f.all[3].bytes);
  REQUIRE(applier.apply(f.range(4, f.all.size())).is_ok());
  f.require_equal_to_leader();
}

TEST_CASE("a stream that cannot be reached while filling a gap is retried later, not refused",
          "[server][replication][applier]") {
  Fixture f;
  f.apply_ok(f.range(1, 2));
  f.stream.set_down(true);
  auto down = f.applier.apply(std::vector<StreamMessage>{f.all[6]});
  REQUIRE_FALSE(down.is_ok());
  CHECK(down.status().code() == StatusCode::kUnavailable);
  CHECK_FALSE(f.applier.refusal().has_value());
  CHECK(f.follower.log->head().seq == 2);
  f.stream.set_down(false);
  f.apply_ok(f.range(3, f.all.size()));
  f.require_equal_to_leader();
}

TEST_CASE("an event that does not extend the follower's chain is refused and reported",
          "[server][replication][applier]") {
  Fixture f;
  f.apply_ok(f.range(1, 3));
  SECTION("its previous hash is another") {
    const StreamMessage forged = edited(f.all[3], [](Event& event) { event.prev_hash[0] ^= 1; });
    auto refused = f.applier.apply(std::vector<StreamMessage>{forged});
    REQUIRE_FALSE(refused.is_ok());
    require_refused(f.applier, refused.status(), Reason::kChainBroken, 4);
  }
  SECTION("it is a well-formed event of another ledger") {
    LeaderHistory other;  // another ledger: its own first events
    other.ledger.create_user("zoe");
    other.write_sample_history();
    auto refused = f.applier.apply(std::vector<StreamMessage>{other.messages()[3]});
    REQUIRE_FALSE(refused.is_ok());
    require_refused(f.applier, refused.status(), Reason::kChainBroken, 4);
  }
  CHECK(f.follower.log->head().seq == 3);
}

TEST_CASE("bytes that are no event are refused and reported", "[server][replication][applier]") {
  Fixture f;
  f.apply_ok(f.range(1, 3));
  for (std::string bytes : {std::string("not an event"), std::string(), std::string(70'000, 'x')}) {
    FollowerApplier applier(*f.follower.log, *f.follower.projection, f.stream);
    auto refused = applier.apply(std::vector<StreamMessage>{{4, bytes}});
    REQUIRE_FALSE(refused.is_ok());
    require_refused(applier, refused.status(), Reason::kUndecodableEvent, 4);
  }
  CHECK(f.follower.log->head().seq == 3);
}

TEST_CASE("an event delivered under another seq than its own is refused",
          "[server][replication][applier]") {
  Fixture f;
  f.apply_ok(f.range(1, 3));
  auto refused = f.applier.apply(std::vector<StreamMessage>{{4, f.all[4].bytes}});  // event 5
  REQUIRE_FALSE(refused.is_ok());
  require_refused(f.applier, refused.status(), Reason::kEventSeqMismatch, 4);
  CHECK(f.follower.log->head().seq == 3);
}

TEST_CASE("a restarted follower resumes from its own head and applies nothing twice",
          "[server][replication][applier]") {
  Fixture f;
  f.apply_ok(f.range(1, 4));
  f.follower.reopen();
  FollowerApplier restarted(*f.follower.log, *f.follower.projection, f.stream);
  CHECK(restarted.head().seq == 4);
  // The stream may deliver from any earlier point (NATS's ack state is
  // never trusted): what the follower holds is skipped.
  auto outcome = restarted.apply(f.range(1, f.all.size()));
  REQUIRE(outcome.is_ok());
  CHECK(outcome->redelivered == 4);
  CHECK(outcome->applied == f.all.size() - 4);
  f.require_equal_to_leader();
}

namespace {

// The follower's log, failing its appends while told to.
class FailingLog final : public EventLog {
 public:
  explicit FailingLog(EventLog& log) : log_(log) {}
  bool failing = false;
  LogHead head() const override { return log_.head(); }
  Status append(std::span<const EncodedEvent> events, std::span<const RecordChange> changes,
                const LogHead& new_head) override {
    if (failing) return unavailable(Reason::kStorageUnavailable, "disk full (test)");
    return log_.append(events, changes, new_head);
  }
  Status read_events(
      std::uint64_t from,
      const std::function<bool(std::uint64_t, std::string_view)>& visit) const override {
    return log_.read_events(from, visit);
  }
  Status read_records(
      RecordTable table,
      const std::function<bool(std::string_view, std::string_view)>& visit) const override {
    return log_.read_records(table, visit);
  }
  std::uint32_t projection_version() const override { return log_.projection_version(); }
  Status replace_projection(std::span<const RecordChange> records, std::uint32_t version) override {
    return log_.replace_projection(records, version);
  }

 private:
  EventLog& log_;
};

}  // namespace

TEST_CASE("a failed append stores and shows nothing, and the next one goes on",
          "[server][replication][applier]") {
  Fixture f;
  FailingLog log(*f.follower.log);
  FollowerApplier applier(log, *f.follower.projection, f.stream);
  REQUIRE(applier.apply(f.range(1, 3)).is_ok());
  const auto before = f.follower.projection->snapshot();
  log.failing = true;
  auto failed = applier.apply(f.range(4, 8));
  REQUIRE_FALSE(failed.is_ok());
  CHECK(failed.status().code() == StatusCode::kUnavailable);
  CHECK(applier.storage_failing());
  CHECK_FALSE(applier.refusal().has_value());
  CHECK(f.follower.log->head().seq == 3);
  CHECK(f.follower.projection->snapshot() == before);
  log.failing = false;
  REQUIRE(applier.apply(f.range(4, f.all.size())).is_ok());
  CHECK_FALSE(applier.storage_failing());
  f.require_equal_to_leader();
}
