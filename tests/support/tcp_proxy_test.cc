#include "tests/support/tcp_proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <string>

#include "tests/support/loopback.h"

namespace keyledger::testing {
namespace {

using namespace std::chrono_literals;

// A listening socket on a kernel-chosen loopback port, and the connections
// the proxy makes to it.
class Target {
 public:
  Target() {
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    REQUIRE(::listen(listener_, 16) == 0);
    socklen_t length = sizeof address;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
  }
  ~Target() {
    if (accepted_ >= 0) ::close(accepted_);
    ::close(listener_);
  }
  unsigned short port() const { return port_; }
  // Whether a connection arrives within `wait` (kept for received()).
  bool accepts(std::chrono::milliseconds wait) {
    pollfd fd{listener_, POLLIN, 0};
    if (::poll(&fd, 1, static_cast<int>(wait.count())) <= 0) return false;
    accepted_ = ::accept(listener_, nullptr, nullptr);
    return accepted_ >= 0;
  }
  // What arrives on the accepted connection within `wait` ("" if nothing).
  std::string received(std::chrono::milliseconds wait) {
    pollfd fd{accepted_, POLLIN, 0};
    if (::poll(&fd, 1, static_cast<int>(wait.count())) <= 0) return "";
    char buffer[256];
    const ssize_t got = ::recv(accepted_, buffer, sizeof buffer, 0);
    return got > 0 ? std::string(buffer, static_cast<std::size_t>(got)) : "";
  }
  void send(const std::string& bytes) {
    REQUIRE(::send(accepted_, bytes.data(), bytes.size(), 0) > 0);
  }

 private:
  int listener_ = -1;
  int accepted_ = -1;
  unsigned short port_ = 0;
};

}  // namespace

TEST_CASE("a TCP proxy forwards bytes both ways until paused", "[support][proxy]") {
  Target target;
  TcpProxy proxy(target.port());
  LoopbackConnection client("127.0.0.1", proxy.port());
  REQUIRE(client.connected());
  REQUIRE(target.accepts(5s));
  REQUIRE(client.send("ping"));
  CHECK(target.received(5s) == "ping");
  target.send("pong");
  CHECK(client.receive_some(5000ms) == "pong");
  CHECK_FALSE(proxy.paused());
}

TEST_CASE("a held TCP proxy forwards nothing until resumed, then what waited", "[support][proxy]") {
  Target target;
  TcpProxy proxy(target.port());
  LoopbackConnection client("127.0.0.1", proxy.port());
  REQUIRE(target.accepts(5s));
  proxy.pause(ProxyPause::kHold);
  CHECK(proxy.paused());
  REQUIRE(client.send("held"));
  CHECK(target.received(300ms).empty());
  target.send("back");
  CHECK(client.receive_some(300ms).empty());
  // A connection made while held is accepted but not connected onward.
  LoopbackConnection late("127.0.0.1", proxy.port());
  REQUIRE(late.connected());
  proxy.resume();
  CHECK(target.received(5s) == "held");
  CHECK(client.receive_some(5000ms) == "back");
  REQUIRE(target.accepts(5s));  // the late connection, once resumed
}

TEST_CASE("a dropping TCP proxy resets its connections and refuses new ones until resumed",
          "[support][proxy]") {
  Target target;
  TcpProxy proxy(target.port());
  LoopbackConnection client("127.0.0.1", proxy.port());
  REQUIRE(target.accepts(5s));
  proxy.pause(ProxyPause::kDrop);
  CHECK(client.closed_by_peer(5000ms));
  LoopbackConnection refused("127.0.0.1", proxy.port());
  CHECK((!refused.connected() || refused.closed_by_peer(5000ms)));
  proxy.resume();
  LoopbackConnection again("127.0.0.1", proxy.port());
  REQUIRE(target.accepts(5s));
  REQUIRE(again.send("again"));
  CHECK(target.received(5s) == "again");
}

TEST_CASE("a TCP proxy whose target is down closes its clients", "[support][proxy]") {
  unsigned short closed_port = 0;
  {
    Target gone;
    closed_port = gone.port();
  }
  TcpProxy proxy(closed_port);
  LoopbackConnection client("127.0.0.1", proxy.port());
  CHECK((!client.connected() || client.closed_by_peer(5000ms)));
}

}  // namespace keyledger::testing
