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

TEST_CASE("a follower's flags give its config", "[server][config][follower]") {
  const auto parsed = parse({"--follower", "--nats", "nats://127.0.0.1:4222,nats://127.0.0.1:4223",
                             "--leader-url", "https://leader.example", "--max-staleness", "250ms"});
  REQUIRE(std::holds_alternative<ServerConfig>(parsed));
  const ServerConfig& config = std::get<ServerConfig>(parsed);
  CHECK(config.follower);
  CHECK(config.nats.urls ==
        std::vector<std::string>{"nats://127.0.0.1:4222", "nats://127.0.0.1:4223"});
  CHECK(config.nats.stream == "KEYLEDGER");
  CHECK(config.leader_url == "https://leader.example");
  CHECK(config.max_staleness == std::chrono::milliseconds(250));
}

TEST_CASE("the staleness bound (--max-staleness) takes seconds or a unit, 10 s by default",
          "[server][config][follower]") {
  CHECK(std::get<ServerConfig>(parse({})).max_staleness == std::chrono::seconds(10));
  const std::pair<const char*, std::chrono::milliseconds> good[] = {
      {"10ms", std::chrono::milliseconds(10)},
      {"3", std::chrono::seconds(3)},
      {"3s", std::chrono::seconds(3)},
      {"2m", std::chrono::minutes(2)},
      {"60m", std::chrono::hours(1)}};
  for (const auto& [text, expected] : good) {
    CAPTURE(text);
    const auto parsed = parse({"--max-staleness", text});
    REQUIRE(std::holds_alternative<ServerConfig>(parsed));
    CHECK(std::get<ServerConfig>(parsed).max_staleness == expected);
  }
}

TEST_CASE("a bad --max-staleness ends the start with bad_flag", "[server][config][follower]") {
  for (const char* text : {"0", "9ms", "61m", "2h", "-1s", "1.5s", "soon", "", "10 s", "5sec",
                           "99999999999999999999"}) {
    CAPTURE(text);
    const auto parsed = parse({"--max-staleness", text});
    const ConfigExit& ended = exit_of(parsed);
    CHECK(ended.exit_code == 2);
    CHECK(ended.why.is(Reason::kBadFlag));
    CHECK(ended.why.message().rfind("--max-staleness must be a duration from 10ms to 1h", 0) == 0);
  }
}

TEST_CASE("a follower (--follower) without --nats ends the start with bad_flag",
          "[server][config][follower]") {
  const auto parsed = parse({"--follower"});
  const ConfigExit& ended = exit_of(parsed);
  CHECK(ended.exit_code == 2);
  CHECK(ended.why.is(Reason::kBadFlag));
  CHECK(ended.why.message() == "--follower needs --nats: the NATS servers of the leader's stream");
}

TEST_CASE("a follower refuses --unlock, the leader's", "[server][config][follower]") {
  const auto parsed = parse({"--follower", "--nats", "nats://127.0.0.1:4222", "--unlock", "admin"});
  const ConfigExit& ended = exit_of(parsed);
  CHECK(ended.exit_code == 2);
  CHECK(ended.why.message() == "--unlock is the leader's: a follower changes no user");
}

TEST_CASE("a --leader-url with credentials ends the start with bad_flag, without echoing them",
          "[server][config][follower]") {
  for (const char* text : {"https://user:s3cret@leader.example", "http://s3cret@leader:8080/x",
                           "ftp://user:s3cret@leader", "user:s3cret@leader"}) {
    CAPTURE(text);
    const auto parsed =
        parse({"--follower", "--nats", "nats://127.0.0.1:4222", "--leader-url", text});
    const ConfigExit& ended = exit_of(parsed);
    CHECK(ended.exit_code == 2);
    CHECK(ended.why.message().rfind("--leader-url must not carry credentials", 0) == 0);
    CHECK(ended.why.message().find("s3cret") == std::string::npos);
  }
  // An @ in the path is no credential.
  const auto parsed = parse({"--follower", "--nats", "nats://127.0.0.1:4222", "--leader-url",
                             "https://leader.example/team@eu"});
  CHECK(std::holds_alternative<ServerConfig>(parsed));
}

