// A table of bad requests against one real keyledgerd. Each row states the
// HTTP status and the error code it must get; every answer must be the
// documented envelope {"errors":[{"code","message","context"}]}, and no row
// may change anything: the keys of both users, the audit trail (including
// uses) and the head of the log are compared before and after each row.
#include <catch2/catch.hpp>
#include <functional>

#include "tests/support/http_client.h"
#include "tests/support/server_process.h"

using namespace keyledger::testing;
using nlohmann::json;

namespace {

std::string header(const HttpResult& result, const std::string& lower_case_name) {
  auto it = result.headers.find(lower_case_name);
  return it == result.headers.end() ? std::string() : it->second;
}

// One error object exactly, with a code, a non-empty message and a context
// object.
bool is_error_envelope(const json& body) {
  if (!body.is_object() || !body.contains("errors") || !body["errors"].is_array() ||
      body["errors"].size() != 1)
    return false;
  const json& error = body["errors"][0];
  return error.is_object() && error.contains("code") && error["code"].is_string() &&
         error.contains("message") && error["message"].is_string() &&
         !error["message"].get<std::string>().empty() && error.contains("context") &&
         error["context"].is_object();
}

std::string context_field(const HttpResult& result) {
  const json body = result.json();
  if (!is_error_envelope(body)) return "";
  const json& context = body["errors"][0]["context"];
  return context.contains("field") && context["field"].is_string()
             ? context["field"].get<std::string>()
             : "";
}

std::string message(const HttpResult& result) {
  const json body = result.json();
  return is_error_envelope(body) ? body["errors"][0]["message"].get<std::string>() : "";
}

struct BadRequest {
  std::string what;
  std::function<HttpResult()> send;
  unsigned status;
  std::string code;
  // Further checks on the answer, if any.
  std::function<void(const HttpResult&)> also = {};
};

const std::map<std::string, std::string> kJson = {{"Content-Type", "application/json"}};

}  // namespace

