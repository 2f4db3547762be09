// The Daemon (server/daemon/daemon.h) in-process, for the starts it refuses
// before creating anything: the exit code, one error line, and no data
// folder. (Starts that serve are run as a process by tests/integration.)
#include "server/daemon/daemon.h"

#include <sys/stat.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <catch2/catch.hpp>

#include "tests/server/captured_log.h"
#include "tests/support/temp_dir.h"

using keyledger::server::Daemon;
using keyledger::server::Endpoint;
using keyledger::server::kExitAddressUnavailable;
using keyledger::server::kExitFailure;
using keyledger::server::ServerConfig;
using keyledger::testing::CapturedLog;
using keyledger::testing::TempDir;

namespace {

ServerConfig config_in(const TempDir& scratch) {
  ServerConfig config;
  config.data_dir = (scratch / "data").string();
  config.pepper_file = config.data_dir + "/pepper";
  config.listen = Endpoint{"127.0.0.1", 0};
  config.threads = 1;
  return config;
}

// Runs a daemon with `config` and returns its exit code. run() sets the
// process's umask for keyledgerd; the test process gets its own back.
int run_daemon(const ServerConfig& config, CapturedLog& log) {
  const mode_t umask_before = ::umask(077);
  Daemon daemon(config, log.log);
  const int exit_code = daemon.run();
  ::umask(umask_before);
  return exit_code;
}

}  // namespace

TEST_CASE("a daemon refused by a start check exits with its code and creates nothing",
          "[server][daemon]") {
  TempDir scratch;
  CapturedLog log;
  ServerConfig config = config_in(scratch);
  config.token_prefix = "Kl";
  CHECK(run_daemon(config, log) == kExitFailure);
  const auto errors = log.error_lines();
  REQUIRE(errors.size() == 1);
  CHECK(errors[0]["msg"].get<std::string>().rfind("--token-prefix: ", 0) == 0);
  CHECK_FALSE(std::filesystem::exists(config.data_dir));
}

TEST_CASE("a daemon that cannot bind its port exits with 69 and creates nothing",
          "[server][daemon]") {
  TempDir scratch;
  CapturedLog log;
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor taken(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  ServerConfig config = config_in(scratch);
  config.listen.port = taken.local_endpoint().port();
  CHECK(run_daemon(config, log) == kExitAddressUnavailable);
  const auto errors = log.error_lines();
  REQUIRE(errors.size() == 1);
  CHECK(errors[0]["flag"] == "--listen");
  CHECK_FALSE(std::filesystem::exists(config.data_dir));
  CHECK(log.lines().empty());
}