TEST_CASE("a --leader-url that is no http(s) URL ends the start with bad_flag",
          "[server][config][follower]") {
  for (const char* text : {"leader.example:8080", "ftp://leader", "HTTP//x"}) {
    CAPTURE(text);
    const auto parsed =
        parse({"--follower", "--nats", "nats://127.0.0.1:4222", "--leader-url", text});
    const ConfigExit& ended = exit_of(parsed);
    CHECK(ended.exit_code == 2);
    CHECK(ended.why.message().rfind("--leader-url must be an http:// or https:// URL", 0) == 0);
  }
}

TEST_CASE(
    "the minimum-seq wait flag (--min-seq-wait) takes milliseconds or a unit, 1 s by default, and "
    "refuses the rest",
    "[server][config]") {
  const auto by_default = parse({});
  REQUIRE(std::holds_alternative<ServerConfig>(by_default));
  CHECK(std::get<ServerConfig>(by_default).min_seq_wait == std::chrono::milliseconds(1000));
  for (const auto& [text, millis] : std::vector<std::pair<std::string, int>>{
           {"0", 0}, {"250", 250}, {"250ms", 250}, {"3s", 3000}, {"60s", 60000}}) {
    INFO(text);
    const auto parsed = parse({"--min-seq-wait", text});
    REQUIRE(std::holds_alternative<ServerConfig>(parsed));
    CHECK(std::get<ServerConfig>(parsed).min_seq_wait == std::chrono::milliseconds(millis));
  }
  for (const std::string bad : {"-1", "61s", "soon", "1m", "", "99999999999999999999"}) {
    INFO(bad);
    const auto parsed = parse({"--min-seq-wait", bad});
    const ConfigExit& ended = exit_of(parsed);
    CHECK(ended.exit_code != 0);
    CHECK(ended.why.is(Reason::kBadFlag));
    CHECK(ended.why.message().find("--min-seq-wait") != std::string::npos);
  }
}

TEST_CASE(
    "the unpublished bound (--max-unpublished) takes milliseconds, seconds or minutes, 1 s "
    "by default",
    "[server][config]") {
  const auto defaults = parse({});
  REQUIRE(std::holds_alternative<ServerConfig>(defaults));
  CHECK(std::get<ServerConfig>(defaults).max_unpublished == std::chrono::seconds(1));
  CHECK(std::get<ServerConfig>(defaults).nats.urls.empty());
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
          "--max-unpublished must be a duration from 1ms to 1h (250ms, 1s, 2m), got '" + text +
              "'");
  }
}

TEST_CASE("a node name (--node-name) is taken when it is 1 to 128 of letters, digits and . _ : -",
          "[server][config][follower]") {
  const auto parsed =
      parse({"--follower", "--nats", "nats://127.0.0.1:4222", "--node-name", "eu-west-1.f2:8081"});
  CHECK(std::get<ServerConfig>(parsed).node_name == "eu-west-1.f2:8081");
  CHECK(std::get<ServerConfig>(parse({})).node_name.empty());  // hostname:port, made at start
}

TEST_CASE("a bad --node-name ends the start with bad_flag", "[server][config][follower]") {
  for (const std::string& text :
       {std::string("a b"), std::string("f/1"), std::string(129, 'n'), std::string("f\"1")}) {
    CAPTURE(text);
    const auto parsed =
        parse({"--follower", "--nats", "nats://127.0.0.1:4222", "--node-name", text.c_str()});
    const ConfigExit& ended = exit_of(parsed);
    CHECK(ended.exit_code == 2);
    CHECK(ended.why.reason() == std::string("bad_flag"));
    CHECK(ended.why.message().rfind("--node-name: ", 0) == 0);
  }
}
