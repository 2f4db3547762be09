// The follow loop, one step at a time on the test's thread, with a manual
// monotonic clock and a fake stream: it reads from its own head + 1,
// applies, confirms at the time it ASKED the stream's last seq once it
// applied that far, grows stale (the verifier's freshness) while it cannot
// confirm, reconnects with a growing backoff, and after a refusal applies
// and confirms nothing more.
#include "server/replication/follow_loop.h"

#include <catch2/catch.hpp>

#include "server/verify/replica_freshness.h"
#include "tests/server/replication/replication_fixtures.h"

using namespace keyledger;
using namespace std::chrono_literals;
using keyledger::replication::ApplyRefusal;
using keyledger::replication::FollowerApplier;
using keyledger::replication::FollowLoop;
using keyledger::replication::FollowOptions;
using keyledger::replication::StreamMessage;
using keyledger::server::ReplicaFreshness;
using keyledger::testing::edited;
using keyledger::testing::FakeEventStream;
using keyledger::testing::FollowerStore;
using keyledger::testing::LeaderHistory;

namespace {

constexpr auto kMaxStaleness = 400ms;

// Feeds the freshness as the daemon's observer does, and counts the rest.
class RecordingObserver final : public replication::FollowObserver {
 public:
  explicit RecordingObserver(ReplicaFreshness& freshness) : freshness_(freshness) {}
  void confirmed(MonotonicTime asked_at) override {
    freshness_.confirmed(asked_at);
    confirmations.push_back(asked_at);
  }
  void applied(std::uint64_t seq) override { applied_up_to = seq; }
  void stream_last(std::uint64_t seq) override { stream_last_seen = seq; }
  void unavailable(const Status& why) override { outages.push_back(why.reason()); }
  void connected() override { ++connects; }
  void refused(const ApplyRefusal& refusal) override { refusals.push_back(refusal); }

  std::vector<MonotonicTime> confirmations;
  std::uint64_t applied_up_to = 0;
  std::uint64_t stream_last_seen = 0;
  std::vector<std::string> outages;
  int connects = 0;
  std::vector<ApplyRefusal> refusals;

 private:
  ReplicaFreshness& freshness_;
};

FollowOptions options(std::size_t batch = 1024) {
  FollowOptions made;
  made.batch = batch;
  made.wait = 0ms;
  made.confirm_interval = 100ms;
  made.min_backoff = 50ms;
  made.max_backoff = 200ms;
  return made;
}

struct Fixture {
  explicit Fixture(std::size_t batch = 1024)
      : loop(applier, stream, clock, observer, options(batch)) {
    leader.write_sample_history();
    leader.publish_to(stream);
    last = leader.ledger.log().head().seq;
  }

  LeaderHistory leader;
  std::uint64_t last = 0;
  FakeEventStream stream;
  FollowerStore follower;
  FollowerApplier applier{*follower.log, *follower.projection, stream};
  ManualMonotonicClock clock;
  ReplicaFreshness freshness{clock, kMaxStaleness};
  RecordingObserver observer{freshness};
  FollowLoop loop;
};

}  // namespace

TEST_CASE("a follower is stale until it first confirms with the stream",
          "[server][replication][follow_loop]") {
  Fixture f;
  CHECK_FALSE(f.freshness.fresh());
  CHECK_FALSE(f.freshness.staleness().has_value());
  CHECK(f.loop.step() == 0ms);
  CHECK(f.follower.log->head().seq == f.last);
  CHECK(f.observer.applied_up_to == f.last);
  REQUIRE(f.observer.confirmations.size() == 1);
  CHECK(f.freshness.fresh());
  CHECK(f.loop.status().applied_seq == f.last);
  CHECK(f.loop.status().stream_last_seq == f.last);
  CHECK(f.observer.stream_last_seen == f.last);
  CHECK(f.loop.status().connected);
  CHECK(f.stream.last_read_from() == 1);
}

TEST_CASE("staleness counts from when the follower asked, and past the bound it is stale",
          "[server][replication][follow_loop]") {
  Fixture f;
  const MonotonicTime asked = f.clock.now();
  f.loop.step();
  CHECK(f.freshness.confirmed_at() == asked);
  f.clock.advance(kMaxStaleness - 1ns);
  CHECK(f.freshness.fresh());
  f.clock.advance(1ns);
  CHECK_FALSE(f.freshness.fresh());  // no step ran: nothing confirmed it since
  // The next ask confirms again: fresh from that time on.
  const MonotonicTime asked_again = f.clock.now();
  f.loop.step();
  CHECK(f.freshness.confirmed_at() == asked_again);
  CHECK(f.freshness.fresh());
}

TEST_CASE("a follower behind confirms the time of its ask only once it applied that far",
          "[server][replication][follow_loop]") {
  Fixture f(/*batch=*/3);
  const MonotonicTime asked = f.clock.now();
  f.loop.step();  // asks (last = all), applies 3
  CHECK(f.observer.confirmations.empty());
  CHECK_FALSE(f.freshness.fresh());
  CHECK(f.loop.status().stream_last_seq == f.last);
  int steps = 1;
  while (f.follower.log->head().seq < f.last && steps < 100) {
    f.clock.advance(10ms);  // within the confirm interval: no new ask
    f.loop.step();
    ++steps;
  }
  REQUIRE(f.follower.log->head().seq == f.last);
  REQUIRE(f.observer.confirmations.size() == 1);
  CHECK(f.observer.confirmations[0] == asked);  // when it asked, not when it caught up
}

