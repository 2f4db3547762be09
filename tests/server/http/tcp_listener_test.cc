// TcpListener::listen: a refusal is a Status whose reason says why, so
// keyledgerd chooses its exit code from the reason, never from the
// system's message.
#include "server/http/tcp_listener.h"

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include "server/http/connection_limiter.h"
#include "tests/server/captured_log.h"
#include "tests/server/manual_timer_service.h"

using namespace keyledger;
using namespace keyledger::server;
using keyledger::testing::CapturedLog;
using keyledger::testing::ManualTimerService;

namespace {

const boost::asio::ip::tcp::endpoint kAnyLoopbackPort{boost::asio::ip::make_address("127.0.0.1"),
                                                      0};

struct Fixture {
  boost::asio::io_context io;
  CapturedLog captured;
  ManualTimerService timers{{&io}};
  ConnectionLimiter connections{ConnectionLimits{}};
  TcpListener listener{io, connections, timers, captured.log,
                       [](TcpListener::SessionSocket, ConnectionSlot, ConnectionTimers&) {}};
};

}  // namespace

TEST_CASE("listening on a free loopback port succeeds and says the port the system chose",
          "[server][listen]") {
  Fixture f;
  const Status listening = f.listener.listen(kAnyLoopbackPort);
  REQUIRE(listening.is_ok());
  CHECK(f.listener.local_endpoint().port() != 0);
  f.listener.stop_accepting();
}

TEST_CASE("listening on a port another socket holds is refused as address_in_use",
          "[server][listen]") {
  Fixture f;
  auto taken = bind_listening_socket(f.io, kAnyLoopbackPort);
  REQUIRE(taken.is_ok());
  const Status refused = f.listener.listen(taken->local_endpoint());
  CHECK(refused.code() == StatusCode::kUnavailable);
  CHECK(refused.is(Reason::kAddressInUse));
  CHECK(refused.reason() == "address_in_use");
  CHECK_FALSE(refused.message().empty());
}

TEST_CASE("listening on an address no interface has is refused as address_not_available",
          "[server][listen]") {
  Fixture f;
  // TEST-NET-1 (RFC 5737): assigned to no host, so never a local address.
  const Status refused = f.listener.listen({boost::asio::ip::make_address("192.0.2.1"), 0});
  CHECK(refused.code() == StatusCode::kUnavailable);
  CHECK(refused.is(Reason::kAddressNotAvailable));
}
