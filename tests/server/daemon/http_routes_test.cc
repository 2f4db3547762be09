// Every route keyledgerd serves over HTTP, registered in one place: the
// table /openapi.json is checked against is what the router really holds.
#include "server/daemon/http_routes.h"

#include <catch2/catch.hpp>
#include <set>

#include "server/web/web_pages.h"
#include "tests/server/api/api_fakes.h"

using namespace keyledger;
using namespace keyledger::testing;
using server::http::verb;

namespace {

struct NoMetrics final : server::MetricsRenderer {
  std::string render() const override { return ""; }
};

struct Served {
  ApiWorld world;
  server::AppliedSeq applied{std::chrono::seconds(1)};
  server::VerifyHandler verify{world.verifier, applied};
  std::atomic<bool> ready{true};
  NoMetrics metrics;
  server::SystemPages system{ready, world.health, metrics};
  server::Router router;
  Served() {
    server::add_http_routes(
        router, {{&world.keys, &world.users, &world.session_handlers, &world.audit, &world.cluster},
                 verify,
                 system});
  }
};

}  // namespace

TEST_CASE("the route table is every route registered but the panel's files, in order",
          "[server][daemon][routes]") {
  Served f;
  const auto table = server::api_route_table();
  const auto panel = server::panel_route_table();
  std::vector<std::pair<std::string, std::string>> registered, panel_routes;
  for (const auto& route : f.router.routes()) {
    const std::pair<std::string, std::string> entry{
        std::string(server::http::to_string(route.method)), route.pattern};
    const bool is_panel_file = std::find(panel.begin(), panel.end(), route.pattern) != panel.end();
    (is_panel_file ? panel_routes : registered).push_back(entry);
  }
  CHECK(registered == table);
  CHECK(panel_routes.size() == panel.size());
  std::set<std::pair<std::string, std::string>> unique(table.begin(), table.end());
  CHECK(unique.size() == table.size());
  for (const auto& route : {std::pair<std::string, std::string>{"GET", "/v1/verify"},
                            {"GET", "/healthz"},
                            {"GET", "/readyz"},
                            {"GET", "/metrics"},
                            {"POST", "/v1/keys"},
                            {"GET", "/openapi.json"}})
    CHECK(unique.count(route) == 1);
}

TEST_CASE("GET /v1/verify is routed to the verify handler itself", "[server][daemon][routes]") {
  Served f;
  auto exchange = f.world.request(verb::get, "/v1/verify", {}, {{"MC-Api-Key", "key-ada"}});
  exchange->path = "/v1/verify";
  const server::Handler* handler = nullptr;
  std::string allowed;
  REQUIRE(f.router.match(*exchange, handler, allowed) == server::Router::Match::kFound);
  std::optional<server::HttpResponse> answer;
  (*handler)(exchange,
             [&](server::RouteReply reply) { answer = std::move(reply).into_response(*exchange); });
  REQUIRE(answer.has_value());
  CHECK(answer->body() == R"({"key_id":"kada","privilege":"admin","user":"ada"})");
  CHECK(f.world.verifier.calls == 1);
}
