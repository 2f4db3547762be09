// The Api in front of the handlers: routing answers from the error table,
// every request counted, HEAD without a body, /v1/verify reaching the
// verify part.
#include "server/api/api.h"

#include <catch2/catch.hpp>
#include <set>
#include <tuple>

#include "tests/server/api/api_fakes.h"

using namespace keyledger;
using namespace keyledger::testing;
using server::http::verb;

namespace {

struct CountingObserver final : server::RequestObserver {
  std::vector<std::tuple<std::string, std::string, unsigned>> seen;
  void observe_request(std::string_view route, std::string_view method, unsigned status,
                       std::chrono::nanoseconds) override {
    seen.emplace_back(route, method, status);
  }
};

struct ApiWithFakes {
  ApiWorld world;
  server::VerifyHandler verify{world.verifier};
  CountingObserver observer;
  server::AccessLog access_log{world.log.log, false};
  server::Api api{
      {&world.keys, &world.users, &world.session_handlers, &world.audit, &world.system, &verify},
      {},
      observer,
      access_log,
      world.random};

  server::HttpResponse handle(ExchangePtr exchange) {
    std::optional<server::HttpResponse> answer;
    api.handle(std::move(exchange), [&](server::HttpResponse response) { answer = response; });
    REQUIRE(answer.has_value());
    return *answer;
  }
};

std::string code(const server::HttpResponse& response) {
  return Json::parse(response.body())["errors"][0]["code"];
}

}  // namespace

TEST_CASE("the Api answers what no route takes from the error table", "[server][api]") {
  ApiWithFakes fixture;
  auto& world = fixture.world;
  const auto missing = fixture.handle(world.request(verb::get, "/v1/nothing"));
  CHECK(missing.result_int() == 404);
  CHECK(code(missing) == "not_found");
  const auto wrong = fixture.handle(world.request(verb::put, "/v1/keys"));
  CHECK(wrong.result_int() == 405);
  CHECK(code(wrong) == "method_not_allowed");
  CHECK(wrong[server::http::field::allow] == "POST");
  const auto query = fixture.handle(world.request(verb::get, "/v1/audit?limit=%zz"));
  CHECK(query.result_int() == 400);
  CHECK(code(query) == "invalid_parameter");
  REQUIRE(fixture.observer.seen.size() == 3);
  CHECK(fixture.observer.seen[1] ==
        std::tuple<std::string, std::string, unsigned>{"unmatched", "PUT", 405});
}

TEST_CASE("the Api routes to each resource's handler and counts the answer", "[server][api]") {
  ApiWithFakes fixture;
  auto& world = fixture.world;
  auto exchange = world.request(verb::get, "/v1/credentials", {}, {{"MC-Api-Key", "key-alice"}});
  CHECK(fixture.handle(exchange).result_int() == 200);
  CHECK(exchange->user == "alice");
  CHECK(fixture.observer.seen.back() ==
        std::tuple<std::string, std::string, unsigned>{"/v1/credentials", "GET", 200});
  const auto verified =
      fixture.handle(world.request(verb::get, "/v1/verify", {}, {{"MC-Api-Key", "key-ada"}}));
  CHECK(verified.body() == R"({"key_id":"kada","privilege":"admin","user":"ada"})");
  const auto head = fixture.handle(world.request(verb::head, "/healthz"));
  CHECK(head.result_int() == 200);
  CHECK(head.body().empty());
  CHECK(fixture.api.in_flight() == 0);
}

TEST_CASE("the route table lists every route once, /v1/verify among them", "[server][api]") {
  const auto table = server::api_route_table();
  std::set<std::pair<std::string, std::string>> unique(table.begin(), table.end());
  CHECK(unique.size() == table.size());
  CHECK(unique.count({"GET", "/v1/verify"}) == 1);
  CHECK(unique.count({"PATCH", "/v1/users/{id}"}) == 1);
}
