// The whole life of a key through a real keyledgerd: sign in, create, list,
// verify, last use shown, rename, delete → 401 on the next request,
// history, audit, a restart that keeps everything, a crash that loses no
// use the log holds, and a restart refused because the ledger's pepper is
// missing or another.
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "tests/support/binaries.h"
#include "tests/support/command_runner.h"
#include "tests/support/files.h"
#include "tests/support/http_client.h"
#include "tests/support/server_process.h"

using namespace keyledger::testing;
using nlohmann::json;

namespace {

json find_key(const json& credentials, const std::string& id) {
  // `credentials` must outlive the loop: callers pass a named value or a
  // temporary that lives to the end of their full expression.
  for (const auto& key : credentials["keys"])
    if (key["id"] == id) return key;
  return nullptr;
}

}  // namespace

TEST_CASE("a key lives from creation to deletion through the HTTP API", "[integration]") {
  ServerProcess server;
  HttpClient admin(server.port());
  REQUIRE(admin.login("admin", kAdminPassword).status == 200);
  REQUIRE(
      admin.post_json("/v1/users", {{"user", "alice"}, {"password", "alice-password"}}).status ==
      201);

  HttpClient alice(server.port());
  auto login = alice.login("alice", "alice-password");
  REQUIRE(login.status == 200);
  CHECK(login.json()["privilege"] == "user");
  CHECK(login.headers["set-cookie"].find("HttpOnly") != std::string::npos);
  CHECK(login.headers["set-cookie"].find("SameSite=Strict") != std::string::npos);

  auto created = alice.post_json("/v1/keys", {{"name", "  billing service  "}});
  REQUIRE(created.status == 201);
  const std::string id = created.json()["id"];
  const std::string token = created.json()["key"];
  CHECK(created.json()["name"] == "billing service");
  CHECK(token.rfind("kl_" + id + "_", 0) == 0);

  auto listed = alice.get("/v1/credentials");
  REQUIRE(listed.status == 200);
  json key = find_key(listed.json(), id);
  REQUIRE(key.is_object());
  CHECK(key["name"] == "billing service");
  CHECK(key["last_used_ip"].is_null());
  CHECK(key["last_used_at"].is_null());
  CHECK(listed.json()["api_endpoint"].get<std::string>().find("/v1") != std::string::npos);
  CHECK(listed.body.find(token) == std::string::npos);  // the token is shown once only

  HttpClient api_server(server.port());
  auto verified = api_server.get("/v1/verify", {{"MC-Api-Key", token}});
  REQUIRE(verified.status == 200);
  CHECK(verified.json() == json{{"user", "alice"}, {"privilege", "user"}, {"key_id", id}});
  CHECK(api_server.get("/v1/verify", {{"Authorization", "Bearer " + token}}).status == 200);

  key = find_key(alice.get("/v1/credentials").json(), id);
  CHECK(key["last_used_ip"] == "127.0.0.1");
  CHECK(key["last_used_at"].is_string());

  auto renamed = alice.patch_json("/v1/keys/" + id, {{"name", "billing v2"}});
  REQUIRE(renamed.status == 200);
  CHECK(renamed.json()["name"] == "billing v2");

  REQUIRE(alice.del("/v1/keys/" + id).status == 204);
  CHECK(find_key(alice.get("/v1/credentials").json(), id).is_null());
  auto rejected = api_server.get("/v1/verify", {{"MC-Api-Key", token}});
  CHECK(rejected.status == 401);
  CHECK(rejected.error_code() == "invalid_credentials");

  auto history = alice.get("/v1/keys/" + id + "/events");
  REQUIRE(history.status == 200);
  std::vector<std::string> actions;
  const json history_body = history.json();  // range-for over a temporary's member would dangle
  for (const auto& event : history_body["events"]) actions.push_back(event["action"]);
  CHECK(std::count(actions.begin(), actions.end(), "key_created") == 1);
  CHECK(std::count(actions.begin(), actions.end(), "key_renamed") == 1);
  CHECK(std::count(actions.begin(), actions.end(), "key_deleted") == 1);
  CHECK(history.json()["events"][0]["actor"] == "alice");
  CHECK(history.json()["events"][0]["actor_ip"] == "127.0.0.1");

  auto audit = admin.get("/v1/audit?key=" + id);
  REQUIRE(audit.status == 200);
  REQUIRE(audit.json()["events"].size() == 3);
  CHECK(audit.json()["events"][0]["action"] == "key_created");
  CHECK(audit.json()["events"][0]["owner"] == "alice");
  CHECK(audit.json()["events"][2]["action"] == "key_deleted");
  CHECK(alice.get("/v1/audit").status == 403);
}

