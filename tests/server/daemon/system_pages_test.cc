// Health, readiness and metrics, against fakes. (The API description and
// its documentation page are server/web's, tested with it.)
#include "server/daemon/system_pages.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/server/api/api_fakes.h"

using namespace keyledger;
using namespace keyledger::testing;
using server::HttpResponse;
using server::ReplicationFigures;
using server::SystemPages;

namespace {

struct FixedMetrics final : server::MetricsRenderer {
  std::string render() const override { return "keyledger_up 1\n"; }
};

struct Pages {
  std::atomic<bool> ready{true};
  FakeLedgerHealth health;
  FixedMetrics metrics;
  SystemPages pages{ready, health, metrics};
  Exchange exchange = [] {
    Exchange made;
    made.request.version(11);
    made.request_id = "req-1";
    return made;
  }();
};

Json body_json(const HttpResponse& response) { return Json::parse(response.body()); }

}  // namespace

TEST_CASE("readiness answers 503 until start-up ends, then the head and the storage state",
          "[server][daemon][system]") {
  Pages f;
  f.ready = false;
  const HttpResponse starting = f.pages.readyz(f.exchange);
  CHECK(starting.result_int() == 503);
  CHECK(body_json(starting) == Json{{"status", "not ready"}});
  f.ready = true;
  f.health.failing = true;
  const HttpResponse failing = f.pages.readyz(f.exchange);
  CHECK(failing.result_int() == 200);
  CHECK(body_json(failing) ==
        Json{{"status", "ready"}, {"role", "leader"}, {"head_seq", 7}, {"storage", "failing"}});
  f.health.failing = false;
  CHECK(body_json(f.pages.readyz(f.exchange))["storage"] == "ok");
}

TEST_CASE("metrics are served as Prometheus text from the renderer", "[server][daemon][system]") {
  Pages f;
  const HttpResponse response = f.pages.metrics(f.exchange);
  CHECK(response.result_int() == 200);
  CHECK(response[server::http::field::content_type] == "text/plain; version=0.0.4; charset=utf-8");
  CHECK(response.body() == "keyledger_up 1\n");
}

TEST_CASE("health answers ok as the JSON every answer of keyledgerd is",
          "[server][daemon][system]") {
  Pages f;
  const HttpResponse health = f.pages.healthz(f.exchange);
  CHECK(health.result_int() == 200);
  CHECK(body_json(health) == Json{{"status", "ok"}});
  CHECK(health[server::http::field::content_type] == "application/json; charset=utf-8");
  CHECK(health["X-Request-Id"] == "req-1");
}

TEST_CASE("the system routes answer GET and HEAD at the paths their table names",
          "[server][daemon][system]") {
  Pages f;
  server::Router router;
  server::add_system_routes(router, f.pages);
  REQUIRE(router.routes().size() == server::system_route_table().size());
  for (std::size_t i = 0; i < router.routes().size(); ++i) {
    CHECK(router.routes()[i].method == server::http::verb::get);
    CHECK(router.routes()[i].pattern == server::system_route_table()[i].second);
  }
  Exchange exchange = f.exchange;
  exchange.path = "/healthz";
  exchange.request.method(server::http::verb::head);
  const server::Handler* handler = nullptr;
  std::string allowed;
  CHECK(router.match(exchange, handler, allowed) == server::Router::Match::kFound);
  exchange.request.method(server::http::verb::get);
  REQUIRE(router.match(exchange, handler, allowed) == server::Router::Match::kFound);
  std::optional<HttpResponse> answer;
  (*handler)(std::make_shared<Exchange>(exchange),
             [&](server::RouteReply reply) { answer = std::move(reply).into_response(exchange); });
  REQUIRE(answer.has_value());
  CHECK(body_json(*answer) == Json{{"status", "ok"}});
}

TEST_CASE(
    "readiness of a publishing leader carries its replication, and stays 200 while writes "
    "are refused",
    "[server][daemon][system]") {
  std::atomic<bool> ready{true};
  FakeLedgerHealth health;
  FixedMetrics metrics;
  replication::PublisherStatus status;
  status.published_seq = 5;
  status.committed_seq = 7;
  status.oldest_unpublished_age = std::chrono::milliseconds(1200);
  status.writes_refused = true;
  SystemPages pages{ready, health, metrics,
                    ReplicationFigures{.publisher = [&] { return status; }}};
  Exchange exchange;
  exchange.request.version(11);
  const HttpResponse refusing = pages.readyz(exchange);
  CHECK(refusing.result_int() == 200);
  CHECK(body_json(refusing)["replication"] == Json{{"role", "leader"},
                                                   {"nats", "unreachable"},
                                                   {"published_seq", 5},
                                                   {"unpublished_events", 2},
                                                   {"oldest_unpublished_ms", 1200},
                                                   {"writes", "refused"},
                                                   {"fork", nullptr}});
  status = {};
  status.published_seq = status.committed_seq = 7;
  status.reachable = true;
  status.forked = true;
  status.fork = "the stream's message 8 differs from the log's event 8";
  const Json forked = body_json(pages.readyz(exchange))["replication"];
  CHECK(forked["nats"] == "reachable");
  CHECK(forked["oldest_unpublished_ms"] == nullptr);
  CHECK(forked["writes"] == "accepted");
  CHECK(forked["fork"] == status.fork);
  // Without a publisher (no --nats) the body is as it always was.
  Pages plain;
  CHECK_FALSE(body_json(plain.pages.readyz(plain.exchange)).contains("replication"));
}
