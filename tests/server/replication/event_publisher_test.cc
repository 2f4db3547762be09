// EventPublisher against a fake stream (tests/server/replication/
// fake_publish_stream.h): order, resume from the stream's last seq + 1,
// duplicates, forks, retries. Waits are for conditions, never for times.
#include "server/replication/event_publisher.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "tests/server/replication/fake_publish_stream.h"
#include "tests/support/eventually.h"

using namespace keyledger;
using keyledger::replication::EventPublisher;
using keyledger::replication::PublisherEventKind;
using keyledger::replication::PublisherOptions;
using keyledger::testing::eventually;
using keyledger::testing::FakePublishStream;
using keyledger::testing::MemoryEventLog;
using keyledger::testing::RecordingPublisherLog;

namespace {

std::string event_bytes(int seq) { return "event " + std::to_string(seq) + " of this ledger"; }

// A log, a stream, a publisher over them on a manual monotonic clock.
struct PublisherWorld {
  explicit PublisherWorld(int events_in_log = 0) {
    for (int seq = 1; seq <= events_in_log; ++seq) log.add(event_bytes(seq));
  }
  PublisherOptions options() const {
    PublisherOptions options;
    options.max_batch = 4;  // several rounds even for a few events
    options.first_retry = std::chrono::milliseconds(1);
    options.max_retry = std::chrono::milliseconds(5);
    return options;
  }
  // Appends event `seq` to the log and tells the publisher, as the writer does.
  void commit(int seq) {
    log.add(event_bytes(seq));
    publisher.notify_committed(log.head().seq);
  }
  bool published_everything() const {
    return stream.messages() == log.events() && publisher.status().published_seq == log.head().seq;
  }
  bool forked() const { return publisher.status().forked; }

  MemoryEventLog log;
  FakePublishStream stream;
  ManualMonotonicClock clock;
  RecordingPublisherLog reports;
  EventPublisher publisher{log, stream, clock, reports, options()};
};

}  // namespace

TEST_CASE("the publisher sends every committed event in seq order with the log's bytes",
          "[server][replication]") {
  PublisherWorld world(6);
  world.publisher.start();
  REQUIRE(eventually([&] { return world.published_everything(); }));
  for (int seq = 7; seq <= 15; ++seq) world.commit(seq);
  REQUIRE(eventually([&] { return world.published_everything(); }));
  const std::vector<std::uint64_t> attempts = world.stream.publish_attempts();
  CHECK(std::is_sorted(attempts.begin(), attempts.end()));
  CHECK(attempts.size() == 15);  // each once
  const auto status = world.publisher.status();
  CHECK(status.reachable);
  CHECK_FALSE(status.forked);
  CHECK(status.events_published == 15);
  CHECK_FALSE(status.oldest_unpublished_age.has_value());
}

TEST_CASE("a publisher resumes from the stream's last seq + 1 and publishes nothing twice",
          "[server][replication]") {
  PublisherWorld world(7);
  for (int seq = 1; seq <= 3; ++seq) REQUIRE(world.stream.publish(seq, event_bytes(seq)).is_ok());
  world.publisher.start();
  REQUIRE(eventually([&] { return world.published_everything(); }));
  const std::vector<std::uint64_t> attempts = world.stream.publish_attempts();
  const std::vector<std::uint64_t> mine(attempts.begin() + 3, attempts.end());
  CHECK(mine == std::vector<std::uint64_t>{4, 5, 6, 7});
}

