// Binding keyledgerd's ports before anything is created
// (server/daemon/listening_ports.h): every port bound, or one error line
// that names the address and the flag, with the exit code that says why.
// Loopback only.
#include "server/daemon/listening_ports.h"

#include <catch2/catch.hpp>

#include "server/daemon/start_failure.h"
#include "tests/server/captured_log.h"

namespace asio = boost::asio;
using keyledger::server::bind_listening_ports;
using keyledger::server::Endpoint;
using keyledger::server::kExitAddressUnavailable;
using keyledger::server::kExitUsage;
using keyledger::server::ListeningPorts;
using keyledger::server::ServerConfig;
using keyledger::testing::CapturedLog;

namespace {

ServerConfig loopback_config() {
  ServerConfig config;
  config.listen = Endpoint{"127.0.0.1", 0};
  return config;
}

}  // namespace

TEST_CASE("the HTTP port and the verify port are both bound when both are asked for",
          "[server][daemon]") {
  asio::io_context io;
  CapturedLog log;
  ServerConfig config = loopback_config();
  config.verify_listen = Endpoint{"127.0.0.1", 0};
  ListeningPorts ports;
  CHECK(bind_listening_ports(config, io, log.log, ports) == 0);
  REQUIRE(ports.http);
  REQUIRE(ports.verify);
  CHECK(ports.http->local_endpoint().port() != 0);
  CHECK(ports.verify->local_endpoint().port() != ports.http->local_endpoint().port());
  CHECK(log.error_lines().empty());
}

TEST_CASE("without --verify-listen only the HTTP port is bound", "[server][daemon]") {
  asio::io_context io;
  CapturedLog log;
  ListeningPorts ports;
  CHECK(bind_listening_ports(loopback_config(), io, log.log, ports) == 0);
  CHECK(ports.http);
  CHECK_FALSE(ports.verify);
}

TEST_CASE("a port in use refuses with 69 and says which flag to change", "[server][daemon]") {
  asio::io_context io;
  asio::ip::tcp::acceptor taken(io, {asio::ip::make_address("127.0.0.1"), 0});
  const std::uint16_t port = taken.local_endpoint().port();
  CapturedLog log;
  ServerConfig config = loopback_config();
  config.verify_listen = Endpoint{"127.0.0.1", port};
  ListeningPorts ports;
  CHECK(bind_listening_ports(config, io, log.log, ports) == kExitAddressUnavailable);
  const auto errors = log.error_lines();
  REQUIRE(errors.size() == 1);
  const std::string shown = "127.0.0.1:" + std::to_string(port);
  // Then the system's own words, in parentheses.
  const std::string advice = "cannot listen on " + shown +
                             ": address already in use; is another keyledgerd running? "
                             "choose another with --verify-listen (";
  CHECK(errors[0]["msg"].get<std::string>().rfind(advice, 0) == 0);
  CHECK(errors[0]["address"] == shown);
  CHECK(errors[0]["flag"] == "--verify-listen");
  CHECK(errors[0]["reason"] == "address_in_use");
  CHECK(errors[0]["exit_code"] == kExitAddressUnavailable);
}

TEST_CASE("a --listen host that is not an IP address is a usage error", "[server][daemon]") {
  asio::io_context io;
  CapturedLog log;
  ServerConfig config = loopback_config();
  config.listen.host = "localhost";
  ListeningPorts ports;
  CHECK(bind_listening_ports(config, io, log.log, ports) == kExitUsage);
  CHECK_FALSE(ports.http);
  const auto errors = log.error_lines();
  REQUIRE(errors.size() == 1);
  CHECK(errors[0]["msg"] == "--listen: 'localhost' is not an IP address");
  CHECK(errors[0]["flag"] == "--listen");
}
