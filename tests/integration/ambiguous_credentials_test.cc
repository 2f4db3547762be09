// A request that presents more than one API key (MC-Api-Key twice, two
// Authorization fields, or MC-Api-Key beside a Bearer token that differs)
// is ambiguous: it answers 400 ambiguous_credentials on every route that
// takes a key and authenticates nobody. It verifies no key, records no
// use, changes nothing and is not counted as a failed verification.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "tests/support/http_client.h"
#include "tests/support/server_process.h"

using namespace keyledger::testing;
using nlohmann::json;

namespace {

// One request on its own connection; `fields` end in CRLF each. Sent raw,
// because HttpClient sends each field once.
HttpResult send(unsigned short port, const std::string& method, const std::string& target,
                const std::string& fields, const std::string& body = "") {
  std::string text =
      method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" + fields;
  if (!body.empty())
    text +=
        "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  return parse_raw_response(raw_exchange(port, text + "\r\n" + body));
}

}  // namespace

TEST_CASE("a request presenting more than one API key answers 400 and authenticates nobody",
          "[integration][credentials]") {
  // Two failed verifications a minute are the limit: any ambiguous request
  // counted as one would show.
  ServerProcess server({"--max-failed-verifications", "2"});
  const unsigned short port = server.port();
  HttpClient admin(port), alice(port), bob(port);
  REQUIRE(admin.login("admin", kAdminPassword).status == 200);
  for (const char* user : {"alice", "bob"})
    REQUIRE(
        admin
            .post_json("/v1/users", {{"user", user}, {"password", std::string(user) + "-password"}})
            .status == 201);
  REQUIRE(alice.login("alice", "alice-password").status == 200);
  REQUIRE(bob.login("bob", "bob-password").status == 200);
  const json alice_key = alice.post_json("/v1/keys", {{"name", "alice app"}}).json();
  const json bob_key = bob.post_json("/v1/keys", {{"name", "bob app"}}).json();
  REQUIRE(alice_key.contains("key"));
  REQUIRE(bob_key.contains("key"));
  const std::string a = alice_key["key"], b = bob_key["key"], alice_key_id = alice_key["id"];
  const auto keys_of = [](HttpClient& client) { return client.get("/v1/credentials").json(); };
  const json alice_before = keys_of(alice), bob_before = keys_of(bob);
  const std::size_t audit_before = admin.get("/v1/audit?limit=1000").json()["events"].size();

  const std::vector<std::string> ambiguous = {
      "MC-Api-Key: " + a + "\r\nMC-Api-Key: " + b + "\r\n",
      "MC-Api-Key: " + a + "\r\nAuthorization: Bearer " + b + "\r\n",
      "Authorization: Bearer " + b + "\r\nMC-Api-Key: " + a + "\r\n",
      "Authorization: Bearer " + a + "\r\nAuthorization: Bearer " + b + "\r\n",
      // Field names are case-insensitive: this is MC-Api-Key twice.
      "mc-api-key: " + a + "\r\nMC-API-KEY: " + b + "\r\n",
      // A header sent twice is ambiguous even when the values agree.
      "MC-Api-Key: " + a + "\r\nMC-Api-Key: " + a + "\r\n",
      "Authorization: Bearer " + a + "\r\nAuthorization: Bearer " + a + "\r\n",
      "Authorization: Basic YWxpY2U6eA==\r\nAuthorization: Bearer " + a + "\r\n",
      // A valid key does not win over a bad one beside it, in either order.
      "MC-Api-Key: not-a-token\r\nAuthorization: Bearer " + a + "\r\n",
      "MC-Api-Key: " + a + "\r\nAuthorization: Bearer not-a-token\r\n",
  };
  const std::string delete_alice_key = "/v1/keys/" + alice_key_id;
  for (const std::string& fields : ambiguous) {
    INFO("fields: " << fields);
    for (const auto& [method, target, body] :
         std::vector<std::tuple<std::string, std::string, std::string>>{
             {"GET", "/v1/verify", ""},
             {"GET", "/v1/credentials", ""},
             {"GET", "/v1/session", ""},
             {"POST", "/v1/keys", R"({"name":"created by nobody"})"},
             {"PATCH", delete_alice_key, R"({"name":"renamed by nobody"})"},
             {"DELETE", delete_alice_key, ""},
             {"GET", "/v1/users", ""},
         }) {
      INFO(method << " " << target);
      const HttpResult answer = send(port, method, target, fields, body);
      CHECK(answer.status == 400);
      CHECK(answer.error_code() == "ambiguous_credentials");
      CHECK(answer.body.find("alice") == std::string::npos);
      CHECK(answer.body.find("bob") == std::string::npos);
    }
  }

  // Nothing was verified, used, created, renamed or deleted.
  CHECK(keys_of(alice) == alice_before);
  CHECK(keys_of(bob) == bob_before);
  CHECK(keys_of(alice)["keys"][0]["last_used_ip"].is_null());
  CHECK(admin.get("/v1/audit?limit=1000").json()["events"].size() == audit_before);
  // And nothing counted as a failed verification: the limit of two is
  // still untouched.
  std::string mistyped = a;
  mistyped.back() = mistyped.back() == 'A' ? 'B' : 'A';
  CHECK(send(port, "GET", "/v1/verify", "MC-Api-Key: " + mistyped + "\r\n").status == 401);

  // The message says what to do, in the asked language.
  HttpResult spanish =
      send(port, "GET", "/v1/verify", "Accept-Language: es\r\n" + ambiguous.front());
  CHECK(spanish.headers["content-language"] == "es");
  CHECK(spanish.json()["errors"][0]["message"].get<std::string>().find("una clave de API") !=
        std::string::npos);
  CHECK(send(port, "GET", "/v1/verify", ambiguous.front())
            .json()["errors"][0]["message"]
            .get<std::string>()
            .find("more than one API key") != std::string::npos);
}

TEST_CASE("one key presented in both headers, or beside another scheme, is one key",
          "[integration][credentials]") {
  ServerProcess server;
  HttpClient admin(server.port());
  REQUIRE(admin.login("admin", kAdminPassword).status == 200);
  const json key = admin.post_json("/v1/keys", {{"name", "both headers"}}).json();
  REQUIRE(key.contains("key"));
  const std::string token = key["key"];
  for (const std::string& fields : {
           "MC-Api-Key: " + token + "\r\nAuthorization: Bearer " + token + "\r\n",
           "Authorization: bearer " + token + "\r\nMC-Api-Key: " + token + "\r\n",
           "MC-Api-Key: " + token + "\r\nAuthorization: Basic YWRtaW46eA==\r\n",
           "MC-Api-Key: " + token + "\r\n",
           "Authorization: Bearer " + token + "\r\n",
       }) {
    INFO("fields: " << fields);
    const HttpResult verified = send(server.port(), "GET", "/v1/verify", fields);
    CHECK(verified.status == 200);
    CHECK(verified.json()["key_id"] == key["id"]);
    CHECK(send(server.port(), "GET", "/v1/credentials", fields).status == 200);
  }
  // Another scheme alone names no key, as before.
  CHECK(send(server.port(), "GET", "/v1/verify", "Authorization: Basic YWRtaW46eA==\r\n")
            .error_code() == "invalid_credentials");
}