TEST_CASE("an unreachable stream is retried with the same seq until it answers",
          "[server][replication]") {
  PublisherWorld world(3);
  world.stream.set_unreachable(true);
  world.publisher.start();
  REQUIRE(eventually([&] { return world.publisher.status().failures >= 3; }));
  CHECK_FALSE(world.publisher.status().reachable);
  CHECK(world.reports.count(PublisherEventKind::kUnreachable) == 1);  // once, not per retry
  world.stream.set_unreachable(false);
  REQUIRE(eventually([&] { return world.published_everything(); }));
  CHECK(world.reports.count(PublisherEventKind::kReachable) == 1);
  CHECK(world.publisher.status().reachable);

  // A publish that times out after the stream stored it is sent again with
  // the same seq, answered as a duplicate with the same bytes: published once.
  world.stream.time_out_after_storing(1);
  world.commit(4);
  world.commit(5);
  REQUIRE(eventually([&] { return world.published_everything(); }));
  const std::vector<std::uint64_t> attempts = world.stream.publish_attempts();
  CHECK(std::count(attempts.begin(), attempts.end(), 4) == 2);
  CHECK_FALSE(world.forked());
}

TEST_CASE("a duplicate answer with the log's bytes counts as published", "[server][replication]") {
  PublisherWorld world;
  world.publisher.start();
  REQUIRE(eventually([&] { return world.publisher.status().reachable; }));
  // Event 1 reaches the stream (another attempt of ours, say) before the
  // publisher sends it.
  world.stream.store_foreign(event_bytes(1), 1);
  world.commit(1);
  world.commit(2);
  REQUIRE(eventually([&] { return world.published_everything(); }));
  CHECK_FALSE(world.forked());
  CHECK(world.stream.messages().size() == 2);
}

TEST_CASE("a duplicate answer with other bytes is a fork: publishing stops for good and says so",
          "[server][replication]") {
  PublisherWorld world;
  world.publisher.start();
  REQUIRE(eventually([&] { return world.publisher.status().reachable; }));
  // Another writer published seq 1 under the id this ledger's event 1 has.
  world.stream.store_foreign("someone else's event 1", 1);
  world.commit(1);
  world.commit(2);
  REQUIRE(eventually([&] { return world.forked(); }));
  const auto status = world.publisher.status();
  CHECK(status.published_seq == 0);
  CHECK_THAT(status.fork, Catch::Contains("differs from the log's event 1"));
  REQUIRE(world.reports.count(PublisherEventKind::kFork) == 1);
  CHECK(world.reports.events().back().seq == 1);
  // For good: later commits are not published either.
  const auto attempts = world.stream.publish_attempts().size();
  world.commit(3);
  world.publisher.stop();
  CHECK(world.stream.publish_attempts().size() == attempts);
  // Only the events of the batch in flight when the fork was found may
  // have reached the stream (here event 2, sent with event 1).
  const std::vector<std::string> messages = world.stream.messages();
  REQUIRE(messages.size() <= 2);
  CHECK(messages.front() == "someone else's event 1");
}

TEST_CASE("a stream ahead of the log is a fork, and writes are refused at once",
          "[server][replication]") {
  PublisherWorld world(2);
  world.stream.store_foreign(event_bytes(1), 1);
  world.stream.store_foreign(event_bytes(2), 2);
  world.stream.store_foreign(event_bytes(3), 3);
  world.publisher.start();
  REQUIRE(eventually([&] { return world.forked(); }));
  CHECK_THAT(world.publisher.status().fork, Catch::Contains("the stream holds 3 events"));
  CHECK(world.stream.publish_attempts().empty());
  // Nothing is unpublished, but nothing would ever be published again: a
  // write taken now could never reach a follower.
  const Status refused = world.publisher.admit_write();
  CHECK(refused.is(Reason::kReplicationUnavailable));
  CHECK_THAT(refused.message(), Catch::Contains("could never reach the followers"));
}

TEST_CASE("a stream whose last message is not the log's event is a fork (another ledger)",
          "[server][replication]") {
  PublisherWorld world(3);
  world.stream.store_foreign("another ledger's event 1", 1);
  world.stream.store_foreign("another ledger's event 2", 2);
  world.publisher.start();
  REQUIRE(eventually([&] { return world.forked(); }));
  CHECK_THAT(world.publisher.status().fork, Catch::Contains("message 2 differs"));
  CHECK(world.stream.publish_attempts().empty());
}

