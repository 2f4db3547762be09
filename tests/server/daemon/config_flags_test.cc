// keyledgerd's flag groups (server/daemon/config_flags.h): each flag lands
// in its own field, and --help lists them in the order it always has.
#include "server/daemon/config_flags.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

using keyledger::server::add_abuse_limit_flags;
using keyledger::server::add_client_flags;
using keyledger::server::add_connection_flags;
using keyledger::server::add_operation_flags;
using keyledger::server::add_read_your_writes_flags;
using keyledger::server::add_serving_flags;
using keyledger::server::describe_keyledgerd;
using keyledger::server::ServerConfig;

namespace {

// The flags' values before parse_config turns them into a ServerConfig.
struct FlagValues {
  ServerConfig config;
  std::string listen;
  std::string verify_listen;
  unsigned flush_seconds = 0;
  unsigned failure_window_seconds = 0;
  unsigned lockout_seconds = 0;
  unsigned max_lockout_seconds = 0;
  unsigned read_timeout_seconds = 0;
  unsigned min_seq_wait_ms = 0;
};

void add_every_flag(CLI::App& app, FlagValues& values) {
  describe_keyledgerd(app);
  add_serving_flags(app, values.config, values.listen, values.verify_listen);
  add_client_flags(app, values.config, values.flush_seconds);
  add_abuse_limit_flags(app, values.config, values.failure_window_seconds, values.lockout_seconds,
                        values.max_lockout_seconds);
  add_connection_flags(app, values.config, values.read_timeout_seconds);
  add_operation_flags(app, values.config);
  add_read_your_writes_flags(app, values.min_seq_wait_ms);
}

}  // namespace

TEST_CASE("every keyledgerd flag sets its own field", "[server][daemon]") {
  std::vector<std::string> args = {"keyledgerd",
                                   "--data",
                                   "/d",
                                   "--listen",
                                   "1.2.3.4:5",
                                   "--verify-listen",
                                   ":7",
                                   "--pepper-file",
                                   "/p",
                                   "--rebind-pepper",
                                   "--threads",
                                   "3",
                                   "--token-prefix",
                                   "acme",
                                   "--flush-interval",
                                   "11",
                                   "--trusted-proxy",
                                   "10.0.0.1,10.0.0.2",
                                   "--public-url",
                                   "https://x",
                                   "--max-failed-sign-ins",
                                   "4",
                                   "--sign-in-failure-window",
                                   "2m",
                                   "--lockout",
                                   "1h",
                                   "--max-lockout",
                                   "2d",
                                   "--max-failed-verifications",
                                   "12",
                                   "--max-failed-sign-ins-per-ip",
                                   "13",
                                   "--read-timeout",
                                   "14",
                                   "--max-connections",
                                   "15",
                                   "--max-connections-per-ip",
                                   "16",
                                   "--log-level",
                                   "debug",
                                   "--unlock",
                                   "bob",
                                   "--no-access-log",
                                   "--no-sync",
                                   "--scrypt-cost",
                                   "12",
                                   "--min-seq-wait",
                                   "2s"};
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  CLI::App app;
  FlagValues values;
  add_every_flag(app, values);
  REQUIRE_NOTHROW(app.parse(static_cast<int>(argv.size()), argv.data()));
  const ServerConfig& config = values.config;
  CHECK(config.data_dir == "/d");
  CHECK(values.listen == "1.2.3.4:5");
  CHECK(values.verify_listen == ":7");
  CHECK(config.pepper_file == "/p");
  CHECK(config.rebind_pepper);
  CHECK(config.threads == 3);
  CHECK(config.token_prefix == "acme");
  CHECK(values.flush_seconds == 11);
  CHECK(config.trusted_proxies == std::vector<std::string>{"10.0.0.1", "10.0.0.2"});
  CHECK(config.public_url == "https://x");
  CHECK(config.max_failed_sign_ins == 4);
  CHECK(values.failure_window_seconds == 120);
  CHECK(values.lockout_seconds == 3600);
  CHECK(values.max_lockout_seconds == 2 * 86400);
  CHECK(config.max_failed_verifications_per_minute == 12);
  CHECK(config.max_failed_sign_ins_per_ip_per_minute == 13);
  CHECK(values.read_timeout_seconds == 14);
  CHECK(config.max_connections == 15);
  CHECK(config.max_connections_per_ip == 16);
  CHECK(config.log_level == "debug");
  CHECK(config.unlock_users == std::vector<std::string>{"bob"});
  CHECK_FALSE(config.access_log);
  CHECK_FALSE(config.sync);
  CHECK(config.scrypt_log2_n == 12);
  CHECK(values.min_seq_wait_ms == 2000);
}

TEST_CASE("keyledgerd --help lists every flag in the order it always has", "[server][daemon]") {
  CLI::App app;
  FlagValues values;
  add_every_flag(app, values);
  const std::string help = app.help();
  const std::vector<std::string> order = {"--data",
                                          "--listen",
                                          "--verify-listen",
                                          "--pepper-file",
                                          "--rebind-pepper",
                                          "--threads",
                                          "--token-prefix",
                                          "--flush-interval",
                                          "--trusted-proxy",
                                          "--public-url",
                                          "--max-failed-sign-ins ",
                                          "--sign-in-failure-window",
                                          "--lockout",
                                          "--max-lockout",
                                          "--max-failed-verifications",
                                          "--max-failed-sign-ins-per-ip",
                                          "--read-timeout",
                                          "--max-connections ",
                                          "--max-connections-per-ip",
                                          "--log-level",
                                          "--unlock",
                                          "--no-access-log",
                                          "--no-sync",
                                          "--scrypt-cost",
                                          "--min-seq-wait"};
  std::size_t at = 0;
  for (const auto& flag : order) {
    INFO(flag);
    const std::size_t found = help.find("  " + flag, at);
    REQUIRE(found != std::string::npos);
    at = found + 1;
  }
  CHECK(help.find("Exit codes: 0 stopped cleanly") != std::string::npos);
}
