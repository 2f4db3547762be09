// Where the client address comes from, and what happens to clients that
// are too slow: the proxy header is believed only from a trusted proxy, and
// a connection that never finishes its request is closed without
// disturbing anyone else.
#include <sys/socket.h>
#include <sys/time.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <catch2/catch.hpp>

#include "tests/support/http_client.h"
#include "tests/support/server_process.h"

using namespace keyledger::testing;
using nlohmann::json;

namespace {

std::string last_used_ip(HttpClient& owner, const std::string& id) {
  const json credentials = owner.get("/v1/credentials").json();
  for (const auto& key : credentials["keys"])
    if (key["id"] == id)
      return key["last_used_ip"].is_string() ? key["last_used_ip"].get<std::string>() : "";
  return "";
}

}  // namespace

TEST_CASE("X-Forwarded-For sets the client IP only when the peer is a trusted proxy",
          "[integration]") {
  SECTION("untrusted peer: the header is ignored") {
    ServerProcess server;
    HttpClient admin(server.port());
    REQUIRE(admin.login("admin", kAdminPassword).status == 200);
    auto key = admin.post_json("/v1/keys", {{"name", "proxied"}});
    REQUIRE(key.status == 201);
    HttpClient client(server.port());
    REQUIRE(client
                .get("/v1/verify",
                     {{"MC-Api-Key", key.json()["key"]}, {"X-Forwarded-For", "203.0.113.7"}})
                .status == 200);
    CHECK(last_used_ip(admin, key.json()["id"]) == "127.0.0.1");
  }
  SECTION("trusted peer: the address the proxy appended is the client") {
    ServerProcess server({"--trusted-proxy", "127.0.0.1"});
    HttpClient admin(server.port());
    REQUIRE(admin.login("admin", kAdminPassword).status == 200);
    auto key = admin.post_json("/v1/keys", {{"name", "proxied"}});
    REQUIRE(key.status == 201);
    HttpClient client(server.port());
    REQUIRE(client
                .get("/v1/verify",
                     {{"MC-Api-Key", key.json()["key"]}, {"X-Forwarded-For", "203.0.113.7"}})
                .status == 200);
    CHECK(last_used_ip(admin, key.json()["id"]) == "203.0.113.7");
    // The left-most entries are whatever the client sent: only the right-most
    // one, appended by our proxy, is believed.
    REQUIRE(client
                .get("/v1/verify", {{"MC-Api-Key", key.json()["key"]},
                                    {"X-Forwarded-For", "198.51.100.1, 203.0.113.8"}})
                .status == 200);
    CHECK(last_used_ip(admin, key.json()["id"]) == "203.0.113.8");
    // A forwarded value that is not an address is not believed.
    REQUIRE(client
                .get("/v1/verify",
                     {{"MC-Api-Key", key.json()["key"]}, {"X-Forwarded-For", "not-an-ip"}})
                .status == 200);
    CHECK(last_used_ip(admin, key.json()["id"]) == "127.0.0.1");
  }
}

TEST_CASE("a trusted proxy configured as an IPv4-mapped address is the same IPv4 peer",
          "[integration]") {
  // What broke: the configured text was compared with the peer's text,
  // and keyledgerd shows an IPv4 peer as "127.0.0.1", never "::ffff:127.0.0.1".
  ServerProcess server({"--trusted-proxy", "::ffff:127.0.0.1"});
  HttpClient admin(server.port());
  REQUIRE(admin.login("admin", kAdminPassword).status == 200);
  auto key = admin.post_json("/v1/keys", {{"name", "proxied"}});
  REQUIRE(key.status == 201);
  HttpClient client(server.port());
  REQUIRE(client
              .get("/v1/verify",
                   {{"MC-Api-Key", key.json()["key"]}, {"X-Forwarded-For", "203.0.113.9"}})
              .status == 200);
  CHECK(last_used_ip(admin, key.json()["id"]) == "203.0.113.9");
}

TEST_CASE("a client that stops sending mid-request is cut off and others are served",
          "[integration]") {
  ServerProcess server({"--read-timeout", "1"});
  namespace asio = boost::asio;
  asio::io_context io;
  asio::ip::tcp::socket slow(io);
  slow.connect({asio::ip::make_address("127.0.0.1"), server.port()});
  const std::string partial = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n";  // never finished
  asio::write(slow, asio::buffer(partial));

  // Meanwhile another client is answered normally.
  HttpClient other(server.port());
  CHECK(other.get("/healthz").status == 200);

  // The server closes the slow connection after the read timeout: the read
  // ends with EOF (or a reset) instead of hanging.
  // (A receive timeout keeps a broken server from hanging the test; it
  // would show as a different error.)
  timeval limit{10, 0};
  setsockopt(slow.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
  char byte;
  boost::system::error_code error;
  asio::read(slow, asio::buffer(&byte, 1), error);
  CHECK((error == asio::error::eof || error == asio::error::connection_reset));
  CHECK(other.get("/healthz").status == 200);
}

TEST_CASE("failed sign-ins from one client IP are rate-limited whatever the user",
          "[integration]") {
  ServerProcess server({"--max-failed-sign-ins-per-ip", "3"});
  HttpClient client(server.port());
  for (const char* user : {"nobody1", "nobody2", "admin"})
    CHECK(client.login(user, "wrong-password").status == 401);
  // Spraying one password across many users is what the per-user lock
  // cannot see; the per-IP limit does.
  auto limited = client.login("nobody3", "wrong-password");
  CHECK(limited.status == 429);
  CHECK(limited.error_code() == "rate_limited");
  CHECK_FALSE(limited.headers["retry-after"].empty());
  // Even the right password waits until the window passes.
  CHECK(client.login("admin", kAdminPassword).status == 429);
}