TEST_CASE("a refused fence with our own event past it moves on without publishing it again",
          "[server][replication]") {
  PublisherWorld world(1);
  world.publisher.start();
  REQUIRE(eventually([&] { return world.published_everything(); }));
  // Event 2 is stored but its ack is lost, and by the retry the duplicate
  // window has passed: the stream refuses the expected last seq instead.
  world.stream.time_out_after_storing(1, true);
  world.commit(2);
  REQUIRE(eventually([&] { return world.publisher.status().failures >= 1; }));
  world.stream.expire_duplicate_window();
  world.commit(3);
  world.stream.set_unreachable(false);
  REQUIRE(eventually([&] { return world.published_everything(); }));
  CHECK_FALSE(world.forked());
  const std::vector<std::uint64_t> attempts = world.stream.publish_attempts();
  CHECK(std::count(attempts.begin(), attempts.end(), 2) >= 2);  // refused after the first
}

TEST_CASE("a refused fence with another writer's event past it is a fork",
          "[server][replication]") {
  PublisherWorld world(1);
  world.publisher.start();
  REQUIRE(eventually([&] { return world.published_everything(); }));
  world.stream.store_foreign("a second writer's event 2");
  world.commit(2);
  REQUIRE(eventually([&] { return world.forked(); }));
  CHECK_THAT(world.publisher.status().fork, Catch::Contains("message 2 differs"));
  CHECK(world.publisher.status().published_seq == 1);
}

TEST_CASE("a stream that lost acknowledged events gets them again, and says so",
          "[server][replication]") {
  PublisherWorld world(5);
  world.publisher.start();
  REQUIRE(eventually([&] { return world.published_everything(); }));
  world.stream.truncate_to(3);
  world.commit(6);
  REQUIRE(eventually([&] { return world.published_everything(); }));
  CHECK(world.reports.count(PublisherEventKind::kStreamBehind) == 1);
  CHECK_FALSE(world.forked());
}

TEST_CASE("the oldest unpublished event's age is measured on the injected clock",
          "[server][replication]") {
  PublisherWorld world(2);
  world.stream.set_unreachable(true);
  world.publisher.start();
  // Events in the log before the start count from the start.
  world.clock.advance(std::chrono::milliseconds(700));
  auto age = world.publisher.status().oldest_unpublished_age;
  REQUIRE(age.has_value());
  CHECK(*age == std::chrono::milliseconds(700));
  CHECK(world.publisher.admit_write().is_ok());  // 1 s is the default bound
  world.clock.advance(std::chrono::milliseconds(301));
  const Status refused = world.publisher.admit_write();
  CHECK(refused.code() == StatusCode::kUnavailable);
  CHECK(refused.is(Reason::kReplicationUnavailable));
  CHECK_THAT(refused.message(), Catch::Contains("event 1 was committed 1001 ms ago"));

  world.stream.set_unreachable(false);
  REQUIRE(eventually([&] { return world.published_everything(); }));
  CHECK(world.publisher.admit_write().is_ok());
  CHECK_FALSE(world.publisher.status().oldest_unpublished_age.has_value());
  // A new commit counts from when it was notified, not from the start.
  world.stream.set_unreachable(true);
  world.commit(3);
  world.clock.advance(std::chrono::milliseconds(400));
  age = world.publisher.status().oldest_unpublished_age;
  REQUIRE(age.has_value());
  CHECK(*age == std::chrono::milliseconds(400));
  CHECK(world.publisher.admit_write().is_ok());
}

TEST_CASE("a stopped publisher stops at once, also while NATS is unreachable",
          "[server][replication]") {
  PublisherWorld world(3);
  world.stream.set_unreachable(true);
  world.publisher.start();
  REQUIRE(eventually([&] { return world.publisher.status().failures >= 1; }));
  world.publisher.stop();
  const auto attempts = world.stream.publish_attempts().size();
  world.stream.set_unreachable(false);
  world.commit(4);
  CHECK(world.stream.publish_attempts().size() == attempts);
}
