// What refuses a start of keyledgerd before it binds a port or touches the
// disk (server/daemon/start_checks.h): each refusal has its exit code and
// one error line, and changes nothing.
#include "server/daemon/start_checks.h"

#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <fstream>

#include "server/daemon/start_failure.h"
#include "tests/server/captured_log.h"
#include "tests/support/temp_dir.h"

using keyledger::StatusOr;
using keyledger::server::check_before_binding;
using keyledger::server::DataFolder;
using keyledger::server::kExitDataNotPrivate;
using keyledger::server::kExitFailure;
using keyledger::server::kExitUsage;
using keyledger::server::ServerConfig;
using keyledger::testing::CapturedLog;
using keyledger::testing::TempDir;

namespace {

// No KEYLEDGER_ADMIN_PASSWORD: the first start makes a one-time password.
const StatusOr<std::optional<std::string>> kNoAdminPassword{std::optional<std::string>{}};

ServerConfig config_in(const TempDir& scratch) {
  ServerConfig config;
  config.data_dir = (scratch / "data").string();
  config.pepper_file = config.data_dir + "/pepper";
  return config;
}

// The one error line `log` holds, which must say `what` and `exit_code`.
void check_refusal(const CapturedLog& log, const std::string& what, int exit_code) {
  const auto errors = log.error_lines();
  REQUIRE(errors.size() == 1);
  CHECK(errors[0]["msg"].get<std::string>().rfind(what, 0) == 0);
  CHECK(errors[0]["exit_code"] == exit_code);
  CHECK(log.lines().empty());
}

}  // namespace

TEST_CASE("a start on a new data folder with good flags passes every check and creates nothing",
          "[server][daemon]") {
  TempDir scratch;
  CapturedLog log;
  ServerConfig config = config_in(scratch);
  config.unlock_users = {"admin"};  // the one user a new ledger will hold
  const DataFolder data(config.data_dir);
  CHECK(check_before_binding(config, data, kNoAdminPassword, log.log) == 0);
  CHECK_FALSE(std::filesystem::exists(data.root));
  CHECK(log.error_lines().empty());
  CHECK(log.lines().empty());
}

TEST_CASE("a token prefix that is not lowercase letters and digits refuses the start",
          "[server][daemon]") {
  TempDir scratch;
  CapturedLog log;
  ServerConfig config = config_in(scratch);
  config.token_prefix = "Kl";
  CHECK(check_before_binding(config, DataFolder(config.data_dir), kNoAdminPassword, log.log) ==
        kExitFailure);
  check_refusal(log, "--token-prefix: ", kExitFailure);
  CHECK_FALSE(std::filesystem::exists(scratch / "data"));
}

TEST_CASE("a data folder others may write to refuses the start with 78 and stays as it was",
          "[server][daemon]") {
  TempDir scratch;
  CapturedLog log;
  const ServerConfig config = config_in(scratch);
  std::filesystem::create_directories(config.data_dir);
  REQUIRE(::chmod(config.data_dir.c_str(), 0777) == 0);
  CHECK(check_before_binding(config, DataFolder(config.data_dir), kNoAdminPassword, log.log) ==
        kExitDataNotPrivate);
  check_refusal(log, "cannot use the data folder: ", kExitDataNotPrivate);
  CHECK(log.error_lines()[0]["path"] == config.data_dir);
  struct stat info {};
  REQUIRE(::stat(config.data_dir.c_str(), &info) == 0);
  CHECK((info.st_mode & 07777) == 0777);
  CHECK(std::filesystem::is_empty(config.data_dir));
}

TEST_CASE("unlocking anyone but admin on a new ledger is a usage error before anything exists",
          "[server][daemon]") {
  TempDir scratch;
  CapturedLog log;
  ServerConfig config = config_in(scratch);
  config.unlock_users = {"admin", "alice"};
  CHECK(check_before_binding(config, DataFolder(config.data_dir), kNoAdminPassword, log.log) ==
        kExitUsage);
  check_refusal(log, "--unlock alice: ", kExitUsage);
  CHECK_FALSE(std::filesystem::exists(scratch / "data"));
}

TEST_CASE("a --pepper-file in a folder that does not exist is a usage error before anything exists",
          "[server][daemon]") {
  TempDir scratch;
  CapturedLog log;
  ServerConfig config = config_in(scratch);
  config.pepper_file = (scratch / "missing" / "pepper").string();
  CHECK(check_before_binding(config, DataFolder(config.data_dir), kNoAdminPassword, log.log) ==
        kExitUsage);
  check_refusal(log, "--pepper-file: ", kExitUsage);
  CHECK_FALSE(std::filesystem::exists(scratch / "data"));
  CHECK_FALSE(std::filesystem::exists(scratch / "missing"));
}

TEST_CASE("a follower without the leader's pepper file is a usage error before anything exists",
          "[server][daemon]") {
  TempDir scratch;
  CapturedLog log;
  ServerConfig config = config_in(scratch);
  config.follower = true;
  CHECK(check_before_binding(config, DataFolder(config.data_dir), kNoAdminPassword, log.log) ==
        kExitUsage);
  check_refusal(log, "--pepper-file: ", kExitUsage);
  CHECK_FALSE(std::filesystem::exists(scratch / "data"));
}

TEST_CASE("a follower ignores a bad KEYLEDGER_ADMIN_PASSWORD: it creates no admin",
          "[server][daemon]") {
  TempDir scratch;
  CapturedLog log;
  ServerConfig config = config_in(scratch);
  config.follower = true;
  config.pepper_file = (scratch / "pepper").string();
  std::ofstream(config.pepper_file) << std::string(40, 'p');
  const StatusOr<std::optional<std::string>> bad_password =
      keyledger::invalid_argument(keyledger::Reason::kPasswordTooShort, "too short");
  CHECK(check_before_binding(config, DataFolder(config.data_dir), bad_password, log.log) == 0);
  CHECK(log.error_lines().empty());
  CHECK_FALSE(
      bad_password.is_ok());  // the test's own value, checked (debug builds abort otherwise)
}