TEST_CASE("a restart keeps keys, deletions and the last use flushed at shutdown", "[integration]") {
  ServerProcess server({"--flush-interval", "3600"});
  HttpClient admin(server.port());
  REQUIRE(admin.login("admin", kAdminPassword).status == 200);
  auto kept = admin.post_json("/v1/keys", {{"name", "kept"}});
  auto gone = admin.post_json("/v1/keys", {{"name", "gone"}});
  REQUIRE(kept.status == 201);
  REQUIRE(gone.status == 201);
  const std::string kept_token = kept.json()["key"];
  const std::string gone_token = gone.json()["key"];
  REQUIRE(admin.del("/v1/keys/" + gone.json()["id"].get<std::string>()).status == 204);
  HttpClient client(server.port());
  // First use persists at once (new IP); the second only in memory until
  // shutdown, because the flush interval is an hour.
  REQUIRE(client.get("/v1/verify", {{"MC-Api-Key", kept_token}}).status == 200);
  REQUIRE(client.get("/v1/verify", {{"MC-Api-Key", kept_token}}).status == 200);
  const json before = find_key(admin.get("/v1/credentials").json(), kept.json()["id"]);

  REQUIRE(server.stop() == 0);
  server.restart();

  HttpClient after(server.port());
  REQUIRE(after.login("admin", kAdminPassword).status == 200);
  const json key = find_key(after.get("/v1/credentials").json(), kept.json()["id"]);
  REQUIRE(key.is_object());
  CHECK(key["last_used_at"] == before["last_used_at"]);
  CHECK(key["last_used_ip"] == "127.0.0.1");
  CHECK(after.get("/v1/verify", {{"MC-Api-Key", kept_token}}).status == 200);
  CHECK(after.get("/v1/verify", {{"MC-Api-Key", gone_token}}).status == 401);
}

