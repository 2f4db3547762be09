// Who may do what, through a real keyledgerd: users are isolated from each
// other, a key carries its user's current privilege and state, failed
// sign-ins lock a user, failed verifications are rate-limited per client,
// API keys authenticate management calls, sessions end at sign-out, and the
// access log never holds a secret.
#include <catch2/catch.hpp>

#include "tests/support/eventually.h"
#include "tests/support/http_client.h"
#include "tests/support/server_process.h"

using namespace keyledger::testing;
using nlohmann::json;

namespace {

void create_user(HttpClient& admin, const std::string& user, const std::string& password,
                 const std::string& privilege = "user") {
  auto created = admin.post_json(
      "/v1/users", {{"user", user}, {"password", password}, {"privilege", privilege}});
  REQUIRE(created.status == 201);
}

// Creates a key as `client`; returns {id, token}.
std::pair<std::string, std::string> create_key(HttpClient& client, const std::string& name) {
  auto created = client.post_json("/v1/keys", {{"name", name}});
  REQUIRE(created.status == 201);
  const json body = created.json();
  return {body["id"].get<std::string>(), body["key"].get<std::string>()};
}

std::vector<std::string> key_ids(const HttpResult& credentials) {
  std::vector<std::string> ids;
  const json body = credentials.json();  // the loop must not run over a temporary's member
  for (const auto& key : body.value("keys", json::array())) ids.push_back(key["id"]);
  return ids;
}

json find_key(const HttpResult& credentials, const std::string& id) {
  const json body = credentials.json();
  for (const auto& key : body.value("keys", json::array()))
    if (key["id"] == id) return key;
  return nullptr;
}

HttpResult verify(unsigned short port, const std::string& token) {
  HttpClient client(port);
  return client.get("/v1/verify", {{"MC-Api-Key", token}});
}

// What the server wrote (access log included) must hold none of `secrets`.
void check_no_secret_logged(const ServerProcess& server, const std::vector<std::string>& secrets) {
  const std::string output = server.output();
  REQUIRE(output.find("\"route\"") != std::string::npos);  // the access log is on
  for (const auto& secret : secrets) {
    INFO("secret: " << secret);
    CHECK(output.find(secret) == std::string::npos);
  }
}

}  // namespace

TEST_CASE("users see and change only their own keys", "[integration]") {
  ServerProcess server;
  HttpClient admin(server.port()), alice(server.port()), bob(server.port());
  REQUIRE(admin.login("admin", kAdminPassword).status == 200);
  create_user(admin, "alice", "alice-password");
  create_user(admin, "bob", "bob-password");
  REQUIRE(alice.login("alice", "alice-password").status == 200);
  REQUIRE(bob.login("bob", "bob-password").status == 200);
  const auto [alice_id, alice_token] = create_key(alice, "alice app");
  const auto [bob_id, bob_token] = create_key(bob, "bob app");

  auto alice_list = alice.get("/v1/credentials");
  REQUIRE(alice_list.status == 200);
  CHECK(key_ids(alice_list) == std::vector<std::string>{alice_id});
  CHECK(alice_list.body.find(bob_id) == std::string::npos);
  CHECK(key_ids(bob.get("/v1/credentials")) == std::vector<std::string>{bob_id});

  // Through the session and through alice's own key alike.
  HttpClient alice_by_key(server.port());
  const std::map<std::string, std::string> alice_key_header = {{"MC-Api-Key", alice_token}};
  for (HttpClient* client : {&alice, &alice_by_key}) {
    const auto headers = client == &alice ? std::map<std::string, std::string>{} : alice_key_header;
    auto renamed = client->patch_json("/v1/keys/" + bob_id, {{"name", "taken over"}}, headers);
    CHECK(renamed.status == 404);
    CHECK(renamed.error_code() == "key_not_found");
    auto deleted = client->del("/v1/keys/" + bob_id, headers);
    CHECK(deleted.status == 404);
    CHECK(deleted.error_code() == "key_not_found");
    auto history = client->get("/v1/keys/" + bob_id + "/events", headers);
    CHECK(history.status == 404);
    CHECK(history.error_code() == "key_not_found");
  }

  const json bob_key = find_key(bob.get("/v1/credentials"), bob_id);
  REQUIRE(bob_key.is_object());
  CHECK(bob_key["name"] == "bob app");
  auto verified = verify(server.port(), bob_token);
  REQUIRE(verified.status == 200);
  CHECK(verified.json()["user"] == "bob");
  CHECK(verify(server.port(), alice_token).json()["user"] == "alice");

  check_no_secret_logged(server, {alice_token, bob_token, kAdminPassword, "alice-password",
                                  "bob-password", alice.csrf_token(), bob.csrf_token()});
}

