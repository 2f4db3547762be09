// The /v1 management routes: one table registers each on the router, calls
// its resource's handler, and makes its Answer the HTTP answer.
#include "server/api/api.h"

#include <catch2/catch.hpp>
#include <set>

#include "server/api/authenticator.h"
#include "tests/server/api/api_fakes.h"

using namespace keyledger;
using namespace keyledger::testing;
using server::http::verb;

namespace {

struct RoutedWorld {
  ApiWorld world;
  server::Router router;
  RoutedWorld() {
    server::add_api_routes(
        router, {&world.keys, &world.users, &world.session_handlers, &world.audit, &world.cluster});
  }

  // Routes `exchange` (its path is its target) and returns the answer.
  server::HttpResponse call(const ExchangePtr& exchange) {
    exchange->path = std::string(exchange->request.target());
    const server::Handler* handler = nullptr;
    std::string allowed;
    REQUIRE(router.match(*exchange, handler, allowed) == server::Router::Match::kFound);
    std::optional<server::HttpResponse> answer;
    (*handler)(exchange, [&](server::RouteReply reply) {
      answer = std::move(reply).into_response(*exchange);
    });
    REQUIRE(answer.has_value());
    return *answer;
  }
};

}  // namespace

TEST_CASE("a management route calls its resource's handler and answers its Answer",
          "[server][api]") {
  RoutedWorld f;
  auto exchange = f.world.request(verb::get, "/v1/credentials", {}, {{"MC-Api-Key", "key-alice"}});
  CHECK(f.call(exchange).result_int() == 200);
  CHECK(exchange->user == "alice");
  CHECK(exchange->route == "/v1/credentials");
  const auto refused = f.call(f.world.request(verb::get, "/v1/credentials"));
  CHECK(refused.result_int() == 401);
  CHECK(Json::parse(refused.body())["errors"][0]["code"] == "invalid_credentials");
}

TEST_CASE("the management route table is what add_api_routes registers, each route once",
          "[server][api]") {
  RoutedWorld f;
  const auto table = server::management_route_table();
  REQUIRE(f.router.routes().size() == table.size());
  for (std::size_t i = 0; i < table.size(); ++i) {
    CHECK(std::string(server::http::to_string(f.router.routes()[i].method)) == table[i].first);
    CHECK(f.router.routes()[i].pattern == table[i].second);
  }
  std::set<std::pair<std::string, std::string>> unique(table.begin(), table.end());
  CHECK(unique.size() == table.size());
  CHECK(unique.count({"PATCH", "/v1/users/{id}"}) == 1);
  // Verification and the operational pages are other parts' routes.
  CHECK(unique.count({"GET", "/v1/verify"}) == 0);
  CHECK(unique.count({"GET", "/healthz"}) == 0);
}

TEST_CASE("only the routes that replace a one-time password are open before it is replaced",
          "[server][api]") {
  RoutedWorld f;
  std::set<std::string> open;
  for (const auto& route : f.router.routes())
    if (route.tags & server::kOpenBeforePasswordChange) open.insert(route.pattern);
  CHECK(open == std::set<std::string>{"/v1/logout", "/v1/session", "/v1/password"});
}
