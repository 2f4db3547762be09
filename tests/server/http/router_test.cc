// Routing: literal and {parameter} segments, methods, and what a path that
// almost matches gets. Paths are given as sent (still percent-encoded).
#include "server/http/router.h"

#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <utility>
#include <vector>

using namespace keyledger::server;

namespace {

struct Routed {
  Router::Match match;
  std::string route;
  std::vector<std::string> params;
  std::string allowed;
  std::string handled_by;
};

// A router whose handlers answer with their own method and pattern.
class RouterFixture {
 public:
  using Routes = std::vector<std::pair<http::verb, std::string>>;
  explicit RouterFixture(const Routes& routes) {
    for (const auto& [method, pattern] : routes) add(method, pattern);
  }

  Routed route(http::verb method, const std::string& path) {
    Exchange exchange;
    exchange.request.method(method);
    exchange.path = path;
    const Handler* handler = nullptr;
    Routed out;
    out.match = router_.match(exchange, handler, out.allowed);
    out.route = exchange.route;
    out.params = exchange.path_params;
    if (handler)
      (*handler)(nullptr, [&](RouteReply reply) {
        out.handled_by = std::move(reply).into_response(exchange).body();
      });
    return out;
  }

 private:
  void add(http::verb method, const std::string& pattern) {
    const std::string name = std::string(http::to_string(method)) + " " + pattern;
    router_.add(method, pattern, [name](std::shared_ptr<Exchange>, Respond respond) {
      HttpResponse response;
      response.body() = name;
      respond(std::move(response));
    });
  }

  Router router_;
};

const RouterFixture::Routes kKeyRoutes = {
    {http::verb::get, "/v1/keys"},
    {http::verb::post, "/v1/keys"},
    {http::verb::patch, "/v1/keys/{id}"},
    {http::verb::delete_, "/v1/keys/{id}"},
    {http::verb::get, "/v1/keys/{id}/history"},
    {http::verb::get, "/v1/users/{user}/keys/{id}"},
};

// Literal and parameterised routes interleaved on overlapping paths.
const RouterFixture::Routes kOverlappingRoutes = {
    {http::verb::get, "/v1/items/{id}"}, {http::verb::get, "/v1/items/new"},
    {http::verb::post, "/v1/items/new"}, {http::verb::delete_, "/v1/items/{id}"},
    {http::verb::put, "/v1/items/new"},
};

}  // namespace

TEST_CASE("literal routes match their path and method exactly", "[server][router]") {
  RouterFixture f(kKeyRoutes);
  auto listed = f.route(http::verb::get, "/v1/keys");
  CHECK(listed.match == Router::Match::kFound);
  CHECK(listed.handled_by == "GET /v1/keys");
  CHECK(listed.params.empty());
  CHECK(f.route(http::verb::post, "/v1/keys").handled_by == "POST /v1/keys");
  // HEAD is answered by the GET route.
  CHECK(f.route(http::verb::head, "/v1/keys").handled_by == "GET /v1/keys");
}

TEST_CASE("parameters match one non-empty segment and come out in order", "[server][router]") {
  RouterFixture f(kKeyRoutes);
  auto renamed = f.route(http::verb::patch, "/v1/keys/AAAAAAAAAAA1");
  CHECK(renamed.match == Router::Match::kFound);
  CHECK(renamed.route == "/v1/keys/{id}");
  CHECK(renamed.params == std::vector<std::string>{"AAAAAAAAAAA1"});
  auto nested = f.route(http::verb::get, "/v1/users/alice/keys/K2");
  CHECK(nested.params == std::vector<std::string>{"alice", "K2"});
  CHECK(f.route(http::verb::get, "/v1/keys/K3/history").params == std::vector<std::string>{"K3"});
}

TEST_CASE("near misses are not found, and a known path with another method says which",
          "[server][router]") {
  RouterFixture f(kKeyRoutes);
  for (const char* path : {"/v1/keys/", "/v1/keys//history", "/v1/key", "/v1/keys/a/b",
                           "/v1/keys/K3/history/", "/v1", "/", "", "/v1/users//keys/K2"}) {
    INFO(path);
    auto routed = f.route(http::verb::patch, path);
    CHECK(routed.match == Router::Match::kNotFound);
    CHECK(routed.route == "unmatched");
    CHECK(routed.handled_by.empty());
  }
  auto wrong = f.route(http::verb::put, "/v1/keys/K1");
  CHECK(wrong.match == Router::Match::kWrongMethod);
  CHECK(wrong.allowed == "PATCH, DELETE");
  CHECK(f.route(http::verb::delete_, "/v1/keys").allowed == "GET, POST");
}

