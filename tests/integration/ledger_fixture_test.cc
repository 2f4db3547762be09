// Ledgers written by earlier builds keep working. Each folder under
// tests/fixtures/ledger-* is a ledger a real keyledgerd of that day wrote
// (tests/fixtures/make_ledger_fixture.sh), committed as the rows of its
// column families (ledger.json: every key and value as keyledger wrote
// them, not RocksDB's own files) with a manifest of the tokens it issued,
// what became of them, and the fixture's own pepper. Every later
// build must open it, prove it intact, and serve it: the same head, the
// same users, live keys verifying, deleted ones refused.
#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/support/binaries.h"
#include "tests/support/command_runner.h"
#include "tests/support/files.h"
#include "tests/support/http_client.h"
#include "tests/support/raw_rocks.h"
#include "tests/support/server_process.h"
#include "tests/support/temp_dir.h"

using namespace keyledger::testing;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

const fs::path kFixtures = KEYLEDGER_FIXTURES_DIR;

std::string from_hex(const std::string& hex) {
  REQUIRE(hex.size() % 2 == 0);
  std::string bytes;
  for (std::size_t i = 0; i < hex.size(); i += 2)
    bytes += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  return bytes;
}

// A data folder holding a fixture's ledger, written back from its rows, and
// its pepper, private as keyledgerd rightly insists.
fs::path copy_fixture(const fs::path& fixture, const TempDir& scratch) {
  const fs::path data = scratch / "data";
  fs::create_directory(data);
  fs::permissions(data, fs::perms::owner_all, fs::perm_options::replace);
  std::vector<std::pair<std::string, FamilyRows>> families;
  const json dump = json::parse(read_file(fixture / "ledger.json"));
  for (const auto& [name, rows] : dump["families"].items()) {
    FamilyRows& decoded = families.emplace_back(name, FamilyRows{}).second;
    for (const auto& row : rows)
      decoded.emplace_back(from_hex(row[0].get<std::string>()),
                           from_hex(row[1].get<std::string>()));
  }
  create_rocksdb(data / "ledger", families);
  fs::permissions(data / "ledger", fs::perms::owner_all, fs::perm_options::replace);
  const json manifest = json::parse(read_file(fixture / "manifest.json"));
  write_file(data / "pepper", manifest["test_pepper"].get<std::string>());
  fs::permissions(data / "pepper", fs::perms::owner_read | fs::perms::owner_write,
                  fs::perm_options::replace);
  return data;
}

std::vector<fs::path> fixture_folders() {
  std::vector<fs::path> folders;
  for (const auto& entry : fs::directory_iterator(kFixtures))
    if (entry.is_directory() && entry.path().filename().string().rfind("ledger-", 0) == 0)
      folders.push_back(entry.path());
  std::sort(folders.begin(), folders.end());
  return folders;
}

json key_in(const json& credentials, const std::string& id) {
  for (const auto& key : credentials["keys"])
    if (key["id"] == id) return key;
  return nullptr;
}

}  // namespace

TEST_CASE(
    "every committed ledger fixture passes keyledger verify with the head it was written with",
    "[integration][fixtures]") {
  const auto folders = fixture_folders();
  REQUIRE_FALSE(folders.empty());
  for (const auto& fixture : folders) {
    INFO("fixture " << fixture.filename().string());
    const json manifest = json::parse(read_file(fixture / "manifest.json"));
    TempDir scratch;
    const fs::path data = copy_fixture(fixture, scratch);
    auto verified =
        run_command(keyledger_tool_path(), {"verify", "--data", data.string(), "--expect-head",
                                            manifest["head_hash"].get<std::string>()});
    INFO(verified.out << verified.err);
    CHECK(verified.exit_code == 0);
    // Its records were written by an older fold: not compared, but said.
    CHECK(verified.out.find("projection version") != std::string::npos);
    CHECK(verified.out.find("head seq " + std::to_string(manifest["head_seq"].get<int>()) +
                            " hash " + manifest["head_hash"].get<std::string>()) !=
          std::string::npos);
  }
}

TEST_CASE("keyledgerd serves every committed ledger fixture: live keys verify, deleted keys do not",
          "[integration][fixtures]") {
  for (const auto& fixture : fixture_folders()) {
    INFO("fixture " << fixture.filename().string());
    const json manifest = json::parse(read_file(fixture / "manifest.json"));
    TempDir scratch;
    ServerProcess server(copy_fixture(fixture, scratch), {});
    // Listed before any verification here, which would record new uses.
    HttpClient olga(server.port());
    REQUIRE(olga.login("olga", manifest["passwords"]["olga"]).status == 200);
    auto listed = olga.get("/v1/credentials");
    REQUIRE(listed.status == 200);
    const json credentials = listed.json();
    for (const auto& key : manifest["keys"]) {
      const json shown = key_in(credentials, key["id"]);
      if (key["owner"] != "olga" || !key["live"].get<bool>()) {
        CHECK(shown.is_null());
        continue;
      }
      REQUIRE(shown.is_object());
      CHECK(shown["name"] == key["name"]);
      CHECK(shown["last_used_ip"] == key["last_used_ip"]);
    }

    HttpClient anyone(server.port());
    for (const auto& key : manifest["keys"]) {
      INFO("key " << key["name"].get<std::string>());
      auto verified = anyone.get("/v1/verify", {{"MC-Api-Key", key["token"].get<std::string>()}});
      if (key["live"].get<bool>()) {
        REQUIRE(verified.status == 200);
        CHECK(verified.json()["key_id"] == key["id"]);
        CHECK(verified.json()["user"] == key["owner"]);
      } else {
        CHECK(verified.status == 401);
        CHECK(verified.error_code() == "invalid_credentials");
      }
    }

    HttpClient admin(server.port());
    REQUIRE(admin.login("admin", manifest["passwords"]["admin"]).status == 200);
    auto users = admin.get("/v1/users");
    REQUIRE(users.status == 200);
    for (const auto& [name, expected] : manifest["users"].items()) {
      INFO("user " << name);
      json shown;
      const json listed_users = users.json();
      for (const auto& user : listed_users["users"])
        if (user["user"] == name) shown = user;
      REQUIRE(shown.is_object());
      CHECK(shown["privilege"] == expected["privilege"]);
      CHECK(shown["disabled"] == expected.value("disabled", false));
    }
    // A user the fixture disabled cannot sign in.
    HttpClient ada(server.port());
    CHECK(ada.login("ada", manifest["passwords"]["ada"]).status == 401);
    // One locked by ten failed sign-ins before such locks ended by
    // themselves: the lock ended 15 minutes after it was written.
    HttpClient mallory(server.port());
    CHECK(mallory.login("mallory", manifest["passwords"]["mallory"]).status == 200);
    CHECK(server.stop() == 0);
    // keyledgerd rebuilt the records with this build's fold: they now
    // equal a replay, and the history is the one written.
    auto verified = run_command(keyledger_tool_path(),
                                {"verify", "--data", (scratch / "data").string(), "--expect-head",
                                 manifest["head_hash"].get<std::string>()});
    INFO(verified.out << verified.err);
    CHECK(verified.exit_code == 0);
    CHECK(verified.out.find("stored projection equals replay") != std::string::npos);
  }
}