TEST_CASE("a privilege change applies to the user's existing keys at once", "[integration]") {
  ServerProcess server;
  HttpClient admin(server.port()), alice(server.port()), by_key(server.port());
  REQUIRE(admin.login("admin", kAdminPassword).status == 200);
  create_user(admin, "alice", "alice-password");
  REQUIRE(alice.login("alice", "alice-password").status == 200);
  const auto [id, token] = create_key(alice, "reporting");
  const std::map<std::string, std::string> key_header = {{"MC-Api-Key", token}};

  CHECK(verify(server.port(), token).json()["privilege"] == "user");
  auto refused = by_key.get("/v1/audit", key_header);
  CHECK(refused.status == 403);
  CHECK(refused.error_code() == "forbidden");

  auto promoted = admin.patch_json("/v1/users/alice", {{"privilege", "auditor"}});
  REQUIRE(promoted.status == 200);
  CHECK(promoted.json()["privilege"] == "auditor");
  auto verified = verify(server.port(), token);
  REQUIRE(verified.status == 200);
  CHECK(verified.json() == json{{"user", "alice"}, {"privilege", "auditor"}, {"key_id", id}});
  auto audit = by_key.get("/v1/audit?user=alice", key_header);
  REQUIRE(audit.status == 200);
  CHECK(audit.json()["events"].size() == 3);  // user created, key created, privilege changed
  CHECK(alice.get("/v1/session").json()["privilege"] == "auditor");  // the session follows too
  CHECK(by_key.get("/v1/users", key_header).status == 403);          // an auditor is no admin

  REQUIRE(admin.patch_json("/v1/users/alice", {{"privilege", "user"}}).status == 200);
  CHECK(verify(server.port(), token).json()["privilege"] == "user");
  CHECK(by_key.get("/v1/audit", key_header).status == 403);
}

TEST_CASE("a disabled user's keys and session stop working until re-enabled", "[integration]") {
  ServerProcess server;
  HttpClient admin(server.port()), alice(server.port()), by_key(server.port());
  REQUIRE(admin.login("admin", kAdminPassword).status == 200);
  create_user(admin, "alice", "alice-password");
  REQUIRE(alice.login("alice", "alice-password").status == 200);
  const auto [id, token] = create_key(alice, "worker");
  REQUIRE(verify(server.port(), token).status == 200);

  auto disabled = admin.patch_json("/v1/users/alice", {{"disabled", true}});
  REQUIRE(disabled.status == 200);
  CHECK(disabled.json()["disabled"] == true);
  auto rejected = verify(server.port(), token);
  CHECK(rejected.status == 401);
  CHECK(rejected.error_code() == "invalid_credentials");
  auto by_session = alice.get("/v1/credentials");
  CHECK(by_session.status == 401);
  CHECK(by_session.error_code() == "invalid_credentials");
  CHECK(by_key.get("/v1/credentials", {{"MC-Api-Key", token}}).status == 401);
  HttpClient again(server.port());
  auto sign_in = again.login("alice", "alice-password");
  CHECK(sign_in.status == 401);
  CHECK(sign_in.error_code() == "invalid_credentials");

  auto enabled = admin.patch_json("/v1/users/alice", {{"disabled", false}});
  REQUIRE(enabled.status == 200);
  CHECK(enabled.json()["disabled"] == false);
  auto verified = verify(server.port(), token);
  CHECK(verified.status == 200);
  CHECK(verified.json()["key_id"] == id);
  // Disabling signed the user out everywhere; signing in again works.
  CHECK(alice.get("/v1/credentials").status == 401);
  REQUIRE(alice.login("alice", "alice-password").status == 200);
  CHECK(key_ids(alice.get("/v1/credentials")) == std::vector<std::string>{id});

  auto audit = admin.get("/v1/audit?user=alice&action=user-disabled,user-enabled");
  REQUIRE(audit.status == 200);
  const json rows = audit.json()["events"];
  REQUIRE(rows.size() == 2);
  CHECK(rows[0]["action"] == "user_disabled");
  CHECK(rows[0]["actor"] == "admin");
  CHECK(rows[1]["action"] == "user_enabled");
}