TEST_CASE("bad requests get a clear error and change nothing", "[integration]") {
  ServerProcess server;
  const unsigned short port = server.port();
  HttpClient admin(port), alice(port), bob(port), anonymous(port);
  REQUIRE(admin.login("admin", kAdminPassword).status == 200);
  REQUIRE(
      admin.post_json("/v1/users", {{"user", "alice"}, {"password", "alice-password"}}).status ==
      201);
  REQUIRE(admin.post_json("/v1/users", {{"user", "bob"}, {"password", "bob-password"}}).status ==
          201);
  REQUIRE(alice.login("alice", "alice-password").status == 200);
  REQUIRE(bob.login("bob", "bob-password").status == 200);
  const json alice_key = alice.post_json("/v1/keys", {{"name", "alice app"}}).json();
  const json bob_key = bob.post_json("/v1/keys", {{"name", "bob app"}}).json();
  REQUIRE(alice_key.contains("key"));
  REQUIRE(bob_key.contains("key"));
  const std::string alice_key_id = alice_key["id"], alice_token = alice_key["key"];
  const std::string bob_key_id = bob_key["id"];
  const std::string unknown_key_id = "AAAAAAAAAAAA";  // well-formed, never issued
  // The last checksum character changed: a mistyped token.
  std::string mistyped_token = alice_token;
  mistyped_token.back() = mistyped_token.back() == 'A' ? 'B' : 'A';

  // Everything a bad request could disturb, as the API shows it.
  auto state = [&] {
    // Not const: a missing member must read as null, not be undefined.
    json head = anonymous.get("/readyz").json();
    json audit = admin.get("/v1/audit?include_use=true&limit=1000").json();
    return json{{"alice", alice.get("/v1/credentials").json()["keys"]},
                {"bob", bob.get("/v1/credentials").json()["keys"]},
                {"users", admin.get("/v1/users").json()["users"]},
                {"audit_rows", audit["events"].size()},
                {"head_seq", head["head_seq"]}};
  };
  auto field_is = [](std::string field) {
    return [field](const HttpResult& result) { CHECK(context_field(result) == field); };
  };
  auto without_csrf = [&](std::function<HttpResult()> send) {
    alice.set_send_csrf(false);
    HttpResult result = send();
    alice.set_send_csrf(true);
    return result;
  };

  const std::string deep_json = R"({"name":)" + std::string(20, '[') + std::string(20, ']') + "}";
  const std::string huge_body_request =
      "POST /v1/keys HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
      "Content-Length: 70000\r\n\r\n" +
      std::string(70000, ' ');
  const std::string huge_headers_request =
      "GET /v1/credentials HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: " +
      std::string(17 * 1024, 'a') + "\r\n\r\n";
  const std::string alice_key_path = "/v1/keys/" + alice_key_id;
  const std::string bob_key_path = "/v1/keys/" + bob_key_id;
  const std::string unknown_key_path = "/v1/keys/" + unknown_key_id;

  const std::vector<BadRequest> table = {
      // Bodies that are not the JSON object a call takes.
      {"malformed JSON", [&] { return alice.request("POST", "/v1/keys", R"({"name": )", kJson); },
       400, "invalid_json"},
      {"empty JSON body", [&] { return alice.request("POST", "/v1/keys", "", kJson); }, 400,
       "invalid_json"},
      {"JSON array body", [&] { return alice.request("POST", "/v1/keys", R"(["name"])", kJson); },
       400, "not_an_object"},
      {"name is a number",
       [&] {
         return alice.post_json("/v1/keys", {{"name", 42}});
       },
       400, "invalid_type", field_is("name")},
      {"sign-in user is a boolean",
       [&] {
         return anonymous.post_json("/v1/login", {{"user", true}, {"password", "x"}});
       },
       400, "invalid_type", field_is("user")},
      {"unknown field",
       [&] {
         return alice.post_json("/v1/keys", {{"name", "x"}, {"colour", "red"}});
       },
       400, "unknown_field", field_is("colour")},
      {"missing field", [&] { return alice.post_json("/v1/keys", json::object()); }, 400,
       "missing_field", field_is("name")},
      {"nesting deeper than 16",
       [&] { return alice.request("POST", "/v1/keys", deep_json, kJson); }, 400, "json_too_deep"},
      {"body over 64 KiB",
       [&] { return parse_raw_response(raw_exchange(port, huge_body_request)); }, 413,
       "body_too_large"},
      {"headers over 16 KiB",
       [&] { return parse_raw_response(raw_exchange(port, huge_headers_request)); }, 431,
       "headers_too_large"},
      {"text/plain body",
       [&] {
         return alice.request("POST", "/v1/keys", R"({"name":"x"})",
                              {{"Content-Type", "text/plain"}});
       },
       415, "unsupported_media_type"},
      {"a media type that only starts like JSON",
       [&] {
         return alice.request("POST", "/v1/keys", R"({"name":"x"})",
                              {{"Content-Type", "application/json-seq"}});
       },
       415, "unsupported_media_type"},
      {"no content type at all",
       [&] { return alice.request("PATCH", alice_key_path, R"({"name":"x"})"); }, 415,
       "unsupported_media_type"},

      // Key names.
      {"empty name",
       [&] {
         return alice.post_json("/v1/keys", {{"name", ""}});
       },
       400, "name_empty", field_is("name")},
      {"whitespace-only name",
       [&] {
         return alice.post_json("/v1/keys", {{"name", "  \t  "}});
       },
       400, "name_empty"},
      {"101-character name",
       [&] {
         return alice.post_json("/v1/keys", {{"name", std::string(101, 'n')}});
       },
       400, "name_too_long"},
      {"name with a control character",
       [&] {
         return alice.post_json("/v1/keys", {{"name", "bell\x07name"}});
       },
       400, "name_control_characters"},
      {"name with U+202E (right-to-left override)",
       [&] {
         return alice.post_json("/v1/keys", {{"name", "abc\u202Etxt.exe"}});
       },
       400, "name_invisible_characters"},
      {"name with invalid UTF-8 (raw bytes)",
       [&] { return alice.request("POST", "/v1/keys", "{\"name\":\"bad \xff\xfe name\"}", kJson); },
       400, "invalid_json"},
      {"rename to an empty name",
       [&] {
         return alice.patch_json(alice_key_path, {{"name", " "}});
       },
       400, "name_empty"},

      // Routing.
      {"unknown route", [&] { return alice.get("/v1/nothing-here"); }, 404, "not_found"},
      {"empty key id segment", [&] { return alice.get("/v1/keys//events"); }, 404, "not_found"},
      {"PUT on /v1/keys",
       [&] { return alice.request("PUT", "/v1/keys", R"({"name":"x"})", kJson); }, 405,
       "method_not_allowed",
       [](const HttpResult& result) { CHECK(header(result, "allow") == "POST"); }},
      {"DELETE on /v1/credentials", [&] { return alice.del("/v1/credentials"); }, 405,
       "method_not_allowed",
       [](const HttpResult& result) { CHECK(header(result, "allow") == "GET"); }},
      {"bad percent-escape in the path", [&] { return alice.get("/v1/keys/%zz/events"); }, 400,
       "bad_request"},
      {"percent-encoded NUL in the path", [&] { return alice.get("/v1/keys/%00/events"); }, 400,
       "bad_request"},

      // CSRF: a signed-in browser must echo the token on changes.
      {"POST without the CSRF header",
       [&] { return without_csrf([&] {
               return alice.post_json("/v1/keys", {{"name", "x"}});
             }); },
       403, "csrf_token_invalid"},
      {"PATCH without the CSRF header",
       [&] {
         return without_csrf([&] { return alice.patch_json(alice_key_path, {{"name", "x"}}); });
       },
       403, "csrf_token_invalid"},
      {"DELETE without the CSRF header",
       [&] { return without_csrf([&] { return alice.del(alice_key_path); }); }, 403,
       "csrf_token_invalid"},
      {"POST with a wrong CSRF token",
       [&] {
         return alice.post_json("/v1/keys", {{"name", "x"}}, {{"X-CSRF-Token", "not-the-token"}});
       },
       403, "csrf_token_invalid"},
      {"another session's CSRF token",
       [&] {
         return alice.del(alice_key_path, {{"X-CSRF-Token", bob.csrf_token()}});
       },
       403, "csrf_token_invalid"},

      // Credentials.
      {"no credentials", [&] { return anonymous.get("/v1/credentials"); }, 401,
       "invalid_credentials"},
      {"no credentials on a change",
       [&] {
         return anonymous.post_json("/v1/keys", {{"name", "x"}});
       },
       401, "invalid_credentials"},
      {"malformed token",
       [&] {
         return anonymous.get("/v1/credentials", {{"MC-Api-Key", "not-a-token"}});
       },
       401, "invalid_credentials"},
      {"token with a bad checksum",
       [&] {
         return anonymous.get("/v1/verify", {{"MC-Api-Key", mistyped_token}});
       },
       401, "invalid_credentials"},
      {"bearer token with a bad checksum",
       [&] {
         return anonymous.get("/v1/credentials", {{"Authorization", "Bearer " + mistyped_token}});
       },
       401, "invalid_credentials"},
      {"Basic authorization",
       [&] {
         return anonymous.get("/v1/credentials", {{"Authorization", "Basic YWxpY2U6eA=="}});
       },
       401, "invalid_credentials"},
      {"verify without a token", [&] { return anonymous.get("/v1/verify"); }, 401,
       "invalid_credentials"},
      {"a forged session cookie",
       [&] {
         return anonymous.get("/v1/credentials", {{"Cookie", "kl_session=forged"}});
       },
       401, "invalid_credentials"},
      {"sign-in with a wrong password",
       [&] {
         return anonymous.post_json("/v1/login", {{"user", "bob"}, {"password", "not-bobs"}});
       },
       401, "invalid_credentials"},
      {"sign-in as nobody",
       [&] {
         return anonymous.post_json("/v1/login", {{"user", "nobody"}, {"password", "whatever-1"}});
       },
       401, "invalid_credentials"},
      {"sign-in without a password",
       [&] {
         return anonymous.post_json("/v1/login", {{"user", "bob"}});
       },
       400, "missing_field", field_is("password")},

      // Keys that are not the caller's look exactly like keys that do not exist.
      {"rename an unknown key",
       [&] {
         return alice.patch_json(unknown_key_path, {{"name", "x"}});
       },
       404, "key_not_found"},
      {"delete an unknown key", [&] { return alice.del(unknown_key_path); }, 404, "key_not_found"},
      {"rename another user's key",
       [&] {
         return alice.patch_json(bob_key_path, {{"name", "mine"}});
       },
       404, "key_not_found",
       [](const HttpResult& result) { CHECK(result.body.find("bob") == std::string::npos); }},
      {"delete another user's key", [&] { return alice.del(bob_key_path); }, 404, "key_not_found",
       [](const HttpResult& result) { CHECK(result.body.find("bob") == std::string::npos); }},
      {"history of another user's key", [&] { return alice.get(bob_key_path + "/events"); }, 404,
       "key_not_found"},
      {"delete with a control character in the reason",
       [&] { return alice.del(alice_key_path + "?reason=oops%07"); }, 400, "invalid_reason"},

      // Users: only an admin manages them.
      {"non-admin creates a user",
       [&] {
         return alice.post_json("/v1/users", {{"user", "mallory"}, {"password", "mallory-pw"}});
       },
       403, "forbidden"},
      {"non-admin lists users", [&] { return alice.get("/v1/users"); }, 403, "forbidden"},
      {"non-admin changes a privilege",
       [&] {
         return alice.patch_json("/v1/users/alice", {{"privilege", "admin"}});
       },
       403, "forbidden"},
      {"create a user with an invalid id",
       [&] {
         return admin.post_json("/v1/users", {{"user", "Bad Id!"}, {"password", "long-enough"}});
       },
       400, "invalid_user_id", field_is("user")},
      {"create the reserved user 'system'",
       [&] {
         return admin.post_json("/v1/users", {{"user", "system"}, {"password", "long-enough"}});
       },
       400, "reserved_user_id"},
      {"create a user with a short password",
       [&] {
         return admin.post_json("/v1/users", {{"user", "carol"}, {"password", "short"}});
       },
       400, "password_too_short", field_is("password")},
      {"create a user with a bad privilege",
       [&] {
         return admin.post_json(
             "/v1/users", {{"user", "carol"}, {"password", "long-enough"}, {"privilege", "root"}});
       },
       400, "invalid_privilege", field_is("privilege")},
      {"create a user that exists",
       [&] {
         return admin.post_json("/v1/users", {{"user", "bob"}, {"password", "long-enough"}});
       },
       409, "user_exists"},
      {"PATCH a user with an unknown field",
       [&] {
         return admin.patch_json("/v1/users/bob", {{"admin", true}});
       },
       400, "unknown_field", field_is("admin")},
      {"PATCH a user with a string for a boolean",
       [&] {
         return admin.patch_json("/v1/users/bob", {{"disabled", "yes"}});
       },
       400, "invalid_type", field_is("disabled")},
      {"PATCH an unknown user",
       [&] {
         return admin.patch_json("/v1/users/nobody", {{"disabled", true}});
       },
       404, "user_not_found"},
      {"an admin demotes themself",
       [&] {
         return admin.patch_json("/v1/users/admin", {{"privilege", "user"}});
       },
       409, "cannot_change_self"},

      // Passwords.
      {"change password with a wrong current password",
       [&] {
         return alice.post_json("/v1/password", {{"current_password", "not-alices"},
                                                 {"new_password", "a-new-password"}});
       },
       400, "wrong_password", field_is("current_password")},
      {"change password to a short one",
       [&] {
         return alice.post_json(
             "/v1/password", {{"current_password", "alice-password"}, {"new_password", "short"}});
       },
       400, "password_too_short", field_is("new_password")},

      // The audit trail.
      {"audit with a bad 'since'", [&] { return admin.get("/v1/audit?since=yesterday"); }, 400,
       "invalid_parameter", field_is("since")},
      {"audit with an unknown action",
       [&] { return admin.get("/v1/audit?action=created,exploded"); }, 400, "invalid_parameter",
       field_is("action")},
      {"audit with limit=0", [&] { return admin.get("/v1/audit?limit=0"); }, 400,
       "invalid_parameter", field_is("limit")},
      {"audit with limit=1001", [&] { return admin.get("/v1/audit?limit=1001"); }, 400,
       "invalid_parameter", field_is("limit")},
      {"audit with a negative after_seq", [&] { return admin.get("/v1/audit?after_seq=-1"); }, 400,
       "invalid_parameter", field_is("after_seq")},
      {"audit with an unknown parameter", [&] { return admin.get("/v1/audit?colour=red"); }, 400,
       "invalid_parameter", field_is("colour")},
      {"audit with a bad escape in the query", [&] { return admin.get("/v1/audit?key=%zz"); }, 400,
       "invalid_parameter"},
      {"non-auditor reads the audit trail", [&] { return alice.get("/v1/audit"); }, 403,
       "forbidden"},

      // Messages follow Accept-Language; codes do not.
      {"Spanish: no credentials",
       [&] {
         return anonymous.get("/v1/credentials", {{"Accept-Language", "es-ES,es;q=0.9"}});
       },
       401, "invalid_credentials",
       [](const HttpResult& result) {
         CHECK(message(result) == "Las credenciales no son válidas.");
         CHECK(header(result, "content-language") == "es");
       }},
      {"Spanish: empty name",
       [&] {
         return alice.post_json("/v1/keys", {{"name", ""}}, {{"Accept-Language", "es"}});
       },
       400, "name_empty",
       [](const HttpResult& result) { CHECK(message(result) == "El nombre está vacío."); }},
      {"English when Spanish is not preferred",
       [&] {
         return anonymous.get("/v1/credentials", {{"Accept-Language", "es;q=0.5, en;q=0.8"}});
       },
       401, "invalid_credentials",
       [](const HttpResult& result) { CHECK(message(result) == "The credentials are invalid."); }},
  };
  REQUIRE(table.size() >= 35);

  for (const BadRequest& row : table) {
    INFO("row: " << row.what);
    const json before = state();
    const HttpResult result = row.send();
    INFO("answer: " << result.status << " " << result.body);
    CHECK(result.status == row.status);
    CHECK(result.error_code() == row.code);
    CHECK(is_error_envelope(result.json()));
    CHECK(header(result, "content-type").rfind("application/json", 0) == 0);
    if (row.also) row.also(result);
    CHECK(state() == before);
  }

  // Large headers under the limit are fine (the limit is 16 KiB, not the
  // size of a read buffer).
  const std::string big_headers_request =
      "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: " + std::string(14 * 1024, 'a') +
      "\r\nConnection: close\r\n\r\n";
  CHECK(parse_raw_response(raw_exchange(port, big_headers_request)).status == 200);

  // Media types compare case-insensitively and may carry parameters.
  CHECK(alice
            .request("POST", "/v1/keys", R"({"name":"typed"})",
                     {{"Content-Type", "Application/JSON; charset=UTF-8"}})
            .status == 201);

  // The table left every credential working.
  CHECK(anonymous.get("/v1/verify", {{"MC-Api-Key", alice_token}}).status == 200);
  CHECK(alice.login("alice", "alice-password").status == 200);
}
