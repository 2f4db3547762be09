// ConnectingEventStream: a leader whose NATS is down at start keeps trying
// to open the stream on each call, and keeps it once open.
#include "server/replication/connecting_stream.h"

#include <catch2/catch.hpp>

#include "tests/server/replication/fake_publish_stream.h"

using namespace keyledger;
using keyledger::replication::ConnectingEventStream;
using keyledger::replication::EventStream;

TEST_CASE("a connecting stream answers the opener's error until it opens, then keeps the stream",
          "[server][replication]") {
  int attempts = 0;
  bool reachable = false;
  auto* fake = new testing::FakePublishStream;
  std::unique_ptr<EventStream> owned(fake);
  ConnectingEventStream stream([&]() -> StatusOr<std::unique_ptr<EventStream>> {
    ++attempts;
    if (!reachable) return unavailable(Reason::kUnreachable, "no NATS server answers (test)");
    return std::move(owned);
  });
  auto refused = stream.last_seq();
  REQUIRE_FALSE(refused.is_ok());
  CHECK(refused.status().code() == StatusCode::kUnavailable);
  CHECK_FALSE(stream.publish(1, "event 1").is_ok());
  CHECK(attempts == 2);

  reachable = true;
  auto ack = stream.publish(1, "event 1");
  REQUIRE(ack.is_ok());
  CHECK(ack->seq == 1);
  auto last = stream.last_seq();
  REQUIRE(last.is_ok());
  CHECK(*last == 1);
  auto stored = stream.get(1);
  REQUIRE(stored.is_ok());
  CHECK(stored->bytes == "event 1");
  CHECK(attempts == 3);  // opened once
  CHECK(fake->messages() == std::vector<std::string>{"event 1"});
}
