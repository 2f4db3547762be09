// The HTTP session's timeouts, on a manual clock (no test here sleeps or
// measures time): the read timeout runs from the start of a request to its
// end, header and body; the idle timeout while a keep-alive connection waits
// for its next request; the write timeout while an answer waits for the
// client to take it; nothing while the handler works. A connection past its
// deadline is closed without an answer.
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <thread>

#include "core/random.h"
#include "server/http/connection_limiter.h"
#include "server/http/http_server.h"
#include "tests/server/captured_log.h"
#include "tests/server/held_answer.h"
#include "tests/server/manual_timer_service.h"
#include "tests/support/loopback.h"

using namespace keyledger::server;
using keyledger::testing::CapturedLog;
using keyledger::testing::LoopbackConnection;
using keyledger::testing::ManualTimerService;
using std::chrono::milliseconds;

namespace {

constexpr std::size_t kBigBody = 64u << 20;  // far more than socket buffers hold
// How long a client waits for what the server does at once; reached only
// when the server is broken.
constexpr milliseconds kGuard{20'000};
constexpr std::chrono::nanoseconds kTick{1};

// GET /big answers kBigBody bytes; GET /held is answered only when the test
// gives the held answer; GET and POST /small get a short 200.
class TestRoutes {
 public:
  TestRoutes() {
    router.add(boost::beast::http::verb::get, "/small", small);
    router.add(boost::beast::http::verb::post, "/small", small);
    router.add(boost::beast::http::verb::get, "/big",
               [](std::shared_ptr<Exchange> exchange, Respond respond) {
                 respond(ok(*exchange, std::string(kBigBody, 'x')));
               });
    router.add(
        boost::beast::http::verb::get, "/held",
        [this](std::shared_ptr<Exchange> exchange, Respond respond) { hold(*exchange, respond); });
  }

  Router router;
  keyledger::testing::HeldAnswer held;

 private:
  static HttpResponse ok(const Exchange& exchange, std::string body) {
    HttpResponse response{boost::beast::http::status::ok, 11};
    response.keep_alive(exchange.request.keep_alive());
    response.body() = std::move(body);
    return response;
  }
  static inline const Handler small = [](std::shared_ptr<Exchange> exchange, Respond respond) {
    respond(ok(*exchange, "ok"));
  };
  void hold(const Exchange& exchange, const Respond& respond) {
    held.hold(
        [respond, response = ok(exchange, "held")]() mutable { respond(std::move(response)); });
  }
};

// Counts nothing: these tests look at connections, not at the counts.
struct NoObserver final : RequestObserver {
  void observe_request(std::string_view, std::string_view, unsigned,
                       std::chrono::nanoseconds) override {}
};

// An HttpServer with the default limits (read and write 15 s, idle 60 s)
// on a manual clock, served by one thread of its own.
struct Fixture {
  Fixture() {
    const keyledger::Status listening =
        server.listen({boost::asio::ip::make_address("127.0.0.1"), 0});
    if (!listening.is_ok()) throw std::runtime_error(listening.to_string());
    runner = std::thread([this] { io.run(); });
  }
  ~Fixture() {
    io.stop();
    runner.join();
  }

  LoopbackConnection connect() {
    return LoopbackConnection("127.0.0.1", server.local_endpoint().port());
  }

  // Declared before `io`: sessions still pending at the end are destroyed
  // with it and give their slots back.
  ConnectionLimiter connections{ConnectionLimits{}};
  CapturedLog log;
  HttpLimits limits;
  boost::asio::io_context io;
  ManualTimerService timers{{&io}};
  // After `io`: an answer still held destroys its session (and socket)
  // before the context goes.
  TestRoutes handler;
  TrustedPeers no_proxies;
  keyledger::SeededRandom random{1};
  NoObserver observer;
  AccessLog access_log{log.log, false};
  HttpServer server{io,     handler.router, {no_proxies, random, observer, access_log},
                    limits, connections,    timers,
                    log.log};
  std::thread runner;
};

constexpr std::string_view kRequest = "GET /small HTTP/1.1\r\nHost: x\r\n\r\n";

// The server closed the connection and sent nothing before it did.
bool closed_without_answer(LoopbackConnection& client) {
  return client.receive_until_closed(kGuard).empty() && client.closed_by_peer(milliseconds(0));
}

}  // namespace

TEST_CASE("a request whose header stops arriving is closed at the read timeout without an answer",
          "[server][http][timeouts]") {
  Fixture f;
  LoopbackConnection client = f.connect();
  REQUIRE(client.send("GET /small HTTP/1.1\r\nHost: x\r\n"));
  REQUIRE(f.timers.wait_for_deadline_within(f.limits.read_timeout));
  SECTION("just before the timeout it may still end, and is answered") {
    f.timers.advance(f.limits.read_timeout - kTick);
    REQUIRE(client.send("\r\n"));
    CHECK(client.read_response(kGuard).status == 200);
  }
  SECTION("at the timeout it is closed") {
    f.timers.advance(f.limits.read_timeout);
    CHECK(closed_without_answer(client));
  }
}

TEST_CASE("a request whose body stops arriving is closed at the read timeout without an answer",
          "[server][http][timeouts]") {
  Fixture f;
  LoopbackConnection client = f.connect();
  REQUIRE(client.send("POST /small HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc"));
  REQUIRE(f.timers.wait_for_deadline_within(f.limits.read_timeout));
  f.timers.advance(f.limits.read_timeout);
  CHECK(closed_without_answer(client));
}

TEST_CASE("a connection that never sends a byte is closed at the read timeout",
          "[server][http][timeouts]") {
  Fixture f;
  LoopbackConnection client = f.connect();
  REQUIRE(f.timers.wait_for_deadline_within(f.limits.read_timeout));
  f.timers.advance(f.limits.read_timeout);
  CHECK(closed_without_answer(client));
}

TEST_CASE("a keep-alive connection may idle up to the idle timeout between requests",
          "[server][http][timeouts]") {
  Fixture f;
  REQUIRE(f.limits.idle_timeout > f.limits.read_timeout);
  LoopbackConnection client = f.connect();
  REQUIRE(client.send(kRequest));
  REQUIRE(client.read_response(kGuard).status == 200);
  // The only deadline now is the idle one: the read deadline of the first
  // request ended before its answer was written.
  REQUIRE(f.timers.wait_for_deadline_within(f.limits.idle_timeout));
  SECTION("just before the idle timeout, well past the read timeout, it is served") {
    f.timers.advance(f.limits.idle_timeout - kTick);
    REQUIRE(client.send(kRequest));
    CHECK(client.read_response(kGuard).status == 200);
  }
  SECTION("at the idle timeout it is closed") {
    f.timers.advance(f.limits.idle_timeout);
    CHECK(closed_without_answer(client));
  }
}

TEST_CASE("nothing is timed while the handler works on a request", "[server][http][timeouts]") {
  Fixture f;
  LoopbackConnection client = f.connect();
  REQUIRE(client.send("GET /held HTTP/1.1\r\nHost: x\r\n\r\n"));
  REQUIRE(f.handler.held.arrived(kGuard));
  f.timers.advance(std::chrono::hours(1));
  f.handler.held.give();
  const auto response = client.read_response(kGuard);
  CHECK(response.status == 200);
  CHECK(response.body == "held");
}

// Regression: the session's one timer checked the write deadline only when
// the idle deadline armed by the keep-alive read before it fired.
TEST_CASE("an unread answer on a keep-alive connection is cut off at the write timeout",
          "[server][http][timeouts]") {
  Fixture f;
  REQUIRE(f.limits.idle_timeout > f.limits.write_timeout);
  LoopbackConnection client = f.connect();
  // The first answer is read, so the session's next read arms the idle
  // timeout; the big answer then blocks on the full socket.
  REQUIRE(client.send(kRequest));
  REQUIRE(client.read_response(kGuard).status == 200);
  REQUIRE(client.send("GET /big HTTP/1.1\r\nHost: x\r\n\r\n"));
  REQUIRE(f.timers.wait_for_deadline_within(f.limits.write_timeout));
  f.timers.advance(f.limits.write_timeout);
  // Cut off: what the socket buffers held, then the end of the stream.
  // Not cut off, the server would still be writing and send it all.
  const std::string received = client.receive_until_closed(kGuard);
  CHECK(received.size() < kBigBody);
}
