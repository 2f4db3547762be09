// Isolation between users, checked against the server's own route table:
// every route is classified here, so a new route without a classification
// fails the test. For each route that names a key, users of every privilege
// try another user's key ids (live and deleted, by session and by API key)
// and get exactly the answer an unknown id gets (404), with the owner's
// state unchanged; user management is for admins only and the audit trail
// for auditors and admins only.
#include <catch2/catch.hpp>
#include <map>
#include <set>

#include "server/daemon/http_routes.h"
#include "tests/security/security_support.h"

using namespace keyledger::testing;
using nlohmann::json;

namespace {

enum class Scope {
  kKey,         // names a key by id: only its owner may touch it
  kOwnKeys,     // acts on the caller's own keys only (list, create)
  kCaller,      // the caller's own session or password
  kAdmin,       // user management
  kAuditor,     // the audit trail
  kCredential,  // verification: answers for the presented key itself
  kPublic,      // operational endpoints and documentation
};

const std::map<std::pair<std::string, std::string>, Scope> kClassification = {
    {{"POST", "/v1/login"}, Scope::kCaller},        {{"POST", "/v1/logout"}, Scope::kCaller},
    {{"GET", "/v1/session"}, Scope::kCaller},       {{"POST", "/v1/password"}, Scope::kCaller},
    {{"GET", "/v1/credentials"}, Scope::kOwnKeys},  {{"POST", "/v1/keys"}, Scope::kOwnKeys},
    {{"PATCH", "/v1/keys/{id}"}, Scope::kKey},      {{"DELETE", "/v1/keys/{id}"}, Scope::kKey},
    {{"GET", "/v1/keys/{id}/events"}, Scope::kKey}, {{"GET", "/v1/verify"}, Scope::kCredential},
    {{"POST", "/v1/users"}, Scope::kAdmin},         {{"GET", "/v1/users"}, Scope::kAdmin},
    {{"PATCH", "/v1/users/{id}"}, Scope::kAdmin},   {{"GET", "/v1/audit"}, Scope::kAuditor},
    {{"GET", "/v1/cluster"}, Scope::kAdmin},        {{"GET", "/healthz"}, Scope::kPublic},
    {{"GET", "/readyz"}, Scope::kPublic},           {{"GET", "/metrics"}, Scope::kPublic},
    {{"GET", "/openapi.json"}, Scope::kPublic},     {{"GET", "/docs"}, Scope::kPublic},
    {{"GET", "/v1/messages"}, Scope::kPublic},
};

struct Actor {
  std::string name;
  HttpClient* client;
  std::map<std::string, std::string> auth;  // API key header, or empty for the session
};

HttpResult call(Actor& actor, const std::string& method, const std::string& path,
                const std::string& body = "") {
  auto headers = actor.auth;
  if (!body.empty()) headers.emplace("Content-Type", "application/json");
  return actor.client->request(method, path, body, headers);
}

std::string key_request_body(const std::string& method) {
  return method == "PATCH" ? json{{"name", "taken over"}}.dump() : "";
}

std::string with_id(const std::string& pattern, const std::string& id) {
  std::string path = pattern;
  path.replace(path.find("{id}"), 4, id);
  return path;
}

// The owner's view of its keys and their histories.
std::string owner_state(HttpClient& owner, const std::vector<std::string>& key_ids) {
  std::string state = owner.get("/v1/credentials").body;
  for (const auto& id : key_ids) state += owner.get("/v1/keys/" + id + "/events").body;
  return state;
}

}  // namespace

TEST_CASE("every route is classified for isolation", "[security][isolation]") {
  for (const auto& [method, pattern] : keyledger::server::api_route_table()) {
    INFO(method << " " << pattern << " has no isolation classification: add it above");
    CHECK(kClassification.count({method, pattern}) == 1);
  }
  CHECK(kClassification.size() == keyledger::server::api_route_table().size());
}

