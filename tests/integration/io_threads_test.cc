// Connections are spread over one io_context per I/O thread: every
// connection must still get its answers in order, whether the answer comes
// at once (verification) or later from the writer thread (a commit), and
// the server must stop cleanly with all threads busy.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "tests/support/http_client.h"
#include "tests/support/server_process.h"

using namespace keyledger::testing;

TEST_CASE("connections on every I/O thread are answered, at once and after a commit",
          "[integration]") {
  ServerProcess server({"--threads", "3"});
  // More connections than threads, so each thread holds several.
  for (int i = 0; i < 7; ++i) {
    HttpClient client(server.port());
    REQUIRE(client.login("admin", kAdminPassword).status == 200);
    auto created = client.post_json("/v1/keys", {{"name", "key " + std::to_string(i)}});
    REQUIRE(created.status == 201);
    auto verified =
        client.get("/v1/verify", {{"MC-Api-Key", created.json()["key"].get<std::string>()}});
    CHECK(verified.status == 200);
    CHECK(verified.json()["user"] == "admin");
  }
  CHECK(server.stop() == 0);
}

TEST_CASE("pipelined requests on one connection are answered in order on its thread",
          "[integration]") {
  ServerProcess server({"--threads", "2"});
  const std::string keep = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
  const std::string last = "GET /nowhere HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  for (int connection = 0; connection < 4; ++connection) {
    const std::string answers = raw_exchange(server.port(), keep + keep + last);
    CHECK(count_of(answers, "HTTP/1.1 200 OK\r\n") == 2);
    CHECK(count_of(answers, "HTTP/1.1 404 Not Found\r\n") == 1);
    CHECK(answers.rfind("HTTP/1.1 200") < answers.find("HTTP/1.1 404"));
  }
  CHECK(server.stop() == 0);
}

TEST_CASE("answers larger than the socket takes at once are written whole, in order",
          "[integration]") {
  ServerProcess server({"--threads", "2"});
  const std::string one = HttpClient(server.port()).get("/openapi.json").body;
  REQUIRE(one.size() > 10'000);
  // 150 pipelined requests for ~70 KB each, sent before anything is read:
  // the server's send buffer fills and most answers are finished later.
  std::string requests;
  for (int i = 0; i < 149; ++i) requests += "GET /openapi.json HTTP/1.1\r\nHost: x\r\n\r\n";
  requests += "GET /openapi.json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  const std::string answers = raw_exchange(server.port(), requests, 20'000);
  CHECK(count_of(answers, "HTTP/1.1 200 OK\r\n") == 150);
  CHECK(count_of(answers, one) == 150);
  CHECK(server.stop() == 0);
}

// Regression: the accept pending at shutdown holds a socket of the context
// the next connection goes to; when that context was destroyed first, the
// sanitizer build reported a use after free on stopping.
TEST_CASE("keyledgerd stops cleanly whichever I/O thread the next connection would go to",
          "[integration]") {
  for (int connections = 0; connections < 3; ++connections) {
    INFO(connections << " connection(s) before stopping");
    ServerProcess server({"--threads", "3"});
    for (int i = 0; i < connections; ++i)
      CHECK(HttpClient(server.port()).get("/healthz").status == 200);
    CHECK(server.stop() == 0);
  }
}
