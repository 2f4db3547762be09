// What each part of keyledgerd is given, read from its config
// (server/daemon/part_options.h).
#include "server/daemon/part_options.h"

#include <catch2/catch.hpp>
#include <thread>

using keyledger::server::api_endpoint;
using keyledger::server::api_options;
using keyledger::server::connection_limits;
using keyledger::server::http_limits;
using keyledger::server::http_url;
using keyledger::server::HttpLimits;
using keyledger::server::io_thread_count;
using keyledger::server::ServerConfig;
using keyledger::server::sign_in_policy;
using keyledger::server::TrustedPeers;
using keyledger::server::url_host;

TEST_CASE("an IPv6 host is bracketed in URLs and addresses, an IPv4 host is not",
          "[server][daemon]") {
  CHECK(url_host("127.0.0.1") == "127.0.0.1");
  CHECK(url_host("::1") == "[::1]");
  CHECK(http_url("127.0.0.1", 8080) == "http://127.0.0.1:8080");
  CHECK(http_url("::1", 80) == "http://[::1]:80");
}

TEST_CASE("the API endpoint is the bound HTTP address unless --public-url names another",
          "[server][daemon]") {
  ServerConfig config;
  config.listen.host = "::1";
  config.listen.port = 0;
  // The port actually bound, not --listen's 0.
  CHECK(api_endpoint(config, 41234) == "http://[::1]:41234/v1");
  config.public_url = "https://keys.example.com//";
  CHECK(api_endpoint(config, 41234) == "https://keys.example.com/v1");
}

TEST_CASE("a --threads of 0 means one I/O thread per core, and at least one", "[server][daemon]") {
  ServerConfig config;
  config.threads = 3;
  CHECK(io_thread_count(config) == 3);
  config.threads = 0;
  CHECK(io_thread_count(config) == std::max(1u, std::thread::hardware_concurrency()));
  CHECK(io_thread_count(config) >= 1);
}

TEST_CASE("the connection caps come from --max-connections and --max-connections-per-ip",
          "[server][daemon]") {
  ServerConfig config;
  config.max_connections = 70;
  config.max_connections_per_ip = 7;
  const TrustedPeers proxies(std::vector<std::string>{"10.0.0.5"});
  const auto limits = connection_limits(config, proxies);
  CHECK(limits.max_total == 70);
  CHECK(limits.max_per_client == 7);
  CHECK(limits.exempt_from_per_client.contains("::ffff:10.0.0.5"));
  CHECK_FALSE(limits.exempt_from_per_client.contains("10.0.0.6"));
}

TEST_CASE("the HTTP limits take --read-timeout and keep every other default", "[server][daemon]") {
  ServerConfig config;
  config.read_timeout = std::chrono::seconds(3);
  const HttpLimits limits = http_limits(config);
  const HttpLimits defaults;
  CHECK(limits.read_timeout == std::chrono::seconds(3));
  CHECK(limits.max_header_bytes == defaults.max_header_bytes);
  CHECK(limits.max_body_bytes == defaults.max_body_bytes);
  CHECK(limits.write_timeout == defaults.write_timeout);
  CHECK(limits.idle_timeout == defaults.idle_timeout);
}

TEST_CASE("the sign-in policy takes its count and durations from the flags, in nanoseconds",
          "[server][daemon]") {
  ServerConfig config;
  config.max_failed_sign_ins = 4;
  config.sign_in_failure_window = std::chrono::seconds(90);
  config.lockout = std::chrono::seconds(120);
  config.max_lockout = std::chrono::seconds(3600);
  const auto policy = sign_in_policy(config);
  CHECK(policy.max_consecutive_failures == 4);
  CHECK(policy.failure_window_ns == 90'000'000'000LL);
  CHECK(policy.lockout.base_ns == 120'000'000'000LL);
  CHECK(policy.lockout.max_ns == 3'600'000'000'000LL);
}

TEST_CASE("the API options carry the token prefix and the per-IP limit", "[server][daemon]") {
  ServerConfig config;
  config.token_prefix = "acme";
  config.max_failed_sign_ins_per_ip_per_minute = 9;
  const auto options = api_options(config);
  CHECK(options.token_prefix == "acme");
  CHECK(options.max_failed_sign_ins_per_ip_per_minute == 9);
}
