// keyledgerd's NATS flags (server/daemon/config_nats.h): --nats,
// --nats-stream, --nats-user, --nats-password-file, --nats-ca,
// --nats-replicas. A bad value ends the start with bad_flag and one
// sentence that never holds a secret.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <string>
#include <variant>
#include <vector>

#include "server/daemon/config.h"
#include "tests/support/temp_dir.h"

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

// The bad_flag Status `args` end with (exit code 2 or CLI11's).
Status refusal(std::vector<std::string> args) {
  const auto parsed = parse(std::move(args));
  REQUIRE(std::holds_alternative<ConfigExit>(parsed));
  const ConfigExit& ended = std::get<ConfigExit>(parsed);
  CHECK(ended.exit_code != 0);
  CHECK(ended.why.is(Reason::kBadFlag));
  return ended.why;
}

std::string password_file(const keyledger::testing::TempDir& dir, const std::string& content,
                          mode_t mode) {
  const std::string path = (dir / "nats-password").string();
  std::ofstream(path, std::ios::trunc) << content;
  ::chmod(path.c_str(), mode);
  return path;
}

constexpr const char* kSecret = "s3cret-nats-password";

}  // namespace

TEST_CASE("without --nats a node replicates nothing", "[server][config][nats]") {
  const auto parsed = parse({});
  REQUIRE(std::holds_alternative<ServerConfig>(parsed));
  CHECK(std::get<ServerConfig>(parsed).nats.urls.empty());
  CHECK(std::get<ServerConfig>(parsed).nats.stream == "KEYLEDGER");
}

TEST_CASE("a --nats with every server, a stream and credentials fills the NATS config",
          "[server][config][nats]") {
  keyledger::testing::TempDir dir;
  const std::string file = password_file(dir, std::string(kSecret) + "\n", 0600);
  const auto parsed = parse(
      {"--nats", "nats://127.0.0.1:4222,nats://10.0.0.2:4222,tls://nats.example:4443",
       "--nats-stream", "LEDGER_eu-1", "--nats-user", "leader", "--nats-password-file", file});
  REQUIRE(std::holds_alternative<ServerConfig>(parsed));
  const NatsConfig& nats = std::get<ServerConfig>(parsed).nats;
  CHECK(nats.urls == std::vector<std::string>{"nats://127.0.0.1:4222", "nats://10.0.0.2:4222",
                                              "tls://nats.example:4443"});
  CHECK(nats.stream == "LEDGER_eu-1");
  CHECK(nats.user == "leader");
  CHECK(nats.password == kSecret);  // the final line break is not part of it
}

TEST_CASE("a --nats item that is not a NATS server URL is refused without echoing it",
          "[server][config][nats]") {
  for (const std::string& bad : std::vector<std::string>{
           "", "127.0.0.1:4222", "http://127.0.0.1:4222", "nats://127.0.0.1", "nats://:4222",
           "nats://127.0.0.1:0", "nats://127.0.0.1:65536", "nats://127.0.0.1:42x",
           "nats://127.0.0.1:4222,", "nats://127.0.0.1:4222,,nats://127.0.0.1:4223",
           "nats://127.0.0.1:4222/path",
           std::string("nats://leader:") + kSecret + "@127.0.0.1:4222"}) {
    INFO("--nats '" << bad << "'");
    const Status refused = refusal({"--nats", bad});
    CHECK(refused.message().find("--nats") != std::string::npos);
    CHECK(refused.message().find(kSecret) == std::string::npos);
  }
}

TEST_CASE("a --nats-stream that cannot be one subject token is refused", "[server][config][nats]") {
  for (const std::string& bad :
       std::vector<std::string>{"", "a.b", "A*", "A>", "with space", std::string(65, 'A')}) {
    INFO("--nats-stream '" << bad << "'");
    CHECK(refusal({"--nats", "nats://127.0.0.1:4222", "--nats-stream", bad})
              .message()
              .find("--nats-stream") != std::string::npos);
  }
}

TEST_CASE("NATS flags without --nats, or a user without a password file, are refused",
          "[server][config][nats]") {
  keyledger::testing::TempDir dir;
  const std::string file = password_file(dir, kSecret, 0600);
  CHECK(refusal({"--nats-stream", "OTHER"}).message().find("need --nats") != std::string::npos);
  CHECK(refusal({"--nats-user", "leader", "--nats-password-file", file})
            .message()
            .find("need --nats") != std::string::npos);
  CHECK(refusal({"--nats", "nats://127.0.0.1:4222", "--nats-user", "leader"})
            .message()
            .find("go together") != std::string::npos);
  CHECK(refusal({"--nats", "nats://127.0.0.1:4222", "--nats-password-file", file})
            .message()
            .find("go together") != std::string::npos);
}

TEST_CASE("a NATS password file that others may read, or that is missing or empty, is refused",
          "[server][config][nats]") {
  keyledger::testing::TempDir dir;
  auto with_file = [](const std::string& file) {
    return refusal(
        {"--nats", "nats://127.0.0.1:4222", "--nats-user", "leader", "--nats-password-file", file});
  };
  const Status open = with_file(password_file(dir, kSecret, 0644));
  CHECK(open.message().find("0600") != std::string::npos);
  CHECK(open.message().find(kSecret) == std::string::npos);
  CHECK(with_file(password_file(dir, "\n", 0600)).message().find("empty") != std::string::npos);
  CHECK(with_file(password_file(dir, std::string(2000, 'p'), 0600)).message().find("1 KiB") !=
        std::string::npos);
  CHECK(with_file((dir / "missing").string()).message().find("not a readable file") !=
        std::string::npos);
}

TEST_CASE("a --nats-ca that does not exist is refused", "[server][config][nats]") {
  refusal({"--nats", "tls://127.0.0.1:4222", "--nats-ca", "/no/such/ca.pem"}).ignore();
}

TEST_CASE("the stream's replicas (--nats-replicas) are 3 by default and 1 to 5 when given",
          "[server][config][nats]") {
  const auto by_default = parse({"--nats", "nats://127.0.0.1:4222"});
  REQUIRE(std::holds_alternative<ServerConfig>(by_default));
  CHECK(std::get<ServerConfig>(by_default).nats.replicas == 3);
  for (const int replicas : {1, 5}) {
    const auto parsed =
        parse({"--nats", "nats://127.0.0.1:4222", "--nats-replicas", std::to_string(replicas)});
    REQUIRE(std::holds_alternative<ServerConfig>(parsed));
    CHECK(std::get<ServerConfig>(parsed).nats.replicas == replicas);
  }
  for (const char* bad : {"0", "6", "-1"}) {
    INFO(bad);
    CHECK(refusal({"--nats", "nats://127.0.0.1:4222", "--nats-replicas", bad}).message() ==
          "--nats-replicas must be 1 to 5, got " + std::string(bad));
  }
  CHECK(refusal({"--nats-replicas", "1"}).message().find("need --nats") != std::string::npos);
  // Not a number: CLI11's own refusal, still a bad flag.
  CHECK_FALSE(refusal({"--nats", "nats://127.0.0.1:4222", "--nats-replicas", "three"}).is_ok());
}