TEST_CASE("no user reaches another user's keys by any route", "[security][isolation]") {
  ServerProcess server;
  HttpClient admin(server.port());
  REQUIRE(admin.login("admin", kAdminPassword).status == 200);
  for (const auto& [user, privilege] : std::vector<std::pair<std::string, std::string>>{
           {"alice", "user"}, {"bob", "user"}, {"carol", "auditor"}})
    create_user(admin, user, privilege);
  HttpClient alice(server.port()), bob(server.port()), carol(server.port());
  REQUIRE(alice.login("alice", "alice-password-1").status == 200);
  REQUIRE(bob.login("bob", "bob-password-1").status == 200);
  REQUIRE(carol.login("carol", "carol-password-1").status == 200);

  // Bob's keys: two live (one used, one renamed) and one deleted.
  std::vector<std::string> bob_keys;
  std::string bob_token;
  for (const char* name : {"bob live", "bob renamed", "bob deleted"}) {
    auto created = bob.post_json("/v1/keys", {{"name", name}});
    REQUIRE(created.status == 201);
    bob_keys.push_back(created.json()["id"]);
    if (bob_token.empty()) bob_token = created.json()["key"];
  }
  REQUIRE(HttpClient(server.port()).get("/v1/verify", {{"MC-Api-Key", bob_token}}).status == 200);
  REQUIRE(bob.patch_json("/v1/keys/" + bob_keys[1], {{"name", "bob renamed!"}}).status == 200);
  REQUIRE(bob.del("/v1/keys/" + bob_keys[2]).status == 204);

  // The others act by session and by one of their own API keys.
  HttpClient by_key(server.port());
  std::vector<Actor> actors = {{"alice (session)", &alice, {}},
                               {"carol the auditor (session)", &carol, {}},
                               {"the admin (session)", &admin, {}}};
  for (const auto& [name, client] : std::vector<std::pair<const char*, HttpClient*>>{
           {"alice (API key)", &alice}, {"the admin (API key)", &admin}}) {
    auto own = client->post_json("/v1/keys", {{"name", "own key"}});
    REQUIRE(own.status == 201);
    actors.push_back(
        {name, &by_key, {{"Authorization", "Bearer " + own.json()["key"].get<std::string>()}}});
  }

  const std::string before = owner_state(bob, bob_keys);
  int attempts = 0;
  for (const auto& [method, pattern] : keyledger::server::api_route_table()) {
    auto scope = kClassification.find({method, pattern});
    REQUIRE(scope != kClassification.end());
    if (scope->second != Scope::kKey) continue;
    for (auto& actor : actors) {
      INFO(actor.name << ": " << method << " " << pattern);
      // What an id that exists nowhere gets: the other user's ids must get
      // exactly this, so their existence is not revealed.
      auto unknown =
          call(actor, method, with_id(pattern, "AAAAAAAAAAAA"), key_request_body(method));
      CHECK(unknown.status == 404);
      for (const auto& id : bob_keys) {
        INFO("Bob's key " << id);
        ++attempts;
        auto answer = call(actor, method, with_id(pattern, id), key_request_body(method));
        CHECK(answer.status == 404);
        CHECK(answer.error_code() == unknown.error_code());
        CHECK(answer.body.find(id) == std::string::npos);
      }
    }
  }
  CHECK(attempts == 3 * 3 * 5);
  // Lists and creation act on the caller's own keys only.
  for (auto& actor : actors) {
    INFO(actor.name);
    auto listed = call(actor, "GET", "/v1/credentials");
    REQUIRE(listed.status == 200);
    for (const auto& id : bob_keys) CHECK(listed.body.find(id) == std::string::npos);
  }
  CHECK(owner_state(bob, bob_keys) == before);
  // Bob's live key still works; his deleted one still does not.
  CHECK(HttpClient(server.port()).get("/v1/verify", {{"MC-Api-Key", bob_token}}).status == 200);
  require_served_normally(server.port());
}

