// CSRF: every route that changes state, called with a valid session cookie
// but without the right X-CSRF-Token (missing, empty, wrong, another
// session's, altered, or put somewhere else than the header), answers 403
// and changes nothing. The routes come from the server's own table, so a
// new state-changing route without an entry here fails the test.
#include <catch2/catch.hpp>
#include <functional>
#include <map>
#include <set>

#include "server/daemon/http_routes.h"
#include "tests/security/security_support.h"

using namespace keyledger::testing;
using nlohmann::json;

namespace {

struct Target {
  std::string path;
  std::string body;  // JSON, or empty
};

// Everything a CSRF attempt could have changed, as seen by the admin.
std::string observable_state(HttpClient& admin, HttpClient& victim) {
  return admin.get("/readyz").json()["head_seq"].dump() + admin.get("/v1/users").body +
         victim.get("/v1/credentials").body;
}

std::string flip_case(std::string text) {
  for (auto& c : text)
    c = std::isupper(static_cast<unsigned char>(c))
            ? static_cast<char>(std::tolower(static_cast<unsigned char>(c)))
            : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

}  // namespace

TEST_CASE("every state-changing route refuses a session without the right CSRF token",
          "[security][abuse][csrf]") {
  ServerProcess server;
  HttpClient admin(server.port());
  REQUIRE(admin.login("admin", kAdminPassword).status == 200);
  create_user(admin, "victim");
  HttpClient victim(server.port()), other_session(server.port());
  REQUIRE(victim.login("victim", "victim-password-1").status == 200);
  REQUIRE(other_session.login("victim", "victim-password-1").status == 200);
  auto key = victim.post_json("/v1/keys", {{"name", "victim key"}});
  REQUIRE(key.status == 201);
  const std::string key_id = key.json()["id"];

  // How to call each state-changing route as the victim. Sign-in is the one
  // exception: it is what creates a session and its token.
  const std::map<std::pair<std::string, std::string>, Target> targets = {
      {{"POST", "/v1/logout"}, {"/v1/logout", ""}},
      {{"POST", "/v1/password"},
       {"/v1/password",
        json{{"current_password", "victim-password-1"}, {"new_password", "attacker-chosen-1"}}
            .dump()}},
      {{"POST", "/v1/keys"}, {"/v1/keys", json{{"name", "planted"}}.dump()}},
      {{"PATCH", "/v1/keys/{id}"}, {"/v1/keys/" + key_id, json{{"name", "renamed"}}.dump()}},
      {{"DELETE", "/v1/keys/{id}"}, {"/v1/keys/" + key_id, ""}},
      {{"POST", "/v1/users"},
       {"/v1/users",
        json{{"user", "planted"}, {"password", "planted-password"}, {"privilege", "admin"}}
            .dump()}},
      {{"PATCH", "/v1/users/{id}"}, {"/v1/users/victim", json{{"privilege", "admin"}}.dump()}},
  };
  const std::set<std::pair<std::string, std::string>> exempt = {{"POST", "/v1/login"}};
  const std::set<std::string> safe_methods = {"GET", "HEAD", "OPTIONS"};

  const std::string cookie = [&] {
    // The victim's cookie, as a browser would attach it to a forged request.
    HttpClient probe(server.port());
    auto signed_in = probe.login("victim", "victim-password-1");
    std::string set_cookie = signed_in.headers["set-cookie"];
    return set_cookie.substr(11, set_cookie.find(';') - 11);
  }();
  // The token that belongs to that cookie is unknown to the attacker; these
  // are what it can send instead.
  const std::string other_token = other_session.csrf_token();
  const std::vector<std::pair<std::string, std::map<std::string, std::string>>> variants = {
      {"no token", {}},
      {"empty token", {{"X-CSRF-Token", ""}}},
      {"wrong token", {{"X-CSRF-Token", std::string(other_token.size(), 'a')}}},
      {"another session's token", {{"X-CSRF-Token", other_token}}},
      {"token truncated", {{"X-CSRF-Token", other_token.substr(0, other_token.size() - 1)}}},
      {"token extended", {{"X-CSRF-Token", other_token + "0"}}},
      {"token with flipped case", {{"X-CSRF-Token", flip_case(other_token)}}},
      {"token in another header", {{"X-XSRF-Token", other_token}}},
      {"token in a cookie", {{"Cookie", "kl_session=" + cookie + "; csrf_token=" + other_token}}},
      {"two token headers", {{"X-CSRF-Token", other_token + "\r\nX-CSRF-Token: x"}}},
  };

  int checked_routes = 0, attempts = 0;
  for (const auto& [method, pattern] : keyledger::server::api_route_table()) {
    if (safe_methods.count(method) || exempt.count({method, pattern})) continue;
    INFO(method << " " << pattern);
    auto target = targets.find({method, pattern});
    REQUIRE(target != targets.end());  // classify every new state-changing route above
    ++checked_routes;
    for (const auto& [variant, headers] : variants) {
      INFO(variant);
      ++attempts;
      const std::string before = observable_state(admin, victim);
      std::map<std::string, std::string> sent = headers;
      sent.emplace("Cookie", "kl_session=" + cookie);
      sent.emplace("Content-Type", "application/json");
      for (const std::string& query : {std::string(), "?csrf_token=" + other_token}) {
        RawHttpResponse answer = http_exchange_from(
            attacker_ip(2), server.port(),
            http_request_text(method, target->second.path + query, sent, target->second.body));
        CHECK(answer.status == 403);
        CHECK(answer.body.find("csrf_token_invalid") != std::string::npos);
      }
      CHECK(observable_state(admin, victim) == before);
    }
  }
  CHECK(checked_routes == static_cast<int>(targets.size()));

  // The forged requests' session is still alive (logout was refused) and
  // the password is unchanged.
  auto probe_session = http_exchange_from(
      attacker_ip(3), server.port(),
      http_request_text("GET", "/v1/session", {{"Cookie", "kl_session=" + cookie}}));
  CHECK(probe_session.status == 200);
  CHECK(HttpClient(server.port()).login("victim", "victim-password-1").status == 200);

  // The same requests with the right token work: the refusals above were
  // about the token, not about the requests.
  auto renamed = victim.patch_json("/v1/keys/" + key_id, {{"name", "renamed by its owner"}});
  CHECK(renamed.status == 200);
  CHECK(victim.request("POST", "/v1/logout").status == 204);
  CHECK(attempts >= 70);
  require_served_normally(server.port());
}
