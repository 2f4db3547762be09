// Opening the ledger as keyledgerd serves it (server/daemon/open_ledger.h):
// the event log, its pepper and the projection, or one error line that says
// which of them failed, with exit code 1. Against real files in a temporary
// folder.
#include "server/daemon/open_ledger.h"

#include <sys/stat.h>

#include <catch2/catch.hpp>

#include "server/daemon/start_failure.h"
#include "tests/server/captured_log.h"
#include "tests/support/files.h"
#include "tests/support/temp_dir.h"

using keyledger::SeededRandom;
using keyledger::server::DataFolder;
using keyledger::server::kExitFailure;
using keyledger::server::open_ledger;
using keyledger::server::OpenLedger;
using keyledger::server::ServerConfig;
using keyledger::testing::CapturedLog;
using keyledger::testing::TempDir;
using keyledger::testing::write_file;

namespace {

ServerConfig config_in(const TempDir& scratch) {
  ServerConfig config;
  config.data_dir = (scratch / "data").string();
  config.pepper_file = config.data_dir + "/pepper";
  config.sync = false;
  return config;
}

}  // namespace

TEST_CASE("a first open creates the ledger and its pepper and loads an empty projection",
          "[server][daemon]") {
  TempDir scratch;
  CapturedLog log;
  SeededRandom random{1};
  const ServerConfig config = config_in(scratch);
  const DataFolder data(config.data_dir);
  std::filesystem::create_directories(data.ledger);
  OpenLedger ledger;
  REQUIRE(open_ledger(config, data, random, log.log, ledger) == 0);
  REQUIRE(ledger.log);
  CHECK(ledger.log->head().seq == 0);
  CHECK(ledger.secret_hasher);
  REQUIRE(ledger.projection);
  CHECK(ledger.projection->users().empty());
  CHECK(std::filesystem::exists(config.pepper_file));
  CHECK(log.error_lines().empty());
}

TEST_CASE("a ledger folder that RocksDB cannot open refuses with 1 and names the folder",
          "[server][daemon]") {
  TempDir scratch;
  CapturedLog log;
  SeededRandom random{1};
  const ServerConfig config = config_in(scratch);
  const DataFolder data(config.data_dir);
  std::filesystem::create_directories(data.root);
  write_file(data.ledger, "not a database");  // a file where the folder belongs
  OpenLedger ledger;
  CHECK(open_ledger(config, data, random, log.log, ledger) == kExitFailure);
  CHECK_FALSE(ledger.log);
  const auto errors = log.error_lines();
  REQUIRE(errors.size() == 1);
  CHECK(errors[0]["msg"].get<std::string>().rfind("opening " + data.ledger.string() + ": ", 0) ==
        0);
  CHECK(errors[0]["exit_code"] == kExitFailure);
  CHECK_FALSE(std::filesystem::exists(config.pepper_file));
}

TEST_CASE("a pepper that cannot be used refuses with 1 after the ledger opens, and loads nothing",
          "[server][daemon]") {
  TempDir scratch;
  CapturedLog log;
  SeededRandom random{1};
  const ServerConfig config = config_in(scratch);
  const DataFolder data(config.data_dir);
  std::filesystem::create_directories(data.ledger);
  write_file(config.pepper_file, "short");
  REQUIRE(::chmod(config.pepper_file.c_str(), 0600) == 0);
  OpenLedger ledger;
  CHECK(open_ledger(config, data, random, log.log, ledger) == kExitFailure);
  CHECK_FALSE(ledger.secret_hasher);
  CHECK_FALSE(ledger.projection);
  const auto errors = log.error_lines();
  REQUIRE(errors.size() == 1);
  CHECK(errors[0]["msg"].get<std::string>().rfind("pepper: ", 0) == 0);
  CHECK(errors[0]["reason"] == "pepper_too_short");
}

TEST_CASE(
    "a leader syncs each append unless --no-sync; a follower, whose copy is the stream, does not",
    "[server][daemon]") {
  ServerConfig leader;
  CHECK(keyledger::server::syncs_appends(leader));
  leader.sync = false;
  CHECK_FALSE(keyledger::server::syncs_appends(leader));
  ServerConfig follower;
  follower.follower = true;
  CHECK_FALSE(keyledger::server::syncs_appends(follower));
}