TEST_CASE("ten failed sign-ins in a row lock a user until an admin unlocks it", "[integration]") {
  ServerProcess server;
  HttpClient admin(server.port()), carol(server.port());
  REQUIRE(admin.login("admin", kAdminPassword).status == 200);
  create_user(admin, "carol", "carol-password");

  // A success in between starts the count again.
  for (int i = 0; i < 9; ++i) REQUIRE(carol.login("carol", "wrong-password").status == 401);
  REQUIRE(carol.login("carol", "carol-password").status == 200);
  carol.forget_session();

  for (int i = 1; i <= 9; ++i) {
    INFO("failed sign-in " << i);
    auto failed = carol.login("carol", "wrong-password");
    CHECK(failed.status == 401);
    CHECK(failed.error_code() == "invalid_credentials");
  }
  auto tenth = carol.login("carol", "wrong-password");
  CHECK(tenth.status == 423);
  CHECK(tenth.error_code() == "user_locked");
  auto right = carol.login("carol", "carol-password");
  CHECK(right.status == 423);
  CHECK(right.error_code() == "user_locked");

  // The lock's event is written behind the 423: wait for it in the log.
  json rows;
  REQUIRE(eventually([&] {
    rows = admin.get("/v1/audit?user=carol&action=user-locked").json()["events"];
    return !rows.empty();
  }));
  REQUIRE(rows.size() == 1);
  CHECK(rows[0]["actor"] == "system");
  CHECK(rows[0]["user"] == "carol");
  CHECK(rows[0]["reason"] == "too_many_failed_sign_ins");

  auto unlocked = admin.patch_json("/v1/users/carol", {{"locked", false}});
  REQUIRE(unlocked.status == 200);
  CHECK(unlocked.json()["locked"] == false);
  CHECK(carol.login("carol", "carol-password").status == 200);
  const json unlock_rows = admin.get("/v1/audit?user=carol&action=user-unlocked").json()["events"];
  REQUIRE(unlock_rows.size() == 1);
  CHECK(unlock_rows[0]["actor"] == "admin");
}

TEST_CASE("a refused change to oneself leaves the count of failed sign-ins alone",
          "[integration]") {
  ServerProcess server;
  HttpClient admin(server.port()), root(server.port()), guesser(server.port());
  REQUIRE(admin.login("admin", kAdminPassword).status == 200);
  REQUIRE(admin
              .post_json("/v1/users",
                         {{"user", "root"}, {"password", "root-password"}, {"privilege", "admin"}})
              .status == 201);
  REQUIRE(root.login("root", "root-password").status == 200);
  for (int i = 0; i < 9; ++i) REQUIRE(guesser.login("root", "wrong-password").status == 401);

  // Unlocking is part of the request, but the request is refused as a whole.
  auto refused = root.patch_json("/v1/users/root", {{"locked", false}, {"disabled", true}});
  CHECK(refused.status == 409);
  CHECK(refused.error_code() == "cannot_change_self");

  auto tenth = guesser.login("root", "wrong-password");
  CHECK(tenth.status == 423);
  CHECK(tenth.error_code() == "user_locked");
}

