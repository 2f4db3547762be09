// The HTTP session's one timer: a write that the client does not read is
// cut off at the write timeout even when the keep-alive read before it had
// armed the much longer idle timeout (regression: the write deadline was
// only looked at when the idle one fired).
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <thread>

#include "server/connection_limiter.h"
#include "server/http_server.h"
#include "server/json_log.h"
#include "tests/support/loopback.h"

using namespace keyledger::server;
using keyledger::testing::LoopbackConnection;
using std::chrono::milliseconds;

namespace {

constexpr std::size_t kBigBody = 64u << 20;  // far more than socket buffers hold

// GET /big answers kBigBody bytes, anything else a short 200.
class BigAnswerHandler final : public RequestHandler {
 public:
  void handle(std::shared_ptr<Exchange> exchange, Respond respond) override {
    HttpResponse response{boost::beast::http::status::ok, 11};
    response.keep_alive(exchange->request.keep_alive());
    response.body() = exchange->request.target() == "/big" ? std::string(kBigBody, 'x') : "ok";
    respond(std::move(response));
  }
  HttpResponse reject(std::string_view, unsigned status, const HttpRequest*,
                      std::string_view) override {
    return HttpResponse{static_cast<boost::beast::http::status>(status), 11};
  }
};

}  // namespace

TEST_CASE("an unread answer on a keep-alive connection is cut off at the write timeout",
          "[server][http]") {
  boost::asio::io_context io;
  BigAnswerHandler handler;
  ConnectionLimiter connections(ConnectionLimits{});
  HttpLimits limits;
  limits.write_timeout = std::chrono::seconds(1);
  limits.idle_timeout = std::chrono::seconds(60);
  keyledger::SystemClock clock;
  JsonLog log(clock);
  HttpServer server(io, handler, limits, connections, log);
  std::string error;
  REQUIRE(server.listen({boost::asio::ip::make_address("127.0.0.1"), 0}, error));
  std::thread runner([&] { io.run(); });

  LoopbackConnection client("127.0.0.1", server.local_endpoint().port());
  REQUIRE(client.connected());
  // The first answer is read, so the session's next read arms the idle
  // timeout; the big answer then blocks on the full socket.
  REQUIRE(client.send("GET /small HTTP/1.1\r\nHost: x\r\n\r\n"));
  REQUIRE(client.read_response(milliseconds(5000)).status == 200);
  REQUIRE(client.send("GET /big HTTP/1.1\r\nHost: x\r\n\r\n"));
  std::this_thread::sleep_for(std::chrono::seconds(4));
  // Cut off: what the socket buffers held, then the end of the stream.
  // Not cut off, the server would still be writing and send it all.
  const std::string received = client.receive_until_closed(milliseconds(20'000));
  CHECK(received.size() < kBigBody);

  server.stop_accepting();
  io.stop();
  runner.join();
}