TEST_CASE("only admins manage users and only auditors and admins read the audit trail",
          "[security][isolation]") {
  ServerProcess server;
  HttpClient admin(server.port());
  REQUIRE(admin.login("admin", kAdminPassword).status == 200);
  for (const auto& [user, privilege] :
       std::vector<std::pair<std::string, std::string>>{{"usha", "user"}, {"audrey", "auditor"}})
    create_user(admin, user, privilege);
  HttpClient usha(server.port()), audrey(server.port()), by_key(server.port());
  REQUIRE(usha.login("usha", "usha-password-1").status == 200);
  REQUIRE(audrey.login("audrey", "audrey-password-1").status == 200);
  auto usha_key = usha.post_json("/v1/keys", {{"name", "usha's key"}});
  REQUIRE(usha_key.status == 201);
  const std::map<std::string, std::string> usha_key_header = {
      {"MC-Api-Key", usha_key.json()["key"].get<std::string>()}};
  const std::string users_before = admin.get("/v1/users").body;

  struct Attempt {
    std::string method, path, body;
    Scope scope;
  };
  const std::vector<Attempt> attempts = {
      {"POST", "/v1/users",
       json{{"user", "mallory"}, {"password", "mallory-password"}, {"privilege", "admin"}}.dump(),
       Scope::kAdmin},
      {"GET", "/v1/users", "", Scope::kAdmin},
      {"PATCH", "/v1/users/usha", json{{"privilege", "admin"}}.dump(), Scope::kAdmin},
      {"PATCH", "/v1/users/admin", json{{"disabled", true}}.dump(), Scope::kAdmin},
      {"PATCH", "/v1/users/audrey", json{{"locked", true}}.dump(), Scope::kAdmin},
      {"GET", "/v1/cluster", "", Scope::kAdmin},
      {"GET", "/v1/audit", "", Scope::kAuditor},
      {"GET", "/v1/audit?user=admin", "", Scope::kAuditor},
      {"GET", "/v1/audit?key=" + usha_key.json()["id"].get<std::string>(), "", Scope::kAuditor},
  };
  // Every admin and auditor route of the table is among the attempts.
  std::set<std::pair<std::string, std::string>> covered;
  for (const auto& attempt : attempts) {
    std::string pattern = attempt.path.substr(0, attempt.path.find('?'));
    if (pattern.rfind("/v1/users/", 0) == 0) pattern = "/v1/users/{id}";
    covered.emplace(attempt.method, pattern);
  }
  for (const auto& [route, scope] : kClassification)
    if (scope == Scope::kAdmin || scope == Scope::kAuditor) CHECK(covered.count(route) == 1);

  int refused = 0;
  for (const auto& attempt : attempts) {
    INFO(attempt.method << " " << attempt.path);
    std::map<std::string, std::string> json_header;
    if (!attempt.body.empty()) json_header.emplace("Content-Type", "application/json");
    // A plain user, by session and by API key: never.
    auto as_user = usha.request(attempt.method, attempt.path, attempt.body, json_header);
    auto headers = json_header;
    headers.insert(usha_key_header.begin(), usha_key_header.end());
    auto as_user_key = by_key.request(attempt.method, attempt.path, attempt.body, headers);
    CHECK(as_user.status == 403);
    CHECK(as_user_key.status == 403);
    CHECK(as_user.error_code() == "forbidden");
    refused += 2;
    // An auditor reads the audit trail but manages no user.
    auto as_auditor = audrey.request(attempt.method, attempt.path, attempt.body, json_header);
    if (attempt.scope == Scope::kAuditor) {
      CHECK(as_auditor.status == 200);
    } else {
      CHECK(as_auditor.status == 403);
      ++refused;
    }
  }
  CHECK(refused == 2 * 9 + 6);
  CHECK(admin.get("/v1/users").body == users_before);
  // The admin itself may do both (so the refusals above are about privilege).
  CHECK(admin.get("/v1/audit").status == 200);
  CHECK(admin.patch_json("/v1/users/usha", {{"privilege", "auditor"}}).status == 200);
  require_served_normally(server.port());
}
