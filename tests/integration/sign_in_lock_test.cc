// Locks after failed sign-ins, through a real keyledgerd: they end by
// themselves, an admin or --unlock lifts them at once, and a name nobody
// holds is answered exactly like a user's, with the same password work.
#include <catch2/catch.hpp>
#include <chrono>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <thread>

#include "tests/support/eventually.h"
#include "tests/support/http_client.h"
#include "tests/support/loopback.h"
#include "tests/support/server_process.h"

using namespace keyledger::testing;
using nlohmann::json;

namespace {

// A sign-in sent from `source_ip`, so that many failures do not meet the
// per-address limit (--max-failed-sign-ins-per-ip) first.
RawHttpResponse sign_in_from(const std::string& source_ip, unsigned short port,
                             const std::string& user, const std::string& password) {
  const std::string body = json{{"user", user}, {"password", password}}.dump();
  return http_exchange_from(
      source_ip, port,
      http_request_text("POST", "/v1/login", {{"Content-Type", "application/json"}}, body));
}

std::uint64_t password_checks(HttpClient& client) {
  const std::string text = client.get("/metrics").body;
  std::smatch match;
  REQUIRE(std::regex_search(text, match, std::regex("\nkeyledger_password_checks_total ([0-9]+)")));
  return std::stoull(match[1]);
}

// The body without the parts that differ between any two answers.
json comparable(const RawHttpResponse& response) {
  json body = json::parse(response.body);
  for (auto& error : body["errors"]) error.erase("request_id");
  return body;
}

void create_user(HttpClient& admin, const std::string& user, const std::string& password) {
  REQUIRE(admin.post_json("/v1/users", {{"user", user}, {"password", password}}).status == 201);
}

// Signs in until it works or `limit` passes; the lock must end by itself.
bool signs_in_within(HttpClient& client, const std::string& user, const std::string& password,
                     std::chrono::seconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (client.login(user, password).status == 200) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

}  // namespace

TEST_CASE("a name nobody holds is answered like a user's and costs the same password work",
          "[integration][sign_in]") {
  ServerProcess server;
  HttpClient admin(server.port());
  REQUIRE(admin.login("admin", kAdminPassword).status == 200);
  create_user(admin, "carol", "carol-password");

  for (const std::string name : {"carol", "nobody"}) {
    INFO("name " << name);
    const std::uint64_t checks_before = password_checks(admin);
    for (int i = 1; i <= 9; ++i) {
      auto failed = sign_in_from("127.0.0." + std::to_string(10 + i), server.port(), name, "wrong");
      CHECK(failed.status == 401);
    }
    auto tenth = sign_in_from("127.0.0.30", server.port(), name, "wrong");
    CHECK(tenth.status == 423);
    // Locked: the right password or not, no password work is done at all.
    auto eleventh = sign_in_from("127.0.0.31", server.port(), name, "carol-password");
    CHECK(eleventh.status == 423);
    CHECK(password_checks(admin) - checks_before == 10);
  }
  // Status and body alike, for a user and for nobody, before and at the lock.
  auto user_401 = sign_in_from("127.0.0.40", server.port(), "alice-unknown", "x");
  REQUIRE(admin.post_json("/v1/users", {{"user", "dora"}, {"password", "dora-password"}}).status ==
          201);
  auto known_401 = sign_in_from("127.0.0.41", server.port(), "dora", "x");
  CHECK(user_401.status == known_401.status);
  CHECK(comparable(user_401) == comparable(known_401));
  auto known_423 = sign_in_from("127.0.0.42", server.port(), "carol", "x");
  auto unknown_423 = sign_in_from("127.0.0.42", server.port(), "nobody", "x");
  CHECK(known_423.status == 423);
  CHECK(unknown_423.status == 423);
  CHECK(comparable(known_423) == comparable(unknown_423));
  CHECK(known_423.headers.count("retry-after") == unknown_423.headers.count("retry-after"));
}

namespace {

// The entry of `name` in GET /v1/users (null when it has none).
json user_entry(HttpClient& admin, const std::string& name) {
  const json users = admin.get("/v1/users").json();
  for (const auto& user : users["users"])
    if (user["user"] == name) return user;
  return nullptr;
}

// Ten failed sign-ins of `name`, each from an address of its own; the
// tenth locks.
void lock_by_failures(unsigned short port, const std::string& name, int first_address) {
  for (int i = 1; i <= 10; ++i) {
    auto failed = sign_in_from("127.0.0." + std::to_string(first_address + i), port, name, "wrong");
    CHECK(failed.status == (i < 10 ? 401u : 423u));
  }
}

}  // namespace

TEST_CASE("a lock for failed sign-ins ends by itself", "[integration][sign_in]") {
  ServerProcess server({"--lockout", "1s", "--max-lockout", "1h"});
  HttpClient admin(server.port()), carol(server.port());
  REQUIRE(admin.login("admin", kAdminPassword).status == 200);
  create_user(admin, "carol", "carol-password");
  lock_by_failures(server.port(), "carol", 50);
  // Waits for the end rather than timing it: the lock is a second long.
  CHECK(signs_in_within(carol, "carol", "carol-password", std::chrono::seconds(60)));
  const json carol_now = user_entry(admin, "carol");
  CHECK(carol_now["locked"] == false);
  CHECK(carol_now["locked_until"].is_null());
}

TEST_CASE("a lock for failed sign-ins survives a restart with the same end",
          "[integration][sign_in]") {
  ServerProcess server({"--lockout", "1h", "--max-lockout", "1d"});
  HttpClient admin(server.port()), carol(server.port());
  REQUIRE(admin.login("admin", kAdminPassword).status == 200);
  create_user(admin, "carol", "carol-password");
  lock_by_failures(server.port(), "carol", 80);
  CHECK(carol.login("carol", "carol-password").status == 423);
  // The tenth failure is answered before its event is on disk; wait for it.
  json before;
  REQUIRE(eventually([&] {
    before = user_entry(admin, "carol");
    return before["locked"] == true;
  }));
  REQUIRE(before["locked_until"].is_string());

  // The lock is in the ledger, with its end: a restart keeps both.
  server.restart();
  HttpClient after(server.port()), admin_after(server.port());
  CHECK(after.login("carol", "carol-password").status == 423);
  REQUIRE(admin_after.login("admin", kAdminPassword).status == 200);
  const json restarted = user_entry(admin_after, "carol");
  CHECK(restarted["locked"] == true);
  CHECK(restarted["locked_until"] == before["locked_until"]);
}

TEST_CASE("keyledgerd --unlock lifts a lock at start, whoever set it", "[integration][sign_in]") {
  ServerProcess server;
  HttpClient admin(server.port());
  REQUIRE(admin.login("admin", kAdminPassword).status == 200);
  create_user(admin, "carol", "carol-password");
  REQUIRE(admin.patch_json("/v1/users/carol", {{"locked", true}}).status == 200);
  HttpClient carol(server.port());
  REQUIRE(carol.login("carol", "carol-password").status == 423);
  REQUIRE(server.stop() == 0);

  ServerProcess unlocked(server.data_dir(), {"--unlock", "carol"});
  HttpClient again(unlocked.port());
  CHECK(again.login("carol", "carol-password").status == 200);
  CHECK(unlocked.output().find("carol") != std::string::npos);
}

TEST_CASE("keyledgerd --unlock of a user that does not exist refuses to start",
          "[integration][sign_in]") {
  ServerProcess server;
  REQUIRE(server.stop() == 0);
  CHECK_THROWS(ServerProcess(server.data_dir(), {"--unlock", "nobody"}));
}

TEST_CASE("keyledgerd refuses a --max-lockout shorter than --lockout", "[integration][sign_in]") {
  CHECK_THROWS(ServerProcess({"--lockout", "1h", "--max-lockout", "10m"}));
  CHECK_THROWS(ServerProcess({"--lockout", "15x"}));
}

TEST_CASE("a name no user could have is refused at once: no password work, never locked",
          "[integration][sign_in]") {
  ServerProcess server;
  HttpClient admin(server.port());
  REQUIRE(admin.login("admin", kAdminPassword).status == 200);
  const std::uint64_t checks_before = password_checks(admin);
  for (const std::string& name : {std::string(60'000, 'a'), std::string("Upper"),
                                  std::string("system"), std::string("-dash"), std::string("")}) {
    for (int i = 1; i <= 12; ++i) {
      INFO("name of " << name.size() << " bytes, try " << i);
      auto refused = sign_in_from("127.0.0." + std::to_string(60 + i), server.port(), name, "x");
      CHECK(refused.status == 401);
    }
  }
  CHECK(password_checks(admin) == checks_before);
}

TEST_CASE("an admin's unlock of a lock that has ended is recorded, so the next lock is short",
          "[integration][sign_in]") {
  ServerProcess server({"--lockout", "1s", "--max-lockout", "1h"});
  HttpClient admin(server.port());
  REQUIRE(admin.login("admin", kAdminPassword).status == 200);
  create_user(admin, "carol", "carol-password");
  for (int i = 1; i <= 10; ++i)
    sign_in_from("127.0.0." + std::to_string(70 + i), server.port(), "carol", "x");
  HttpClient carol(server.port());
  REQUIRE(signs_in_within(carol, "carol", "carol-password", std::chrono::seconds(30)));
  REQUIRE(admin.patch_json("/v1/users/carol", {{"locked", false}}).status == 200);
  const json rows = admin.get("/v1/audit?user=carol&action=user_unlocked").json()["events"];
  CHECK(rows.size() == 1);
}
