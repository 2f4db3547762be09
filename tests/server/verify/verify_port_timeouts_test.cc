// The verify port's timeouts, on a manual clock (no test here sleeps or
// measures time): a connection with no request begun may idle up to the idle
// timeout and is then closed silently; a frame begun but still incomplete at
// the I/O timeout closes the connection as a bad frame, logged.
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <thread>

#include "core/token.h"
#include "server/client/verify_wire.h"
#include "server/daemon/leader_parts.h"
#include "server/daemon/metrics.h"
#include "server/http/connection_limiter.h"
#include "server/verify/credential_verifier.h"
#include "server/verify/verify_port.h"
#include "tests/server/captured_log.h"
#include "tests/server/manual_timer_service.h"
#include "tests/support/loopback.h"
#include "tests/support/test_ledger.h"

using namespace keyledger;
using namespace keyledger::server;
using keyledger::testing::CapturedLog;
using keyledger::testing::LoopbackConnection;
using keyledger::testing::ManualTimerService;
using keyledger::testing::TestLedger;
using std::chrono::milliseconds;

namespace {

// How long a client waits for what the server does at once; reached only
// when the server is broken.
constexpr milliseconds kGuard{20'000};
constexpr std::chrono::nanoseconds kTick{1};

// A VerifyPort with the default limits (idle 300 s, I/O 30 s) over a real
// ledger, on a manual clock, served by one thread of its own.
struct Fixture {
  Fixture() {
    const keyledger::Status listening =
        port.listen({boost::asio::ip::make_address("127.0.0.1"), 0});
    if (!listening.is_ok()) throw std::runtime_error(listening.to_string());
    runner = std::thread([this] { io.run(); });
  }
  ~Fixture() {
    io.stop();
    if (runner.joinable()) runner.join();
  }

  // Once every connection is closed: lets the server finish what it still
  // has queued (a closed session's last handler logs why it closed) and
  // stop. The log may be read after.
  void drain() {
    port.stop_accepting();
    runner.join();
  }

  LoopbackConnection connect() {
    return LoopbackConnection("127.0.0.1", port.local_endpoint().port());
  }

  // The reasons given for the connections closed as bad, once stopped.
  std::vector<std::string> drop_reasons() const {
    std::vector<std::string> reasons;
    for (const auto& line : log.lines())
      if (line["msg"] == "verify port: closing a connection") reasons.push_back(line["why"]);
    return reasons;
  }

  TestLedger ledger;
  SecretHasher hasher = *SecretHasher::create(std::string(32, 'p'));
  WriterKeyUseSink uses{ledger.writer()};
  LastUseTracker tracker{uses, ledger.projection(), ledger.clock(), std::chrono::hours(1)};
  FailureRateLimiter limiter{ledger.clock(), 100};
  CredentialVerifier verifier{ledger.projection(),
                              hasher,
                              tracker,
                              limiter,
                              ledger.clock(),
                              std::string(kDefaultTokenPrefix)};
  VerifyPortCounters counters;
  // Declared before `io`: sessions still pending at the end are destroyed
  // with it and give their slots back.
  ConnectionLimiter connections{ConnectionLimits{}};
  CapturedLog log;
  VerifyPortLimits limits;
  boost::asio::io_context io;
  ManualTimerService timers{{&io}};
  VerifyPort port{io, verifier, connections, timers, counters, log.log, limits};
  std::thread runner;
};

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