TEST_CASE("an admin gives a user who forgot their password a new one", "[integration]") {
  ServerProcess server;
  HttpClient admin(server.port()), dana(server.port()), guesser(server.port());
  REQUIRE(admin.login("admin", kAdminPassword).status == 200);
  create_user(admin, "dana", "dana-password");
  REQUIRE(dana.login("dana", "dana-password").status == 200);
  const auto [id, token] = create_key(dana, "dana's key");
  for (int i = 0; i < 9; ++i) REQUIRE(guesser.login("dana", "wrong-password").status == 401);

  SECTION("the new password replaces the old, signs the user out and clears the guesses") {
    auto reset = admin.patch_json("/v1/users/dana", {{"password", "fresh-password"}});
    REQUIRE(reset.status == 200);
    CHECK(reset.json()["user"] == "dana");
    CHECK(reset.body.find("fresh-password") == std::string::npos);
    CHECK(dana.get("/v1/credentials").status == 401);              // signed out everywhere
    CHECK(guesser.login("dana", "wrong-password").status == 401);  // not the tenth guess
    CHECK(guesser.login("dana", "dana-password").status == 401);
    // The given password is one-time: it opens only choosing another.
    auto signed_in = dana.login("dana", "fresh-password");
    REQUIRE(signed_in.status == 200);
    CHECK(signed_in.json()["password_change_required"] == true);
    CHECK(admin.get("/v1/users").body.find("\"password_change_required\":true") !=
          std::string::npos);
    auto refused = dana.get("/v1/credentials");
    CHECK(refused.status == 403);
    CHECK(refused.error_code() == "password_change_required");
    CHECK(dana.get("/v1/session").json()["password_change_required"] == true);
    // Keys are not the password: they keep verifying and managing (the
    // user's automation goes on).
    CHECK(guesser.get("/v1/verify", {{"MC-Api-Key", token}}).status == 200);
    CHECK(guesser.get("/v1/credentials", {{"MC-Api-Key", token}}).status == 200);
    // The given password must really be replaced.
    auto kept = dana.post_json("/v1/password", {{"current_password", "fresh-password"},
                                                {"new_password", "fresh-password"}});
    CHECK(kept.status == 400);
    CHECK(kept.error_code() == "password_reused");
    CHECK(dana.get("/v1/credentials").status == 403);
    REQUIRE(dana.post_json("/v1/password", {{"current_password", "fresh-password"},
                                            {"new_password", "danas-own-password"}})
                .status == 204);
    CHECK(dana.get("/v1/credentials").status == 200);
    CHECK(dana.get("/v1/session").json()["password_change_required"] == false);
    CHECK(guesser.get("/v1/credentials", {{"MC-Api-Key", token}}).status == 200);
    const json rows =
        admin.get("/v1/audit?user=dana&action=user-password-changed").json()["events"];
    REQUIRE(rows.size() == 2);  // the admin's, then dana's own
    CHECK(rows[0]["actor"] == "admin");
    CHECK(rows[1]["actor"] == "dana");
  }
  SECTION("a new password unlocks a user locked by failed sign-ins") {
    REQUIRE(guesser.login("dana", "wrong-password").status == 423);  // the tenth: locked
    // The lock's event is written behind the 423; the reset must come after it.
    REQUIRE(eventually(
        [&] { return admin.get("/v1/users").body.find("\"locked\":true") != std::string::npos; }));
    auto reset = admin.patch_json("/v1/users/dana", {{"password", "fresh-password"}});
    REQUIRE(reset.status == 200);
    CHECK(reset.json()["locked"] == false);
    CHECK(reset.json()["password_change_required"] == true);
    CHECK(dana.login("dana", "fresh-password").status == 200);
    // Unless the request itself locks.
    auto locked =
        admin.patch_json("/v1/users/dana", {{"password", "other-password"}, {"locked", true}});
    REQUIRE(locked.status == 200);
    CHECK(locked.json()["locked"] == true);
    CHECK(guesser.login("dana", "other-password").status == 423);
  }
  SECTION("a password that breaks the rules is refused and changes nothing") {
    auto refused = admin.patch_json("/v1/users/dana", {{"password", "short"}, {"disabled", true}});
    CHECK(refused.status == 400);
    CHECK(refused.error_code() == "password_too_short");
    CHECK(refused.json()["errors"][0]["context"]["field"] == "password");
    CHECK(dana.get("/v1/credentials").status == 200);
    CHECK(admin.get("/v1/audit?user=dana&action=user-disabled").json()["events"].empty());
  }
  SECTION("only an admin may, and not for themselves") {
    auto not_admin = dana.patch_json("/v1/users/dana", {{"password", "fresh-password"}});
    CHECK(not_admin.status == 403);
    auto own = admin.patch_json("/v1/users/admin", {{"password", "fresh-password"}});
    CHECK(own.status == 409);
    CHECK(own.error_code() == "cannot_change_self");
    HttpClient again(server.port());
    CHECK(again.login("admin", kAdminPassword).status == 200);
    CHECK(dana.login("dana", "dana-password").status == 200);
  }
}

TEST_CASE("failed verifications from one client are rate-limited, and its valid keys are not",
          "[integration]") {
  ServerProcess server({"--max-failed-verifications", "5"});
  HttpClient admin(server.port()), client(server.port());
  REQUIRE(admin.login("admin", kAdminPassword).status == 200);
  const auto [id, token] = create_key(admin, "good key");
  std::string mistyped = token;
  mistyped.back() = mistyped.back() == 'A' ? 'B' : 'A';

  for (int i = 1; i <= 5; ++i) {
    INFO("failed verification " << i);
    auto failed = client.get("/v1/verify", {{"MC-Api-Key", mistyped}});
    CHECK(failed.status == 401);
    CHECK(failed.error_code() == "invalid_credentials");
  }
  auto limited = client.get("/v1/verify", {{"MC-Api-Key", mistyped}});
  CHECK(limited.status == 429);
  CHECK(limited.error_code() == "rate_limited");
  REQUIRE(limited.headers.count("retry-after") == 1);
  const int retry_after = std::stoi(limited.headers["retry-after"]);
  CHECK(retry_after >= 1);
  CHECK(retry_after <= 60);

  // Only failures are limited: the same client's good key still verifies,
  // on every route that takes keys, and its bad ones are still refused.
  auto good = client.get("/v1/verify", {{"MC-Api-Key", token}});
  CHECK(good.status == 200);
  CHECK(good.headers.count("retry-after") == 0);
  CHECK(client.get("/v1/credentials", {{"Authorization", "Bearer " + token}}).status == 200);
  auto bad_by_key = client.get("/v1/credentials", {{"Authorization", "Bearer " + mistyped}});
  CHECK(bad_by_key.status == 429);
  CHECK(bad_by_key.error_code() == "rate_limited");
  CHECK(bad_by_key.headers.count("retry-after") == 1);
  // Signed-in people are not affected.
  CHECK(admin.get("/v1/credentials").status == 200);
}

