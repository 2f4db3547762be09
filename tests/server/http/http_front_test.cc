// What every HTTP request gets from the session before and after its
// route's handler, over a real loopback connection: the request id, the
// language and the client behind a trusted proxy; the router and the HTTP
// part's own answers (no such route, wrong method, a target or a request
// that cannot be read); a failure Status made into the error envelope; and
// on the way out the count, the access log, HEAD without a body and the
// requests in flight.
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <tuple>

#include "core/random.h"
#include "server/http/connection_limiter.h"
#include "server/http/http_server.h"
#include "server/http/responses.h"
#include "tests/server/captured_log.h"
#include "tests/server/held_answer.h"
#include "tests/server/manual_timer_service.h"
#include "tests/support/loopback.h"

using namespace keyledger::server;
using keyledger::Reason;
using keyledger::Status;
using keyledger::StatusCode;
using keyledger::testing::CapturedLog;
using keyledger::testing::http_request_text;
using keyledger::testing::LoopbackConnection;
using keyledger::testing::ManualTimerService;
using keyledger::testing::RawHttpResponse;
using std::chrono::milliseconds;
using Json = nlohmann::json;

namespace {

// How long a client waits for what the server does at once; reached only
// when the server is broken.
constexpr milliseconds kGuard{20'000};

using Seen = std::tuple<std::string, std::string, unsigned>;  // route, method, status

class CountingObserver final : public RequestObserver {
 public:
  void observe_request(std::string_view route, std::string_view method, unsigned status,
                       std::chrono::nanoseconds) override {
    std::lock_guard lock(mutex_);
    seen_.emplace_back(route, method, status);
  }
  std::vector<Seen> seen() const {
    std::lock_guard lock(mutex_);
    return seen_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<Seen> seen_;
};

// GET /echo answers what the session prepared; GET /refused replies with
// a failure Status and a Retry-After; GET /held is answered from the
// test's thread when it gives the held answer.
class FrontRoutes {
 public:
  FrontRoutes() {
    router.add(http::verb::get, "/echo", [](std::shared_ptr<Exchange> exchange, Respond respond) {
      respond(json_response(*exchange, 200,
                            {{"client_ip", exchange->client_ip},
                             {"secure", exchange->secure},
                             {"request_id", exchange->request_id},
                             {"language", language_tag(exchange->language)}}));
    });
    router.add(http::verb::get, "/refused", [](std::shared_ptr<Exchange>, Respond respond) {
      respond(RouteReply(Status(StatusCode::kResourceExhausted, Reason::kRateLimited, "slow down"))
                  .with_header(http::field::retry_after, "7"));
    });
    // Routes that answer at once: the session writes what they return.
    router.add(http::verb::get, "/now", [](Exchange& exchange) -> RouteReply {
      exchange.user = "someone";
      return empty_response(exchange, 204);
    });
    router.add(http::verb::get, "/now-refused", [](Exchange&) -> RouteReply {
      return RouteReply(Status(StatusCode::kResourceExhausted, Reason::kRateLimited, "slow down"))
          .with_header(http::field::retry_after, "3");
    });
    router.add(http::verb::get, "/held",
               [this](std::shared_ptr<Exchange> exchange, Respond respond) {
                 held.hold([exchange, respond] { respond(empty_response(*exchange, 204)); });
               });
  }

  Router router;
  keyledger::testing::HeldAnswer held;
};

// An HttpServer on loopback, served by one thread of its own, which trusts
// 127.0.0.2 as a proxy.
struct Fixture {
  Fixture() {
    const Status listening = server.listen({boost::asio::ip::make_address("127.0.0.1"), 0});
    if (!listening.is_ok()) throw std::runtime_error(listening.to_string());
    runner = std::thread([this] { io.run(); });
  }
  ~Fixture() {
    io.stop();
    runner.join();
  }

  // One request from `source_ip` on a connection of its own.
  RawHttpResponse ask(const std::string& request, const std::string& source_ip = "127.0.0.1") {
    LoopbackConnection client(source_ip, server.local_endpoint().port());
    REQUIRE(client.send(request));
    return client.read_response(kGuard);
  }
  RawHttpResponse get(const std::string& target,
                      const std::map<std::string, std::string>& headers = {},
                      const std::string& source_ip = "127.0.0.1") {
    return ask(http_request_text("GET", target, headers), source_ip);
  }

  ConnectionLimiter connections{ConnectionLimits{}};
  CapturedLog log;
  TrustedPeers proxies{{"127.0.0.2"}};
  keyledger::SeededRandom random{7};
  CountingObserver observer;
  AccessLog access_log{log.log, true};
  boost::asio::io_context io;
  ManualTimerService timers{{&io}};
  FrontRoutes routes;
  HttpServer server{io,           routes.router, {proxies, random, observer, access_log},
                    HttpLimits{}, connections,   timers,
                    log.log};
  std::thread runner;
};

std::string code_of(const RawHttpResponse& response) {
  return Json::parse(response.body)["errors"][0]["code"];
}

}  // namespace

TEST_CASE("a route that replies with a Status gets the error envelope and the headers it adds",
          "[server][http][front]") {
  Fixture f;
  const RawHttpResponse refused = f.get("/refused", {{"Accept-Language", "es"}});
  CHECK(refused.status == 429);
  CHECK(code_of(refused) == "rate_limited");
  CHECK(refused.headers.at("retry-after") == "7");
  CHECK(refused.headers.at("content-language") == "es");
  CHECK(refused.headers.at("content-type") == "application/json; charset=utf-8");
  CHECK(refused.headers.at("x-request-id").size() == 16);
  CHECK(f.observer.seen() == std::vector<Seen>{{"/refused", "GET", 429}});
}

TEST_CASE("a route that answers at once has its returned reply written, counted and logged",
          "[server][http][front]") {
  Fixture f;
  const RawHttpResponse answered = f.get("/now");
  CHECK(answered.status == 204);
  const RawHttpResponse refused = f.get("/now-refused", {{"Accept-Language", "es"}});
  CHECK(refused.status == 429);
  CHECK(code_of(refused) == "rate_limited");
  CHECK(refused.headers.at("retry-after") == "3");
  CHECK(refused.headers.at("content-language") == "es");
  CHECK(f.observer.seen() == std::vector<Seen>{{"/now", "GET", 204}, {"/now-refused", "GET", 429}});
  const auto lines = f.log.lines();
  REQUIRE(lines.size() == 2);
  CHECK(lines[0]["user"] == "someone");  // what the route learnt reaches the access log
  CHECK(f.server.in_flight() == 0);
}

TEST_CASE("a path no route takes answers 404 not_found, counted and logged as unmatched",
          "[server][http][front]") {
  Fixture f;
  const RawHttpResponse missing = f.get("/nothing");
  CHECK(missing.status == 404);
  CHECK(code_of(missing) == "not_found");
  CHECK(f.observer.seen() == std::vector<Seen>{{"unmatched", "GET", 404}});
  const auto lines = f.log.lines();
  REQUIRE(lines.size() == 1);
  CHECK(lines[0]["msg"] == "request");
  CHECK(lines[0]["route"] == "unmatched");
  CHECK(lines[0]["status"] == 404);
  CHECK(lines[0]["client_ip"] == "127.0.0.1");
  CHECK(lines[0]["request_id"] == missing.headers.at("x-request-id"));
}

TEST_CASE("a method the path does not take answers 405 naming the ones it does in Allow",
          "[server][http][front]") {
  Fixture f;
  const RawHttpResponse wrong = f.ask(http_request_text("POST", "/echo", {}, "{}"));
  CHECK(wrong.status == 405);
  CHECK(code_of(wrong) == "method_not_allowed");
  CHECK(wrong.headers.at("allow") == "GET");
  // A method outside HTTP's set is one label, so no client grows the metrics.
  const RawHttpResponse brewed =
      f.ask("BREW /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  CHECK(brewed.status == 405);
  CHECK(f.observer.seen() ==
        std::vector<Seen>{{"unmatched", "POST", 405}, {"unmatched", "OTHER", 405}});
}

TEST_CASE("a target that cannot be read answers 400 bad_request, a bad query invalid_parameter",
          "[server][http][front]") {
  Fixture f;
  const RawHttpResponse bad_path = f.get("echo");
  CHECK(bad_path.status == 400);
  CHECK(code_of(bad_path) == "bad_request");
  const RawHttpResponse bad_query = f.get("/echo?a=%zz");
  CHECK(bad_query.status == 400);
  CHECK(code_of(bad_query) == "invalid_parameter");
  // The path of a bad query is still known, and logged.
  CHECK(f.log.lines().at(1)["route"] == "unmatched");
}

TEST_CASE("an answer to HEAD announces the GET answer's length and sends no body",
          "[server][http][front]") {
  Fixture f;
  const RawHttpResponse got = f.get("/echo");
  REQUIRE(got.status == 200);
  LoopbackConnection client("127.0.0.1", f.server.local_endpoint().port());
  REQUIRE(client.send("HEAD /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  const std::string raw = client.receive_until_closed(kGuard);
  INFO(raw);
  REQUIRE(raw.find("\r\n\r\n") != std::string::npos);
  CHECK(raw.substr(raw.find("\r\n\r\n") + 4).empty());
  CHECK(raw.find("Content-Length: " + std::to_string(got.body.size()) + "\r\n") !=
        std::string::npos);
  CHECK(f.observer.seen().back() == Seen{"/echo", "HEAD", 200});
}

TEST_CASE(
    "behind a trusted proxy the client is the one X-Forwarded-For names, and TLS is "
    "what X-Forwarded-Proto says",
    "[server][http][front]") {
  Fixture f;
  const std::map<std::string, std::string> forwarded = {
      {"X-Forwarded-For", "198.51.100.4, 203.0.113.9"}, {"X-Forwarded-Proto", "https"}};
  const Json proxied = Json::parse(f.get("/echo", forwarded, "127.0.0.2").body);
  CHECK(proxied["client_ip"] == "203.0.113.9");
  CHECK(proxied["secure"] == true);
  // Anyone else's word about the client is not believed.
  const Json direct = Json::parse(f.get("/echo", forwarded, "127.0.0.3").body);
  CHECK(direct["client_ip"] == "127.0.0.3");
  CHECK(direct["secure"] == false);
}

TEST_CASE("every request gets an id of its own and the language it asks for",
          "[server][http][front]") {
  Fixture f;
  const RawHttpResponse first = f.get("/echo", {{"Accept-Language", "es-ES, en;q=0.5"}});
  const RawHttpResponse second = f.get("/echo");
  const Json first_body = Json::parse(first.body), second_body = Json::parse(second.body);
  CHECK(first_body["language"] == "es");
  CHECK(second_body["language"] == "en");
  CHECK(first_body["request_id"] == first.headers.at("x-request-id"));
  CHECK(first_body["request_id"] != second_body["request_id"]);
}

TEST_CASE("a request that cannot be read is answered, counted as rejected, and closed",
          "[server][http][front]") {
  Fixture f;
  LoopbackConnection client("127.0.0.1", f.server.local_endpoint().port());
  REQUIRE(client.send("GET /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"));
  const RawHttpResponse rejected = client.read_response(kGuard);
  CHECK(rejected.status == 501);
  CHECK(code_of(rejected) == "unsupported_transfer_coding");
  CHECK(rejected.headers.at("connection") == "close");
  CHECK(client.closed_by_peer(kGuard));
  CHECK(f.observer.seen() == std::vector<Seen>{{"rejected", "GET", 501}});
  CHECK(f.log.lines().at(0)["route"] == "rejected");
  CHECK(f.server.in_flight() == 0);
}

TEST_CASE(
    "a request waiting for its answer is in flight, and an answer from another thread is "
    "written on the connection's",
    "[server][http][front]") {
  Fixture f;
  LoopbackConnection client("127.0.0.1", f.server.local_endpoint().port());
  REQUIRE(client.send("GET /held HTTP/1.1\r\nHost: x\r\n\r\n"));
  REQUIRE(f.routes.held.arrived(kGuard));
  CHECK(f.server.in_flight() == 1);
  f.routes.held.give();  // from this thread, not the server's
  CHECK(client.read_response(kGuard).status == 204);
  CHECK(f.server.in_flight() == 0);
  // The connection stays open for the next request.
  REQUIRE(client.send("GET /echo HTTP/1.1\r\nHost: x\r\n\r\n"));
  CHECK(client.read_response(kGuard).status == 200);
}
