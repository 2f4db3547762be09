// Slowloris and connection floods: hundreds of connections that trickle
// their headers (or body, or nothing at all) are cut off by the read
// timeout however they trickle, while 127.0.0.1 is served normally
// throughout; thousands of connections opened and closed, reset or left
// half-open leave no connection slot behind.
#include <catch2/catch.hpp>
#include <thread>
#include <vector>

#include "tests/security/security_support.h"

using namespace keyledger::testing;

namespace {

// Waits until /metrics shows at most `at_most` open connections (the
// /metrics request itself is one). False at the deadline.
bool open_connections_fall_to(unsigned short port, double at_most) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    if (metric_value(port, "keyledger_connections_open").value_or(1e9) <= at_most) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

}  // namespace

TEST_CASE("hundreds of slowloris connections are cut off while other clients are served",
          "[security][abuse][slowloris]") {
  ServerProcess server({"--read-timeout", "1"});
  struct Slow {
    LoopbackConnection connection;
    std::string rest;  // what it still has to trickle, one byte per round
    bool trickles = false;
    bool cut_off = false;
  };
  std::vector<Slow> slow;
  const std::string endless_headers = [] {
    std::string headers;
    for (int i = 0; i < 500; ++i) headers += "X-Slow-" + std::to_string(i) + ": a\r\n";
    return headers;
  }();
  const int scale = abuse_scale();
  const int kHeaderTricklers = 240 * scale, kBodyTricklers = 40 * scale, kSilent = 40 * scale;
  // 80 connections per address, well under the per-address cap.
  const int addresses = 4 * scale;
  for (int i = 0; i < kHeaderTricklers + kBodyTricklers + kSilent; ++i) {
    Slow one{LoopbackConnection(attacker_ip(2 + i % addresses), server.port()), {}};
    REQUIRE(one.connection.connected());
    if (i < kHeaderTricklers) {
      one.connection.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n");
      one.rest = endless_headers;
    } else if (i < kHeaderTricklers + kBodyTricklers) {
      const std::string body = R"({"user":"admin","password":")" + std::string(900, 'x') + "\"}";
      one.connection.send(
          "POST /v1/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
          "Content-Length: " +
          std::to_string(body.size()) + "\r\n\r\n");
      one.rest = body;
    }
    one.trickles = !one.rest.empty();
    slow.push_back(std::move(one));
  }

  // Trickle one byte per connection per round until each is cut off; the
  // well-behaved client is served meanwhile.
  bool served_during_attack = false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  std::size_t cut_off = 0;
  while (cut_off < slow.size() && std::chrono::steady_clock::now() < deadline) {
    for (auto& one : slow) {
      if (one.cut_off) continue;
      if (one.connection.closed_by_peer(milliseconds(0))) {
        one.cut_off = true;
        ++cut_off;
        continue;
      }
      if (!one.rest.empty()) {
        one.connection.send(std::string_view(one.rest).substr(0, 1));
        one.rest.erase(0, 1);
      }
    }
    if (!served_during_attack) {
      require_served_normally(server.port());
      served_during_attack = true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  CHECK(served_during_attack);
  CHECK(cut_off == slow.size());
  // None got as far as finishing its request.
  for (const auto& one : slow)
    if (one.trickles) CHECK_FALSE(one.rest.empty());
  CHECK(open_connections_fall_to(server.port(), 1));
  require_served_normally(server.port());
  WARN("slowloris: " << kHeaderTricklers << " header tricklers, " << kBodyTricklers
                     << " body tricklers, " << kSilent << " silent connections from " << addresses
                     << " addresses; " << cut_off << " cut off by the 1 s read timeout");
}

TEST_CASE("a flood of opened, reset and half-open connections leaves no slot behind",
          "[security][abuse][flood]") {
  ServerProcess server({"--read-timeout", "2"});
  const int scale = abuse_scale();
  const int kOpenClose = 3000 * scale, kResets = 500 * scale, kHalfOpen = 300 * scale;
  int connected = 0;
  // Spread so that even if the server lags far behind, no address reaches
  // its cap (the flood must be served, not refused).
  for (int i = 0; i < kOpenClose; ++i) {
    LoopbackConnection connection(attacker_ip(2 + i % (8 * scale)), server.port());
    connected += connection.connected() ? 1 : 0;
  }
  CHECK(connected == kOpenClose);
  for (int i = 0; i < kResets; ++i) {
    LoopbackConnection connection(attacker_ip(100 + i % (4 * scale)), server.port());
    connection.send("GET /healthz HTTP/1.1\r\nHo");
    connection.abort();
  }
  std::vector<LoopbackConnection> half_open;
  for (int i = 0; i < kHalfOpen; ++i) {
    half_open.emplace_back(attacker_ip(200 + i % (2 * scale)), server.port());
    half_open.back().send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Unfinished: ");
    half_open.back().shutdown_write();
  }
  require_served_normally(server.port());

  // A half-closed client has ended its request stream: the server closes
  // its side too instead of waiting for bytes that cannot come.
  int closed = 0;
  for (auto& connection : half_open) closed += connection.closed_by_peer(milliseconds(10'000));
  CHECK(closed == kHalfOpen);
  half_open.clear();
  CHECK(open_connections_fall_to(server.port(), 1));
  CHECK(metric_value(server.port(), "keyledger_connections_refused_total").value_or(-1) == 0);
  require_served_normally(server.port());
  WARN("flood: " << kOpenClose << " connect/close, " << kResets << " resets mid-request, "
                 << kHalfOpen << " half-open; " << closed << " half-open closed by the server");
}
