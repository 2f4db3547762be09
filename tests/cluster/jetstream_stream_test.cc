// JetStreamEventStream against a real 3-node NATS cluster on loopback, with
// keyledger's accounts and permissions on (tests/support/nats_cluster.h).
// Each test uses a stream name of its own: a stream is never deleted or
// re-created (../shared/NATS.md trap 1).
#include "server/replication/jetstream_stream.h"

#include <nats/nats.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <set>
#include <thread>

#include "tests/cluster/cluster_fixture.h"
#include "tests/support/skip.h"

namespace keyledger::replication {
namespace {

using testing::NatsCluster;
using testing::shared_nats_cluster;

std::string event_bytes(std::uint64_t seq) { return "event-" + std::to_string(seq) + "-bytes"; }

// Publishes events first..last, retrying each while NATS answers
// kUnavailable (a leader election; "no responders" comes back at once, so
// the retries pause): returns how many acks were duplicates.
int publish_all(JetStreamEventStream& stream, std::uint64_t first, std::uint64_t last) {
  int duplicates = 0;
  for (std::uint64_t seq = first; seq <= last; ++seq) {
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    for (;;) {
      auto ack = stream.publish(seq, event_bytes(seq));
      if (ack.is_ok()) {
        REQUIRE(ack->seq == seq);
        duplicates += ack->duplicate ? 1 : 0;
        break;
      }
      INFO(ack.status().to_string());
      REQUIRE(ack.status().code() == StatusCode::kUnavailable);
      REQUIRE(std::chrono::steady_clock::now() < give_up);
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  return duplicates;
}

// Every message of `stream` from 1 to `last` has event_bytes(seq).
void require_whole_stream(JetStreamEventStream& stream, std::uint64_t last) {
  auto last_seq = stream.last_seq();
  REQUIRE(last_seq.is_ok());
  REQUIRE(*last_seq == last);
  for (std::uint64_t seq = 1; seq <= last; ++seq) {
    auto message = stream.get(seq);
    REQUIRE(message.is_ok());
    REQUIRE(message->bytes == event_bytes(seq));
  }
}

}  // namespace

TEST_CASE("a published event reads back by seq, and the stream's last seq follows",
          "[cluster][nats][jetstream]") {
  KEYLEDGER_REQUIRE_NATS_SERVER();
  NatsCluster& cluster = shared_nats_cluster();
  auto stream = testing::leader_stream(cluster, testing::fresh_stream_name());
  REQUIRE(stream->ensure_stream().is_ok());
  CHECK(*stream->last_seq() == 0);
  CHECK(stream->get(1).status().code() == StatusCode::kNotFound);

  auto ack = stream->publish(1, "first");
  REQUIRE(ack.is_ok());
  CHECK(ack->seq == 1);
  CHECK_FALSE(ack->duplicate);
  REQUIRE(stream->publish(2, std::string("second\0with a zero", 18)).is_ok());

  CHECK(*stream->last_seq() == 2);
  CHECK(stream->get(1)->bytes == "first");
  CHECK(stream->get(2)->bytes == std::string("second\0with a zero", 18));
  CHECK(stream->get(3).status().code() == StatusCode::kNotFound);
  // Opening it again (a restarted leader) accepts what it created.
  CHECK(stream->ensure_stream().is_ok());
}

TEST_CASE("the expected last seq refuses a gap and a second writer", "[cluster][nats][jetstream]") {
  KEYLEDGER_REQUIRE_NATS_SERVER();
  NatsCluster& cluster = shared_nats_cluster();
  const std::string name = testing::fresh_stream_name();
  auto stream = testing::leader_stream(cluster, name);
  REQUIRE(stream->ensure_stream().is_ok());
  REQUIRE(stream->publish(1, "one").is_ok());

  // A gap: event 3 while the stream ends at 1.
  auto gap = stream->publish(3, "three");
  CHECK(gap.status().code() == StatusCode::kFailedPrecondition);
  CHECK(gap.status().is(Reason::kStreamSeqConflict));

  // A second writer (another ledger id, so no dedup) at seq 1 and at seq 2
  // after the first writer's 2.
  auto other = testing::leader_stream(cluster, name, "other-ledger");
  CHECK(other->publish(1, "forged one").status().code() == StatusCode::kFailedPrecondition);
  REQUIRE(stream->publish(2, "two").is_ok());
  CHECK(other->publish(2, "forged two").status().code() == StatusCode::kFailedPrecondition);

  CHECK(*stream->last_seq() == 2);
  CHECK(stream->get(1)->bytes == "one");
  CHECK(stream->get(2)->bytes == "two");
}

TEST_CASE("a re-published event with the same id answers duplicate at its seq",
          "[cluster][nats][jetstream]") {
  KEYLEDGER_REQUIRE_NATS_SERVER();
  NatsCluster& cluster = shared_nats_cluster();
  auto stream = testing::leader_stream(cluster, testing::fresh_stream_name());
  REQUIRE(stream->ensure_stream().is_ok());
  REQUIRE(stream->publish(1, "one").is_ok());
  REQUIRE(stream->publish(2, "two").is_ok());

  auto again = stream->publish(1, "one");
  REQUIRE(again.is_ok());
  CHECK(again->duplicate);
  CHECK(again->seq == 1);
  // JetStream checks the id before the bytes: a duplicate with other bytes
  // also answers duplicate, and the publisher must compare (a fork).
  auto forked = stream->publish(2, "not two");
  REQUIRE(forked.is_ok());
  CHECK(forked->duplicate);
  CHECK(stream->get(2)->bytes == "two");
  CHECK(*stream->last_seq() == 2);
}

TEST_CASE("a reader delivers the stream in order from a middle seq, then what comes later",
          "[cluster][nats][jetstream]") {
  KEYLEDGER_REQUIRE_NATS_SERVER();
  NatsCluster& cluster = shared_nats_cluster();
  const std::string name = testing::fresh_stream_name();
  auto stream = testing::leader_stream(cluster, name);
  REQUIRE(stream->ensure_stream().is_ok());
  publish_all(*stream, 1, 600);

  auto follower = testing::follower_stream(cluster, name);
  REQUIRE(follower->check_stream().is_ok());
  auto reader = follower->read_from(250);
  REQUIRE(reader.is_ok());
  std::uint64_t expected = 250;
  while (expected <= 600) {
    auto batch = (*reader)->next(128, std::chrono::milliseconds(2000));
    REQUIRE(batch.is_ok());
    REQUIRE_FALSE(batch->empty());
    CHECK(batch->size() <= 128);
    for (const auto& message : *batch) {
      REQUIRE(message.seq == expected);
      REQUIRE(message.bytes == event_bytes(expected));
      ++expected;
    }
  }
  // Nothing more: an empty answer, not an error.
  auto idle = (*reader)->next(128, std::chrono::milliseconds(100));
  REQUIRE(idle.is_ok());
  CHECK(idle->empty());
  // An event published later arrives.
  publish_all(*stream, 601, 601);
  auto later = (*reader)->next(128, std::chrono::milliseconds(5000));
  REQUIRE(later.is_ok());
  REQUIRE(later->size() == 1);
  CHECK(later->front().seq == 601);
}

TEST_CASE("an asynchronous batch publishes in order and a resent batch answers duplicates",
          "[cluster][nats][jetstream]") {
  KEYLEDGER_REQUIRE_NATS_SERVER();
  NatsCluster& cluster = shared_nats_cluster();
  auto stream = testing::leader_stream(cluster, testing::fresh_stream_name());
  REQUIRE(stream->ensure_stream().is_ok());
  std::vector<std::string> bytes;
  for (std::uint64_t seq = 1; seq <= 2000; ++seq) bytes.push_back(event_bytes(seq));
  std::vector<std::string_view> views(bytes.begin(), bytes.end());

  std::uint64_t next = 1;
  while (next <= 2000) {
    auto acks = stream->publish_batch(next, std::span(views).subspan(next - 1));
    REQUIRE(acks.is_ok());
    for (const auto& ack : *acks) {
      REQUIRE(ack.seq == next);
      REQUIRE_FALSE(ack.duplicate);
      ++next;
    }
  }
  require_whole_stream(*stream, 2000);

  auto again = stream->publish_batch(1001, std::span(views).subspan(1000, 10));
  REQUIRE(again.is_ok());
  REQUIRE(again->size() == 10);
  for (const auto& ack : *again) CHECK(ack.duplicate);
  // A batch that does not follow the stream's end is refused at its first.
  auto gap = stream->publish_batch(2002, std::span(views).subspan(0, 5));
  CHECK(gap.status().code() == StatusCode::kFailedPrecondition);
  CHECK(*stream->last_seq() == 2000);
}

TEST_CASE("publishing survives kill -9 of the stream's leader with nothing lost or duplicated",
          "[cluster][nats][jetstream][fault]") {
  KEYLEDGER_REQUIRE_NATS_SERVER();
  NatsCluster& cluster = shared_nats_cluster();
  const std::string name = testing::fresh_stream_name();
  auto stream = testing::leader_stream(cluster, name);
  REQUIRE(stream->ensure_stream().is_ok());
  publish_all(*stream, 1, 50);

  const int leader = cluster.node_named(cluster.stream_leader(name));
  REQUIRE(leader >= 0);
  cluster.kill_node(leader);
  // Restarted however the test ends: the next tests share the cluster.
  struct Restart {
    NatsCluster& cluster;
    int node;
    ~Restart() { cluster.restart_node(node); }
  } restart{cluster, leader};
  // Stalls while the others elect a leader (kUnavailable, retried), then
  // resumes; an attempt that timed out but was stored answers duplicate.
  const int duplicates = publish_all(*stream, 51, 100);
  WARN("duplicate answers after the leader's kill: " << duplicates);
  require_whole_stream(*stream, 100);
  CHECK(cluster.stream_leader(name) != "");
}

TEST_CASE("an existing stream whose config could lose events is refused, not changed",
          "[cluster][nats][jetstream]") {
  KEYLEDGER_REQUIRE_NATS_SERVER();
  NatsCluster cluster(1, testing::NatsAuth::kOpen);
  const std::string name = testing::fresh_stream_name();
  testing::make_raw_stream(cluster, name, events_subject(name), /*max_age_seconds=*/3600);

  auto stream = testing::leader_stream(cluster, name);
  const Status opened = stream->ensure_stream();
  CHECK(opened.code() == StatusCode::kFailedPrecondition);
  CHECK(opened.is(Reason::kStreamConfigIncompatible));
  CHECK(opened.message().find("limit") != std::string::npos);
  CHECK(stream->check_stream().is(Reason::kStreamConfigIncompatible));

  const std::string other = testing::fresh_stream_name();
  testing::make_raw_stream(cluster, other, "something.else", 0);
  CHECK(testing::leader_stream(cluster, other)
            ->ensure_stream()
            .is(Reason::kStreamConfigIncompatible));
}

TEST_CASE("a follower finds no stream until the leader made it", "[cluster][nats][jetstream]") {
  KEYLEDGER_REQUIRE_NATS_SERVER();
  NatsCluster& cluster = shared_nats_cluster();
  const std::string name = testing::fresh_stream_name();
  auto follower = testing::follower_stream(cluster, name);
  CHECK(follower->check_stream().code() == StatusCode::kNotFound);
  REQUIRE(testing::leader_stream(cluster, name)->ensure_stream().is_ok());
  CHECK(follower->check_stream().is_ok());
}

TEST_CASE("NATS unreachable answers kUnavailable in bounded time", "[cluster][nats][jetstream]") {
  KEYLEDGER_REQUIRE_NATS_SERVER();
  NatsCluster cluster(1, testing::NatsAuth::kOpen);
  const std::string name = testing::fresh_stream_name();
  auto stream = testing::leader_stream(cluster, name);
  REQUIRE(stream->ensure_stream().is_ok());
  REQUIRE(stream->publish(1, "one").is_ok());
  auto reader = stream->read_from(2);
  REQUIRE(reader.is_ok());

  cluster.kill_node(0);
  CHECK(stream->publish(2, "two").status().code() == StatusCode::kUnavailable);
  CHECK(stream->last_seq().status().code() == StatusCode::kUnavailable);
  CHECK(stream->get(1).status().code() == StatusCode::kUnavailable);
  // The reader waits, then notices its consumer is gone.
  bool reader_failed = false;
  for (int i = 0; i < 30 && !reader_failed; ++i) {
    auto batch = (*reader)->next(16, std::chrono::milliseconds(100));
    if (!batch.is_ok()) {
      CHECK(batch.status().code() == StatusCode::kUnavailable);
      reader_failed = true;
    }
  }
  CHECK(reader_failed);

  // A new connection to servers that are all down.
  NatsConnectionOptions options;
  options.urls = {cluster.url(0)};
  options.connect_timeout = std::chrono::milliseconds(500);
  auto refused = NatsConnection::connect(options);
  CHECK(refused.status().code() == StatusCode::kUnavailable);
}

}  // namespace keyledger::replication