TEST_CASE("a restart without the ledger's pepper is refused and the keys survive its return",
          "[integration]") {
  ServerProcess server;
  HttpClient admin(server.port());
  REQUIRE(admin.login("admin", kAdminPassword).status == 200);
  auto created = admin.post_json("/v1/keys", {{"name", "bound"}});
  REQUIRE(created.status == 201);
  const std::string token = created.json()["key"];
  REQUIRE(server.stop() == 0);

  const auto pepper = server.data_dir() / "pepper";
  TempDir aside;  // the real pepper waits here and is removed with it, whatever happens
  const auto kept = aside / "pepper";
  std::filesystem::rename(pepper, kept);
  auto start = [&](const std::vector<std::string>& extra) {
    std::vector<std::string> args = {"--data", server.data_dir().string(), "--listen",
                                     "127.0.0.1:0"};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_command(keyledgerd_path(), args);
  };
  SECTION("the file is missing") {
    auto refused = start({});
    CHECK(refused.exit_code == 1);
    CHECK(refused.err.find("pepper_missing") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(pepper));  // not replaced by a new one
  }
  SECTION("another pepper is named") {
    const auto other = aside / "other-pepper";
    std::ofstream(other) << std::string(64, 'a');
    std::filesystem::permissions(
        other, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    auto refused = start({"--pepper-file", other.string()});
    std::filesystem::remove(other);
    CHECK(refused.exit_code == 1);
    CHECK(refused.err.find("pepper_mismatch") != std::string::npos);
  }

  std::filesystem::rename(kept, pepper);
  server.restart();
  HttpClient client(server.port());
  CHECK(client.get("/v1/verify", {{"MC-Api-Key", token}}).status == 200);
}

TEST_CASE("a first start refuses a weak admin password from the environment", "[integration]") {
  TempDir scratch;
  // Inside the scratch folder: ServerProcess writes its log beside the data.
  const auto data = scratch / "data";
  const char* kept = std::getenv("KEYLEDGER_ADMIN_PASSWORD");
  const std::string previous = kept ? kept : "";
  ::setenv("KEYLEDGER_ADMIN_PASSWORD", "short", 1);
  auto refused = run_command(keyledgerd_path(), {"--data", data.string(), "--listen", "127.0.0.1:0",
                                                 "--scrypt-cost", "10"});
  if (kept)
    ::setenv("KEYLEDGER_ADMIN_PASSWORD", previous.c_str(), 1);
  else
    ::unsetenv("KEYLEDGER_ADMIN_PASSWORD");
  CHECK(refused.exit_code == 1);
  CHECK(refused.err.find("KEYLEDGER_ADMIN_PASSWORD") != std::string::npos);
  CHECK(refused.err.find("password_too_short") != std::string::npos);
  CHECK(refused.out.find("created user admin") == std::string::npos);
  CHECK_FALSE(std::filesystem::exists(data));  // refused before anything was created

  // No user was made: the next start, with a good password, makes the admin.
  ServerProcess server(data, {});
  HttpClient admin(server.port());
  CHECK(admin.login("admin", kAdminPassword).status == 200);
}

TEST_CASE("a crash keeps every use the log holds and loses at most those since the last flush",
          "[integration]") {
  // Uses from 10.0.0.1 arrive through a trusted proxy (this test), so the
  // address is the test's to choose.
  ServerProcess server({"--flush-interval", "1", "--trusted-proxy", "127.0.0.1"});
  HttpClient admin(server.port());
  REQUIRE(admin.login("admin", kAdminPassword).status == 200);
  auto created = admin.post_json("/v1/keys", {{"name", "used"}});
  REQUIRE(created.status == 201);
  const std::string id = created.json()["id"];
  const std::string token = created.json()["key"];
  HttpClient client(server.port());
  auto verify = [&] {
    REQUIRE(
        client.get("/v1/verify", {{"MC-Api-Key", token}, {"X-Forwarded-For", "10.0.0.1"}}).status ==
        200);
  };
  // The last use the credentials list shows (memory, exact at once).
  auto shown_use = [&](HttpClient& as) {
    const json key = find_key(as.get("/v1/credentials").json(), id);
    REQUIRE(key.is_object());
    return std::pair{key["last_used_ip"].get<std::string>(),
                     key["last_used_at"].get<std::string>()};
  };
  // Whether the log holds a use of the key at `used_at` (its history is
  // read from the log). Polled by attempts, never timed.
  auto logged = [&](const std::string& used_at) {
    for (int attempt = 0; attempt < 600; ++attempt) {
      const json history = admin.get("/v1/keys/" + id + "/events").json();
      for (const auto& event : history["events"])
        if (event["action"] == "key_used" && event["used_at"] == used_at) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  };
  // A use whose time differs from the one shown before.
  auto new_use = [&](const std::string& before) {
    for (int attempt = 0; attempt < 100; ++attempt) {
      verify();
      if (shown_use(admin).second != before) return shown_use(admin);
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    FAIL("the use time never changed");
    return shown_use(admin);
  };

  // A key's first use (a new address) is submitted at once.
  const auto first = new_use("");
  CHECK(first.first == "10.0.0.1");
  REQUIRE(logged(first.second));
  // Later uses from that address are kept in memory and flushed once per
  // interval.
  const auto flushed = new_use(first.second);
  REQUIRE(logged(flushed.second));
  // A use just before the crash may be lost; nothing the log holds is.
  const auto last = new_use(flushed.second);
  server.kill_hard();
  server.restart();

  HttpClient after(server.port());
  REQUIRE(after.login("admin", kAdminPassword).status == 200);
  const auto restored = shown_use(after);
  CHECK(restored.first == "10.0.0.1");
  CHECK((restored.second == flushed.second || restored.second == last.second));
  CHECK(after.get("/v1/verify", {{"MC-Api-Key", token}}).status == 200);
}

TEST_CASE("the password made at the first start is one-time", "[integration]") {
  // No password in the environment: keyledgerd makes one and writes it to
  // a file in the data folder (tests/integration/startup_test.cc).
  TempDir scratch;
  ServerProcess server(scratch / "data", {}, {{"KEYLEDGER_ADMIN_PASSWORD", ""}});
  std::string printed = read_file(scratch / "data" / "initial-admin-password");
  REQUIRE(!printed.empty());
  printed.pop_back();  // the newline
  REQUIRE(printed.size() >= 8);

  HttpClient admin(server.port());
  auto signed_in = admin.login("admin", printed);
  REQUIRE(signed_in.status == 200);
  CHECK(signed_in.json()["password_change_required"] == true);
  for (auto refused : {admin.get("/v1/credentials"), admin.get("/v1/users"),
                       admin.post_json("/v1/keys", {{"name", "too early"}})}) {
    CHECK(refused.status == 403);
    CHECK(refused.error_code() == "password_change_required");
  }
  auto kept =
      admin.post_json("/v1/password", {{"current_password", printed}, {"new_password", printed}});
  CHECK(kept.status == 400);
  CHECK(kept.error_code() == "password_reused");
  REQUIRE(admin
              .post_json("/v1/password",
                         {{"current_password", printed}, {"new_password", "the-admins-own"}})
              .status == 204);
  CHECK(admin.get("/v1/credentials").status == 200);
  CHECK(admin.post_json("/v1/keys", {{"name", "now"}}).status == 201);

  // For good: after a restart too, and the printed password is gone.
  REQUIRE(server.stop() == 0);
  server.restart();
  HttpClient again(server.port());
  CHECK(again.login("admin", printed).status == 401);
  auto own = again.login("admin", "the-admins-own");
  REQUIRE(own.status == 200);
  CHECK(own.json()["password_change_required"] == false);
  CHECK(server.output().find("one-time password") == std::string::npos);  // not named again
}