TEST_CASE("literal and parameter routes that fit the same path are tried in the order added",
          "[server][router]") {
  RouterFixture f(kOverlappingRoutes);
  // The parameter route was added first, so it wins over the literal one.
  auto got = f.route(http::verb::get, "/v1/items/new");
  CHECK(got.handled_by == "GET /v1/items/{id}");
  CHECK(got.params == std::vector<std::string>{"new"});
  // A literal route found after a parameter route of another method brings
  // no stale parameters along.
  auto posted = f.route(http::verb::post, "/v1/items/new");
  CHECK(posted.handled_by == "POST /v1/items/new");
  CHECK(posted.route == "/v1/items/new");
  CHECK(posted.params.empty());
  CHECK(f.route(http::verb::put, "/v1/items/new").handled_by == "PUT /v1/items/new");
  // The methods a path takes are listed in the order their routes were added.
  auto wrong = f.route(http::verb::patch, "/v1/items/new");
  CHECK(wrong.match == Router::Match::kWrongMethod);
  CHECK(wrong.allowed == "GET, GET, POST, DELETE, PUT");
  CHECK(f.route(http::verb::patch, "/v1/items/other").allowed == "GET, DELETE");
}

TEST_CASE("a literal segment matches only the characters sent, never an escape of them",
          "[server][router]") {
  RouterFixture f(kKeyRoutes);
  for (const char* path : {"/v1/%6Beys", "/v1/%6beys", "/v1%2Fkeys", "/v1%2fkeys", "/%76%31/keys",
                           "/v1/keys%2F", "/v1/keys/K3/%68istory", "/v1/users/alice/%6Beys/K2"}) {
    INFO(path);
    auto routed = f.route(http::verb::get, path);
    CHECK(routed.match == Router::Match::kNotFound);
    CHECK(routed.route == "unmatched");
    CHECK(routed.handled_by.empty());
  }
}

TEST_CASE("parameters are handed over as sent, and one with an escape is no parameter",
          "[server][router]") {
  RouterFixture f(kKeyRoutes);
  auto renamed = f.route(http::verb::patch, "/v1/keys/ABC");
  CHECK(renamed.match == Router::Match::kFound);
  CHECK(renamed.route == "/v1/keys/{id}");
  CHECK(renamed.params == std::vector<std::string>{"ABC"});
  CHECK(f.route(http::verb::get, "/v1/users/alice/keys/K2").params ==
        std::vector<std::string>{"alice", "K2"});
  CHECK(f.route(http::verb::patch, "/v1/keys/a+b").params == std::vector<std::string>{"a+b"});
  // An id spelled with escapes of the characters ids are made of is not the
  // id: a proxy rule on the plain path must not be passed this way.
  for (const char* path : {"/v1/keys/%41B%43", "/v1/users/al%69ce/keys/K2", "/v1/keys/a%2541"}) {
    INFO(path);
    CHECK(f.route(http::verb::patch, path).match == Router::Match::kNotFound);
    CHECK(f.route(http::verb::get, path).match == Router::Match::kNotFound);
  }
}

TEST_CASE("a parameter holding an encoded slash is no parameter", "[server][router]") {
  RouterFixture f(kKeyRoutes);
  for (const char* path : {"/v1/keys/a%2Fb", "/v1/keys/a%2fb", "/v1/keys/%2F"}) {
    INFO(path);
    CHECK(f.route(http::verb::patch, path).match == Router::Match::kNotFound);
  }
  // Not the history route for key K3, nor a wrong method on key "K3/history".
  auto history = f.route(http::verb::get, "/v1/keys/K3%2Fhistory");
  CHECK(history.match == Router::Match::kNotFound);
  CHECK(history.allowed.empty());
  CHECK(f.route(http::verb::get, "/v1/users/a%2Fb/keys/K2").match == Router::Match::kNotFound);
}

TEST_CASE("a route's tags reach the exchange it matches, and no other", "[server][router]") {
  Router router;
  router.add(
      http::verb::get, "/tagged", [](auto, auto) {}, 5);
  router.add(http::verb::get, "/plain", [](auto, auto) {});
  for (const auto& [path, tags] :
       std::vector<std::pair<std::string, std::uint32_t>>{{"/tagged", 5}, {"/plain", 0}}) {
    Exchange exchange;
    exchange.request.method(http::verb::get);
    exchange.path = path;
    const Handler* handler = nullptr;
    std::string allowed;
    REQUIRE(router.match(exchange, handler, allowed) == Router::Match::kFound);
    CHECK(exchange.route_tags == tags);
  }
}

TEST_CASE("a handler says whether it answers at once, and answers through Respond either way",
          "[server][router]") {
  const Handler now([](Exchange& exchange) -> RouteReply {
    exchange.user = "now";
    return keyledger::Status(keyledger::StatusCode::kNotFound, keyledger::Reason::kKeyNotFound,
                             "gone");
  });
  const Handler later([](std::shared_ptr<Exchange> exchange, Respond respond) {
    exchange->user = "later";
    respond(keyledger::Status(keyledger::StatusCode::kNotFound, keyledger::Reason::kKeyNotFound,
                              "gone"));
  });
  CHECK(now.answers_now());
  CHECK_FALSE(later.answers_now());
  const Handler copied = now;  // a copy keeps its kind
  CHECK(copied.answers_now());
  for (const Handler* handler : {&now, &later}) {
    auto exchange = std::make_shared<Exchange>();
    int replies = 0;
    (*handler)(exchange, [&](RouteReply reply) {
      ++replies;
      CHECK(std::move(reply).into_response(*exchange).result_int() == 404);
    });
    CHECK(replies == 1);
    CHECK(exchange->user == (handler == &now ? "now" : "later"));
  }
}
