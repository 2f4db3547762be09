// Health, readiness and metrics, against fakes. (The API description and
// its documentation page are server/web's, tested with it.)
#include "server/api/system_handlers.h"

#include <catch2/catch.hpp>

#include "tests/server/api/api_fakes.h"

using namespace keyledger;
using namespace keyledger::testing;
using server::SystemHandlers;
using server::http::verb;

TEST_CASE("readiness answers 503 until start-up ends, then the head and the storage state",
          "[server][api][system]") {
  ApiWorld world;
  world.ready = false;
  const auto exchange = world.request(verb::get, "/readyz");
  const Answer starting = world.run(world.system, &SystemHandlers::readyz, exchange);
  CHECK(status_of(starting) == 503);
  CHECK(body_of(starting) == Json{{"status", "not ready"}});
  world.ready = true;
  world.health.failing = true;
  const Answer failing = world.run(world.system, &SystemHandlers::readyz, exchange);
  CHECK(status_of(failing) == 200);
  CHECK(body_of(failing) == Json{{"status", "ready"}, {"head_seq", 7}, {"storage", "failing"}});
  CHECK(status_of(world.run(world.system, &SystemHandlers::healthz, exchange)) == 200);
}

TEST_CASE("metrics are served as Prometheus text from the renderer", "[server][api][system]") {
  ApiWorld world;
  const server::HttpResponse response = http_of(
      world.run(world.system, &SystemHandlers::metrics, world.request(verb::get, "/metrics")));
  CHECK(response.result_int() == 200);
  CHECK(response[server::http::field::content_type] == "text/plain; version=0.0.4; charset=utf-8");
  CHECK(response.body() == "keyledger_up 1\n");
}

TEST_CASE("health answers ok", "[server][api][system]") {
  ApiWorld world;
  const Answer health =
      world.run(world.system, &SystemHandlers::healthz, world.request(verb::get, "/healthz"));
  CHECK(status_of(health) == 200);
  CHECK(body_of(health) == Json{{"status", "ok"}});
}
