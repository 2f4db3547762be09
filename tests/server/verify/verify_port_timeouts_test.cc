// The verify port's timeouts, on a manual clock (no test here sleeps or
// measures time): a connection with no request begun may idle up to the idle
// timeout and is then closed silently; a frame begun but still incomplete at
// the I/O timeout closes the connection as a bad frame, logged.
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <thread>

#include "server/client/verify_wire.h"
#include "tests/server/verify/verify_port_fixture.h"

using namespace keyledger;
using namespace keyledger::server;
using keyledger::testing::CapturedLog;
using keyledger::testing::LoopbackConnection;
using keyledger::testing::ManualTimerService;
using keyledger::testing::TestLedger;
using std::chrono::milliseconds;

namespace {

using VerifyPortFixture = keyledger::testing::VerifyPortFixture;
using Fixture = VerifyPortFixture;
using keyledger::testing::kGuard;
using keyledger::testing::kTick;

// A well-framed request (its token is no key, so the answer is a refusal).
const std::string kRequest = client::encode_verify_request(1, "kl_no_such_key", "");

bool closed_without_answer(LoopbackConnection& client) {
  return client.receive_until_closed(kGuard).empty() && client.closed_by_peer(milliseconds(0));
}

}  // namespace

TEST_CASE("a verify-port connection with no request begun idles up to the idle timeout",
          "[server][verify-port][timeouts]") {
  Fixture f;
  REQUIRE(f.limits.idle_timeout > f.limits.io_timeout);
  LoopbackConnection client = f.connect();
  REQUIRE(f.timers.wait_for_deadline_within(f.limits.idle_timeout));
  SECTION("just before the idle timeout, well past the I/O timeout, a request is answered") {
    f.timers.advance(f.limits.idle_timeout - kTick);
    REQUIRE(client.send(kRequest));
    CHECK_FALSE(client.receive_some(kGuard).empty());
  }
  SECTION("at the idle timeout it is closed, and that is no bad frame") {
    f.timers.advance(f.limits.idle_timeout);
    REQUIRE(closed_without_answer(client));
    f.drain();
    CHECK(f.counters.bad_frames == 0);
    CHECK(f.drop_reasons().empty());
  }
}

TEST_CASE("a verify-port frame still incomplete at the I/O timeout closes its connection as bad",
          "[server][verify-port][timeouts]") {
  Fixture f;
  LoopbackConnection client = f.connect();
  REQUIRE(client.send(std::string_view(kRequest).substr(0, kRequest.size() / 2)));
  // Armed once the half frame has been read.
  REQUIRE(f.timers.wait_for_deadline_within(f.limits.io_timeout));
  SECTION("just before the timeout the frame may still end, and is answered") {
    f.timers.advance(f.limits.io_timeout - kTick);
    REQUIRE(client.send(std::string_view(kRequest).substr(kRequest.size() / 2)));
    CHECK_FALSE(client.receive_some(kGuard).empty());
  }
  SECTION("at the timeout it is closed, counted and logged") {
    f.timers.advance(f.limits.io_timeout);
    REQUIRE(closed_without_answer(client));
    f.drain();
    CHECK(f.counters.bad_frames == 1);
    CHECK(f.drop_reasons() ==
          std::vector<std::string>{"a frame stayed incomplete past the timeout"});
  }
}