TEST_CASE("API keys authenticate management calls and record their use", "[integration]") {
  ServerProcess server;
  HttpClient admin(server.port()), alice(server.port()), by_key(server.port());
  REQUIRE(admin.login("admin", kAdminPassword).status == 200);
  create_user(admin, "alice", "alice-password");
  REQUIRE(alice.login("alice", "alice-password").status == 200);
  const auto [id, token] = create_key(alice, "deploy bot");
  const std::map<std::string, std::string> key_header = {{"MC-Api-Key", token}};

  auto listed = by_key.get("/v1/credentials", key_header);
  REQUIRE(listed.status == 200);
  const json key = find_key(listed, id);
  REQUIRE(key.is_object());
  CHECK(key["last_used_ip"] == "127.0.0.1");
  CHECK(key["last_used_at"].is_string());
  CHECK(listed.json()["docs_url"].get<std::string>().ends_with("/docs"));

  auto session = by_key.get("/v1/session", key_header);
  REQUIRE(session.status == 200);
  CHECK(session.json()["user"] == "alice");
  CHECK_FALSE(session.json().contains("csrf_token"));  // keys need no CSRF token

  // Changes need no CSRF token with a key.
  auto created = by_key.post_json("/v1/keys", {{"name", "second"}}, key_header);
  REQUIRE(created.status == 201);
  const std::string second_id = created.json()["id"];
  auto renamed = by_key.patch_json("/v1/keys/" + second_id, {{"name", "second, renamed"}},
                                   {{"Authorization", "Bearer " + token}});
  CHECK(renamed.status == 200);
  CHECK(renamed.json()["name"] == "second, renamed");
  CHECK(by_key.del("/v1/keys/" + second_id, key_header).status == 204);

  // Alice's session sees the use too, and the key's own history is there.
  const json seen = find_key(alice.get("/v1/credentials"), id);
  CHECK(seen["last_used_ip"] == "127.0.0.1");
  auto audit = admin.get("/v1/audit?key=" + second_id);
  REQUIRE(audit.status == 200);
  const json rows = audit.json()["events"];
  REQUIRE(rows.size() == 3);
  CHECK(rows[0]["actor"] == "alice");
  CHECK(rows[0]["owner"] == "alice");

  check_no_secret_logged(server, {token, created.json()["key"].get<std::string>(), "alice-password",
                                  kAdminPassword, alice.csrf_token(), admin.csrf_token()});
}

TEST_CASE("signing out ends the session; the cookie is HttpOnly and SameSite=Strict",
          "[integration]") {
  ServerProcess server;
  HttpClient admin(server.port()), other(server.port());
  auto signed_in = admin.login("admin", kAdminPassword);
  REQUIRE(signed_in.status == 200);
  const std::string cookie = signed_in.headers["set-cookie"];
  CHECK(cookie.rfind("kl_session=", 0) == 0);
  CHECK(cookie.find("; HttpOnly") != std::string::npos);
  CHECK(cookie.find("; SameSite=Strict") != std::string::npos);
  CHECK(cookie.find("; Path=/") != std::string::npos);
  CHECK(signed_in.json()["csrf_token"].get<std::string>().size() >= 32);
  REQUIRE(other.login("admin", kAdminPassword).status == 200);

  auto out = admin.request("POST", "/v1/logout");
  REQUIRE(out.status == 204);
  CHECK(out.headers["set-cookie"].find("Max-Age=0") != std::string::npos);
  // The client still sends the old cookie: the server has forgotten it.
  auto after = admin.get("/v1/credentials");
  CHECK(after.status == 401);
  CHECK(after.error_code() == "invalid_credentials");
  CHECK(admin.request("POST", "/v1/logout").status == 401);
  // Only that session ended.
  CHECK(other.get("/v1/credentials").status == 200);

  const std::string session_id = cookie.substr(11, cookie.find(';') - 11);
  check_no_secret_logged(server, {session_id, kAdminPassword});
}
