// The data folder's privacy (server/daemon/data_folder.h): a folder others may
// write to is refused before anything changes; new folders are made 0700;
// an old ledger folder readable by others is made 0700 and the change
// logged; DATA itself keeps the mode its owner gave it.
#include "server/daemon/data_folder.h"

#include <sys/stat.h>

#include <catch2/catch.hpp>

#include "tests/server/captured_log.h"
#include "tests/support/temp_dir.h"

using keyledger::StatusCode;
using keyledger::server::check_data_folder;
using keyledger::server::DataFolder;
using keyledger::server::ledger_is_new;
using keyledger::server::prepare_data_folder;
using keyledger::testing::CapturedLog;
using keyledger::testing::TempDir;

namespace {

mode_t mode_of(const std::filesystem::path& path) {
  struct stat info {};
  REQUIRE(::stat(path.c_str(), &info) == 0);
  return info.st_mode & 07777;
}

void make_folder(const std::filesystem::path& path, mode_t mode) {
  std::filesystem::create_directories(path);
  REQUIRE(::chmod(path.c_str(), mode) == 0);
}

}  // namespace

TEST_CASE("a data folder that does not exist yet is accepted and created private",
          "[server][data-folder]") {
  TempDir scratch;
  const DataFolder data(scratch / "a" / "data");
  REQUIRE(check_data_folder(data).is_ok());
  CHECK(ledger_is_new(data));
  CHECK_FALSE(std::filesystem::exists(data.root));  // checking changes nothing
  CapturedLog captured;
  REQUIRE(prepare_data_folder(data, captured.log).is_ok());
  CHECK(mode_of(data.root) == 0700);
  CHECK(mode_of(data.ledger) == 0700);
  CHECK(ledger_is_new(data));  // still empty
  CHECK(captured.lines().empty());
}

TEST_CASE("a data or ledger folder that group or others may write to is refused",
          "[server][data-folder]") {
  TempDir scratch;
  const DataFolder data(scratch / "data");
  const auto [folder, mode] = GENERATE(table<std::string, mode_t>({{"data", 0777},
                                                                   {"data", 0775},
                                                                   {"data", 0757},
                                                                   {"data", 01777},
                                                                   {"ledger", 0777},
                                                                   {"ledger", 0770}}));
  INFO(folder << " " << std::oct << mode);
  make_folder(data.ledger, 0700);
  make_folder(data.root, 0700);
  const auto loose = folder == "data" ? data.root : data.ledger;
  REQUIRE(::chmod(loose.c_str(), mode) == 0);
  auto refused = check_data_folder(data);
  REQUIRE_FALSE(refused.is_ok());
  CHECK(refused.code() == StatusCode::kFailedPrecondition);
  CHECK(refused.reason() == "data_folder_not_private");
  CHECK(refused.message().find(loose.string()) != std::string::npos);
  CHECK(mode_of(loose) == mode);
}

TEST_CASE("folders that others may only read are accepted; the ledger's is made private",
          "[server][data-folder]") {
  TempDir scratch;
  const DataFolder data(scratch / "data");
  make_folder(data.ledger, 0755);
  make_folder(data.root, 0755);
  REQUIRE(check_data_folder(data).is_ok());
  CapturedLog captured;
  REQUIRE(prepare_data_folder(data, captured.log).is_ok());
  CHECK(mode_of(data.ledger) == 0700);
  CHECK(mode_of(data.root) == 0755);
  const auto lines = captured.lines();
  REQUIRE(lines.size() == 1);
  CHECK(lines[0]["level"] == "warn");
  CHECK(lines[0]["path"] == data.ledger.string());
  CHECK(lines[0]["mode_was"] == "0755");
  CHECK(lines[0]["mode"] == "0700");

  SECTION("and nothing more is said once it is") {
    CapturedLog again;
    REQUIRE(prepare_data_folder(data, again.log).is_ok());
    CHECK(again.lines().empty());
  }
}
