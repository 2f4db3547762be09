// Session fixation and cookie flags: a session id chosen by the client is
// never adopted (signing in always issues a fresh one, and an old one keeps
// naming whoever it named), signing out ends the session on the server, and
// the cookie is HttpOnly, SameSite=Strict, and Secure exactly when a
// trusted proxy says the client came over TLS.
#include <catch2/catch.hpp>

#include "tests/security/security_support.h"

using namespace keyledger::testing;
using nlohmann::json;

namespace {

std::string login_request(const std::string& user, const std::string& password,
                          std::map<std::string, std::string> headers = {}) {
  headers.emplace("Content-Type", "application/json");
  return http_request_text("POST", "/v1/login", headers,
                           json{{"user", user}, {"password", password}}.dump());
}

std::string session_id_in(const std::string& set_cookie) {
  const std::string prefix = "kl_session=";
  if (set_cookie.rfind(prefix, 0) != 0) return {};
  return set_cookie.substr(prefix.size(), set_cookie.find(';') - prefix.size());
}

std::string session_id_of(const RawHttpResponse& answer) {
  auto cookie = answer.headers.find("set-cookie");
  return cookie == answer.headers.end() ? std::string() : session_id_in(cookie->second);
}

// Who the session cookie `id` signs in as, or "" when it names no session.
std::string session_user(unsigned short port, const std::string& id) {
  auto answer =
      http_exchange_from(attacker_ip(3), port,
                         http_request_text("GET", "/v1/session", {{"Cookie", "kl_session=" + id}}));
  if (answer.status != 200) return "";
  return json::parse(answer.body, nullptr, false).value("user", "");
}

}  // namespace

TEST_CASE("a session id chosen before sign-in is never adopted", "[security][abuse][session]") {
  ServerProcess server;
  HttpClient admin(server.port());
  REQUIRE(admin.login("admin", kAdminPassword).status == 200);
  create_user(admin, "victim");
  create_user(admin, "attacker", "user", "attacker-password");

  int fixation_attempts = 0;
  SECTION("an invented id") {
    for (const std::string& planted :
         {std::string(43, 'A'), std::string("fixated-session-id-0123456789"), std::string("x"),
          std::string(300, '7')}) {
      ++fixation_attempts;
      auto signed_in = http_exchange_from(
          attacker_ip(2), server.port(),
          login_request("victim", "victim-password-1", {{"Cookie", "kl_session=" + planted}}));
      REQUIRE(signed_in.status == 200);
      const std::string issued = session_id_of(signed_in);
      CHECK_FALSE(issued.empty());
      CHECK(issued != planted);
      CHECK(session_user(server.port(), planted).empty());
      CHECK(session_user(server.port(), issued) == "victim");
    }
  }
  SECTION("the attacker's own valid session") {
    auto attacker = http_exchange_from(attacker_ip(2), server.port(),
                                       login_request("attacker", "attacker-password"));
    REQUIRE(attacker.status == 200);
    const std::string planted = session_id_of(attacker);
    REQUIRE(session_user(server.port(), planted) == "attacker");
    ++fixation_attempts;
    // The victim signs in in a browser that carries the attacker's cookie.
    auto victim = http_exchange_from(
        attacker_ip(4), server.port(),
        login_request("victim", "victim-password-1", {{"Cookie", "kl_session=" + planted}}));
    REQUIRE(victim.status == 200);
    const std::string issued = session_id_of(victim);
    CHECK(issued != planted);
    CHECK(session_user(server.port(), issued) == "victim");
    // The planted id never becomes the victim's.
    CHECK(session_user(server.port(), planted) != "victim");
    CHECK(json::parse(victim.body)["csrf_token"] != json::parse(attacker.body)["csrf_token"]);
  }
  SECTION("signing out ends the session on the server, not only in the browser") {
    HttpClient victim(server.port());
    auto signed_in = victim.login("victim", "victim-password-1");
    REQUIRE(signed_in.status == 200);
    const std::string id = session_id_in(signed_in.headers["set-cookie"]);
    REQUIRE(session_user(server.port(), id) == "victim");
    // Signing in again issues another id; both are distinct live sessions.
    HttpClient again(server.port());
    REQUIRE(again.login("victim", "victim-password-1").status == 200);
    CHECK(again.csrf_token() != victim.csrf_token());
    REQUIRE(victim.request("POST", "/v1/logout").status == 204);
    CHECK(session_user(server.port(), id).empty());
    CHECK(again.get("/v1/session").status == 200);
    ++fixation_attempts;
  }
  CHECK(fixation_attempts >= 1);
  require_served_normally(server.port());
}

TEST_CASE("the session cookie is HttpOnly and SameSite=Strict, Secure only behind TLS",
          "[security][abuse][cookies]") {
  // 127.0.0.1 is the TLS-terminating proxy; 127.0.0.2 a client that
  // connects directly and claims TLS itself.
  ServerProcess server({"--trusted-proxy", "127.0.0.1"});
  struct Case {
    std::string name;
    std::string from;
    std::map<std::string, std::string> headers;
    bool secure;
  };
  const std::vector<Case> cases = {
      {"plain HTTP, direct", attacker_ip(2), {}, false},
      {"direct client claiming TLS", attacker_ip(2), {{"X-Forwarded-Proto", "https"}}, false},
      {"trusted proxy, TLS",
       kGoodClientIp,
       {{"X-Forwarded-Proto", "https"}, {"X-Forwarded-For", "203.0.113.9"}},
       true},
      {"trusted proxy, plain HTTP", kGoodClientIp, {{"X-Forwarded-Proto", "http"}}, false},
      {"trusted proxy, no protocol header", kGoodClientIp, {}, false},
  };
  for (const Case& one : cases) {
    INFO(one.name);
    auto signed_in = http_exchange_from(one.from, server.port(),
                                        login_request("admin", kAdminPassword, one.headers));
    REQUIRE(signed_in.status == 200);
    const std::string cookie = signed_in.headers["set-cookie"];
    CHECK(cookie.find("; HttpOnly") != std::string::npos);
    CHECK(cookie.find("; SameSite=Strict") != std::string::npos);
    CHECK(cookie.find("; Path=/") != std::string::npos);
    CHECK((cookie.find("; Secure") != std::string::npos) == one.secure);
    CHECK(cookie.find("Domain=") == std::string::npos);  // no wider than this host

    // Signing out expires the cookie with the same flags.
    std::map<std::string, std::string> headers = one.headers;
    headers["Cookie"] = "kl_session=" + session_id_of(signed_in);
    headers["X-CSRF-Token"] = json::parse(signed_in.body)["csrf_token"].get<std::string>();
    auto out = http_exchange_from(one.from, server.port(),
                                  http_request_text("POST", "/v1/logout", headers));
    REQUIRE(out.status == 204);
    const std::string expired = out.headers["set-cookie"];
    CHECK(expired.find("Max-Age=0") != std::string::npos);
    CHECK(expired.find("; HttpOnly") != std::string::npos);
    CHECK(expired.find("; SameSite=Strict") != std::string::npos);
    CHECK((expired.find("; Secure") != std::string::npos) == one.secure);
  }
  require_served_normally(server.port());
}
