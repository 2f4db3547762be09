// parse_config: the config keyledgerd runs with, or how it ends at once. A
// bad flag is a Status (kInvalidArgument, reason bad_flag) whose message is
// the one sentence keyledgerd logs, with exit code 2 or CLI11's own.
#include "server/daemon/config.h"

#include <catch2/catch.hpp>
#include <string>
#include <variant>
#include <vector>

using namespace keyledger;
using namespace keyledger::server;

namespace {

std::variant<ServerConfig, ConfigExit> parse(std::vector<std::string> args) {
  args.insert(args.begin(), "keyledgerd");
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  return parse_config(static_cast<int>(args.size()), argv.data());
}

// The ConfigExit `parsed` holds; fails the test when it holds a config.
const ConfigExit& exit_of(const std::variant<ServerConfig, ConfigExit>& parsed) {
  REQUIRE(std::holds_alternative<ConfigExit>(parsed));
  return std::get<ConfigExit>(parsed);
}

}  // namespace

TEST_CASE("good flags give the config to run with", "[server][config]") {
  const auto parsed = parse(
      {"--data", "/srv/ledger", "--listen", "127.0.0.1:8123", "--verify-listen", "[::1]:9123"});
  REQUIRE(std::holds_alternative<ServerConfig>(parsed));
  const ServerConfig& config = std::get<ServerConfig>(parsed);
  CHECK(config.data_dir == "/srv/ledger");
  CHECK(config.pepper_file == "/srv/ledger/pepper");  // beside the ledger by default
  CHECK(config.listen.port == 8123);
  REQUIRE(config.verify_listen);
  CHECK(config.verify_listen->port == 9123);
}

TEST_CASE("a --listen that is not HOST:PORT ends the start with exit code 2 and bad_flag",
          "[server][config]") {
  const auto parsed = parse({"--data", "/srv/ledger", "--listen", "localhost"});
  const ConfigExit& ended = exit_of(parsed);
  CHECK(ended.exit_code == 2);
  CHECK(ended.why.code() == StatusCode::kInvalidArgument);
  CHECK(ended.why.is(Reason::kBadFlag));
  CHECK(ended.why.message() == "--listen must be HOST:PORT, got 'localhost'");
}

TEST_CASE("a --verify-listen that is not HOST:PORT ends the start with bad_flag",
          "[server][config]") {
  const auto parsed = parse({"--verify-listen", "nowhere:port"});
  const ConfigExit& ended = exit_of(parsed);
  CHECK(ended.exit_code == 2);
  CHECK(ended.why.is(Reason::kBadFlag));
  CHECK(ended.why.message() == "--verify-listen must be HOST:PORT, got 'nowhere:port'");
}

TEST_CASE("a --max-lockout shorter than --lockout ends the start with bad_flag",
          "[server][config]") {
  const auto parsed = parse({"--lockout", "60", "--max-lockout", "30"});
  const ConfigExit& ended = exit_of(parsed);
  CHECK(ended.exit_code == 2);
  CHECK(ended.why.is(Reason::kBadFlag));
  CHECK(ended.why.message() == "--max-lockout (30s) is shorter than --lockout (60s)");
}

TEST_CASE("an unknown flag ends the start with CLI11's exit code and points to --help",
          "[server][config]") {
  const auto parsed = parse({"--no-such-flag"});
  const ConfigExit& ended = exit_of(parsed);
  CHECK(ended.exit_code != 0);
  CHECK(ended.why.is(Reason::kBadFlag));
  CHECK(ended.why.message().find("keyledgerd --help lists every flag") != std::string::npos);
}

TEST_CASE("--max-unpublished takes milliseconds, seconds or minutes, 1 s by default",
          "[server][config]") {
  const auto defaults = parse({});
  REQUIRE(std::holds_alternative<ServerConfig>(defaults));
  CHECK(std::get<ServerConfig>(defaults).max_unpublished == std::chrono::seconds(1));
  CHECK(std::get<ServerConfig>(defaults).nats_urls.empty());
  for (const auto& [text, expected] :
       std::vector<std::pair<std::string, std::chrono::milliseconds>>{
           {"250ms", std::chrono::milliseconds(250)},
           {"1ms", std::chrono::milliseconds(1)},
           {"2s", std::chrono::seconds(2)},
           {"3", std::chrono::seconds(3)},
           {"60m", std::chrono::minutes(60)}}) {
    INFO(text);
    const auto parsed = parse({"--max-unpublished", text});
    REQUIRE(std::holds_alternative<ServerConfig>(parsed));
    CHECK(std::get<ServerConfig>(parsed).max_unpublished == expected);
  }
}

TEST_CASE("a --max-unpublished that is no duration from 1ms to 1h ends the start with bad_flag",
          "[server][config]") {
  for (const std::string text :
       {"0", "0ms", "61m", "3601s", "1h", "1.5s", "ms", "1 s", "10us", "99999999999999999999"}) {
    INFO("'" << text << "'");
    const auto parsed = parse({"--max-unpublished", text});
    const ConfigExit& ended = exit_of(parsed);
    CHECK(ended.exit_code == 2);
    CHECK(ended.why.is(Reason::kBadFlag));
    CHECK(ended.why.message() ==
          "--max-unpublished must be a duration from 1ms to 1h (250ms, 1s, 2m; a plain number is "
          "seconds), got '" +
              text + "'");
  }
}

TEST_CASE("--nats takes a comma-separated list of nats:// or tls:// URLs", "[server][config]") {
  const auto parsed = parse({"--nats", "nats://127.0.0.1:4222,nats://127.0.0.1:4223"});
  REQUIRE(std::holds_alternative<ServerConfig>(parsed));
  CHECK(std::get<ServerConfig>(parsed).nats_urls ==
        std::vector<std::string>{"nats://127.0.0.1:4222", "nats://127.0.0.1:4223"});
  const auto refused = parse({"--nats", "http://127.0.0.1:4222"});
  const ConfigExit& ended = exit_of(refused);
  CHECK(ended.exit_code == 2);
  CHECK(ended.why.is(Reason::kBadFlag));
  CHECK(ended.why.message() ==
        "--nats takes nats://HOST:PORT or tls://HOST:PORT URLs, got 'http://127.0.0.1:4222'");
}

TEST_CASE("--nats-stream takes a name that is one token of a NATS subject", "[server][config]") {
  const auto named = parse({"--nats-stream", "ledger_eu-1"});
  REQUIRE(std::holds_alternative<ServerConfig>(named));
  CHECK(std::get<ServerConfig>(named).nats_stream == "ledger_eu-1");
  for (const std::string& name :
       std::vector<std::string>{"a.b", "a b", "*", ">", std::string(65, 'x')}) {
    INFO(name);
    const auto parsed = parse({"--nats-stream", name});
    const ConfigExit& ended = exit_of(parsed);
    CHECK(ended.exit_code == 2);
    CHECK(ended.why.message() ==
          "--nats-stream takes 1 to 64 letters, digits, '-' and '_', got '" + name + "'");
  }
}
