// The caps on open connections (--max-connections, --max-connections-per-ip):
// a connection over a cap is closed at once without an answer, counted in
// /metrics and logged (not once per refusal), the HTTP and verify ports
// share the caps, and a slot is free again as soon as its connection ends.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <thread>
#include <vector>

#include "server/client/verify_client.h"
#include "server/client/verify_wire.h"
#include "tests/security/security_support.h"

using namespace keyledger::testing;

namespace {

// Holds connections from `ip` until `count` are accepted (a slot may still
// be held for a moment by a connection that just ended, so a refusal is
// retried until a deadline).
std::vector<LoopbackConnection> hold(const std::string& ip, unsigned short port, int count) {
  std::vector<LoopbackConnection> held;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (static_cast<int>(held.size()) < count && std::chrono::steady_clock::now() < deadline) {
    LoopbackConnection connection = held_connection(ip, port);
    if (connection.connected())
      held.push_back(std::move(connection));
    else
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  REQUIRE(static_cast<int>(held.size()) == count);
  return held;
}

// True when a new connection from `ip` is closed without any answer.
bool refused(const std::string& ip, unsigned short port) {
  LoopbackConnection connection(ip, port);
  if (!connection.connected()) return true;
  connection.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  return connection.receive_until_closed(milliseconds(10'000)).empty();
}

// Retries until a request from `ip` is answered (its slot is free again).
bool served_eventually(const std::string& ip, unsigned short port) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    if (held_connection(ip, port).connected()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

std::size_t count_lines_with(const std::string& text, const std::string& needle) {
  std::size_t count = 0;
  for (std::size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1))
    ++count;
  return count;
}

}  // namespace

TEST_CASE("a client at its connection cap is refused while other clients are served",
          "[security][connections]") {
  // The cap applies to 127.0.0.1 too, whose finished connections the server
  // may still be closing: the cap leaves it room.
  constexpr int kCap = 16;
  ServerProcess server({"--max-connections-per-ip", std::to_string(kCap)});
  const std::string attacker = attacker_ip(2);
  auto held = hold(attacker, server.port(), kCap);

  constexpr int kAttempts = 50;
  int refusals = 0;
  for (int i = 0; i < kAttempts; ++i) refusals += refused(attacker, server.port()) ? 1 : 0;
  CHECK(refusals == kAttempts);
  CHECK(metric_value(server.port(), "keyledger_connections_refused_total").value_or(0) >=
        kAttempts);
  // The held ones plus the /metrics request itself.
  CHECK(metric_value(server.port(), "keyledger_connections_open").value_or(0) >= kCap);

  // Another address is not affected.
  CHECK(held_connection(attacker_ip(3), server.port()).connected());
  require_served_normally(server.port());

  // Refusals are logged, but not one line each.
  const std::size_t log_lines = count_lines_with(server.output(), "refused");
  CHECK(log_lines >= 1);
  CHECK(log_lines < kAttempts / 5);

  // One connection ends: the attacker's address gets a slot again.
  held.pop_back();
  CHECK(served_eventually(attacker, server.port()));
  require_served_normally(server.port());
}

TEST_CASE("a trusted proxy is held to the total cap only", "[security][connections]") {
  // 127.0.0.1 is the proxy: it carries many clients' connections.
  constexpr int kCap = 16;
  ServerProcess server({"--trusted-proxy", "127.0.0.1", "--max-connections-per-ip",
                        std::to_string(kCap), "--max-connections", "200"});
  auto proxied = hold(kGoodClientIp, server.port(), 3 * kCap);
  auto direct = hold(attacker_ip(2), server.port(), kCap);
  CHECK(refused(attacker_ip(2), server.port()));
  require_served_normally(server.port());
}

TEST_CASE("the total connection cap refuses everyone until a connection ends",
          "[security][connections]") {
  constexpr int kCap = 24;
  ServerProcess server(
      {"--max-connections", std::to_string(kCap), "--max-connections-per-ip", "100"});
  std::vector<LoopbackConnection> held;
  for (int ip = 2; ip < 6; ++ip) {
    auto some = hold(attacker_ip(ip), server.port(), kCap / 4);
    for (auto& connection : some) held.push_back(std::move(connection));
  }
  REQUIRE(held.size() == kCap);
  CHECK(refused(attacker_ip(9), server.port()));
  CHECK(refused(kGoodClientIp, server.port()));

  // Half of them end: room for others (including connections the server
  // is still closing).
  held.erase(held.begin(), held.begin() + kCap / 2);
  CHECK(served_eventually(kGoodClientIp, server.port()));
  require_served_normally(server.port());
  CHECK(metric_value(server.port(), "keyledger_connections_refused_total").value_or(0) >= 2);
}

TEST_CASE("the verify port counts against the same caps as the HTTP port",
          "[security][connections]") {
  constexpr int kCap = 16;
  ServerProcess server(
      {"--verify-listen", "127.0.0.1:0", "--max-connections-per-ip", std::to_string(kCap)});
  REQUIRE(server.verify_port() != 0);
  const std::string attacker = attacker_ip(2);
  auto held = hold(attacker, server.port(), kCap);

  // A verify-port connection from the same address is closed at once,
  // unanswered.
  const std::string frame = keyledger::client::encode_verify_request(1, "kl_not_a_real_token", "");
  {
    LoopbackConnection verify(attacker, server.verify_port());
    if (verify.connected()) {
      verify.send(frame);
      CHECK(verify.receive_some(milliseconds(10'000)).empty());
    }
  }

  // From another address the verify port answers.
  HttpClient admin(server.port());
  REQUIRE(admin.login("admin", kAdminPassword).status == 200);
  auto key = admin.post_json("/v1/keys", {{"name", "verify-port"}});
  REQUIRE(key.status == 201);
  keyledger::client::VerifyClient client("127.0.0.1", server.verify_port());
  auto answer = client.verify(key.json()["key"].get<std::string>());
  REQUIRE(answer.is_ok());
  CHECK(answer->valid());

  // HTTP connections ending free the address's slots for the verify port.
  held.clear();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  bool accepted = false;
  while (!accepted && std::chrono::steady_clock::now() < deadline) {
    LoopbackConnection again(attacker, server.verify_port());
    accepted = again.send(frame) && !again.receive_some(milliseconds(10'000)).empty();
    if (!accepted) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  CHECK(accepted);
  require_served_normally(server.port());
}

TEST_CASE("connection caps that make no sense stop keyledgerd at start",
          "[security][connections]") {
  for (const auto& args :
       std::vector<std::vector<std::string>>{{"--max-connections", "0"},
                                             {"--max-connections-per-ip", "0"},
                                             {"--max-connections", "-5"},
                                             {"--max-connections-per-ip", "many"},
                                             {"--max-connections", "10000000"}}) {
    INFO(args[0] << " " << args[1]);
    CHECK_THROWS_WITH(ServerProcess(args), Catch::Contains("exited at start"));
  }
  // The environment variable is read like the flag.
  ::setenv("KEYLEDGER_MAX_CONNECTIONS_PER_IP", "0", 1);
  CHECK_THROWS_WITH(ServerProcess(), Catch::Contains("max-connections-per-ip"));
  ::unsetenv("KEYLEDGER_MAX_CONNECTIONS_PER_IP");
}