TEST_CASE("under steady writes the newest ask the follower reached is confirmed",
          "[server][replication][follow_loop]") {
  Fixture f;
  f.loop.step();
  // A new event arrives after each ask; the follower reaches each ask's
  // last seq in the turn after it.
  for (int round = 0; round < 3; ++round) {
    f.clock.advance(100ms);
    const MonotonicTime asked = f.clock.now();
    f.leader.create_key("alice", "round " + std::to_string(round));
    const auto messages = f.leader.messages(f.leader.ledger.log().head().seq);
    f.stream.put_at(messages[0].seq, messages[0].bytes);
    f.loop.step();
    CHECK(f.freshness.confirmed_at() == asked);
  }
  CHECK(f.follower.projection->snapshot() == f.leader.ledger.projection().snapshot());
}

TEST_CASE(
    "while the stream cannot be reached the follower backs off and grows stale, then recovers",
    "[server][replication][follow_loop]") {
  Fixture f;
  f.loop.step();
  REQUIRE(f.freshness.fresh());
  f.stream.set_down(true);
  f.clock.advance(100ms);
  CHECK(f.loop.step() == 50ms);
  CHECK(f.loop.step() == 100ms);
  CHECK(f.loop.step() == 200ms);
  CHECK(f.loop.step() == 200ms);          // at most max_backoff
  CHECK(f.observer.outages.size() == 1);  // told once per outage
  CHECK_FALSE(f.loop.status().connected);
  CHECK(f.loop.status().failures == 4);
  f.clock.advance(kMaxStaleness);
  CHECK_FALSE(f.freshness.fresh());
  f.stream.set_down(false);
  const int connects = f.observer.connects;
  CHECK(f.loop.step() == 0ms);
  CHECK(f.observer.connects == connects + 1);
  CHECK(f.freshness.fresh());
  CHECK(f.stream.last_read_from() == f.last + 1);  // read again from its own head
}

TEST_CASE("the loop fills what the stream left out and skips what it repeated",
          "[server][replication][follow_loop]") {
  Fixture f;
  f.stream.drop_on_delivery(3);
  f.stream.drop_on_delivery(4);
  f.stream.repeat_on_delivery(6);
  f.loop.step();
  CHECK(f.follower.log->head().seq == f.last);
  CHECK(f.loop.status().gap_events_filled == 2);
  CHECK(f.loop.status().redeliveries == 1);
  CHECK(f.loop.status().applied_events == f.last);
  CHECK(f.follower.projection->snapshot() == f.leader.ledger.projection().snapshot());
}

TEST_CASE("after a refused event the loop applies and confirms nothing more",
          "[server][replication][follow_loop]") {
  Fixture f;
  const auto messages = f.leader.messages();
  f.stream.put_at(5, edited(messages[4], [](Event& event) { event.prev_hash[3] ^= 8; }).bytes);
  f.loop.step();
  CHECK(f.follower.log->head().seq == 4);
  REQUIRE(f.observer.refusals.size() == 1);
  CHECK(f.observer.refusals[0].reason == Reason::kChainBroken);
  REQUIRE(f.loop.status().refusal.has_value());
  CHECK(f.loop.status().refusal->seq == 5);
  CHECK(f.observer.confirmations.empty());
  // The stream is repaired: still nothing, until an operator restarts it.
  f.stream.put_at(5, messages[4].bytes);
  f.clock.advance(kMaxStaleness);
  f.loop.step();
  CHECK(f.follower.log->head().seq == 4);
  CHECK(f.observer.confirmations.empty());
  CHECK_FALSE(f.freshness.fresh());
}

TEST_CASE("a follower whose stream holds fewer events than it applied does not confirm",
          "[server][replication][follow_loop]") {
  Fixture f;
  f.loop.step();
  REQUIRE(f.freshness.fresh());
  FakeEventStream shorter;
  for (const auto& message : f.leader.messages())
    if (message.seq < 3) shorter.put_at(message.seq, message.bytes);
  FollowLoop loop(f.applier, shorter, f.clock, f.observer, options());
  f.clock.advance(kMaxStaleness);
  loop.step();
  CHECK_FALSE(f.freshness.fresh());
  CHECK(f.observer.outages.size() == 1);
  CHECK(f.observer.outages[0] == "stream_fork");
}

TEST_CASE("a loop on its own thread follows the stream and stops on request",
          "[server][replication][follow_loop]") {
  LeaderHistory leader;
  leader.write_sample_history();
  FakeEventStream stream;
  leader.publish_to(stream);
  FollowerStore follower;
  FollowerApplier applier(*follower.log, *follower.projection, stream);
  SteadyClock clock;
  ReplicaFreshness freshness(clock, std::chrono::hours(1));
  RecordingObserver observer(freshness);
  FollowOptions quick = options();
  quick.wait = 1ms;
  FollowLoop loop(applier, stream, clock, observer, quick);
  loop.start();
  const bool caught_up = testing::eventually([&] { return freshness.fresh(); });
  loop.stop();
  REQUIRE(caught_up);
  CHECK(follower.log->head() == leader.ledger.log().head());
}
