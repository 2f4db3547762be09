// keyledgerd's audit answers (GET /v1/audit, GET /v1/keys/{id}/events) and
// `keyledger audit` show the same events with the same names and types:
// one vocabulary of actions, seqs as numbers, null for what is absent.
#include <catch2/catch.hpp>
#include <string>

#include "tests/support/http_client.h"
#include "tests/support/server_process.h"
#include "tests/tools/scripted_history.h"

using namespace keyledger::testing;
using nlohmann::json;

TEST_CASE("keyledgerd's /v1/audit and keyledger audit show the same rows in the same vocabulary",
          "[tools][live][audit]") {
  ServerProcess server;
  HttpClient admin(server.port());
  REQUIRE(admin.login("admin", kAdminPassword).status == 200);
  REQUIRE(
      admin.post_json("/v1/users", {{"user", "bob"}, {"password", "bob-password-123"}}).status ==
      201);
  auto created = admin.post_json("/v1/keys", {{"name", "billing"}});
  REQUIRE(created.status == 201);
  const std::string id = created.json()["id"];
  REQUIRE(admin.patch_json("/v1/keys/" + id, {{"name", "billing v2"}}).status == 200);
  REQUIRE(admin.del("/v1/keys/" + id + "?reason=rotated").status == 204);
  REQUIRE(admin.patch_json("/v1/users/bob", {{"privilege", "auditor"}}).status == 200);

  auto http = admin.get("/v1/audit?limit=1000");
  REQUIRE(http.status == 200);
  const json http_rows = http.json()["events"];
  auto cli = run_keyledger({"audit", "--format", "json", "--data", server.data_dir().string()});
  INFO(cli.err);
  REQUIRE(cli.exit_code == 0);
  const json cli_rows = parse_json(cli.out);
  REQUIRE(http_rows.size() == cli_rows.size());
  REQUIRE(http_rows.size() >= 6);

  for (std::size_t i = 0; i < http_rows.size(); ++i) {
    const json& from_http = http_rows[i];
    const json& from_cli = cli_rows[i];
    INFO(from_http.dump() << "\n" << from_cli.dump());
    CHECK(from_http["seq"].is_number_unsigned());
    CHECK(from_http["seq"] == from_cli["seq"]);
    for (const auto& field : {"time", "action", "actor", "actor_ip"})
      CHECK(from_http[field] == from_cli[field]);
    // The HTTP answer leaves out what an event does not have; the CLI's
    // columns are null there.
    for (const auto& field : {"key_id", "name", "privilege", "reason", "client_ip", "used_at"})
      CHECK(from_http.value(field, json(nullptr)) == from_cli[field]);
    const char* whose = from_http.contains("user") ? "user" : "owner";
    CHECK(from_http.value(whose, json(nullptr)) == from_cli["owner"]);
  }
  // The first admin is created by the server itself: no address, no request.
  CHECK(http_rows[0]["action"] == "user_created");
  CHECK(http_rows[0]["actor"] == "system");
  CHECK(http_rows[0]["actor_ip"].is_null());
  CHECK(cli_rows[0]["actor_ip"].is_null());
  std::vector<std::string> actions;
  for (const auto& row : http_rows) actions.push_back(row["action"]);
  CHECK(std::vector<std::string>(actions.end() - 5, actions.end()) ==
        std::vector<std::string>{"user_created", "key_created", "key_renamed", "key_deleted",
                                 "user_privilege_changed"});

  // The key's own history speaks the same language.
  auto history = admin.get("/v1/keys/" + id + "/events");
  REQUIRE(history.status == 200);
  const json history_body = history.json();  // a range-for over a temporary's member would dangle
  std::vector<std::string> key_actions;
  for (const auto& event : history_body["events"]) key_actions.push_back(event["action"]);
  CHECK(key_actions == std::vector<std::string>{"key_created", "key_renamed", "key_deleted"});

  // The filter takes the names it prints, and still reads the older ones.
  auto current = admin.get("/v1/audit?action=key_created,key_deleted,user_*");
  auto older = admin.get("/v1/audit?action=created,deleted,user-*");
  REQUIRE(current.status == 200);
  REQUIRE(older.status == 200);
  CHECK(current.json()["events"].size() == 5);  // admin, bob, the privilege change, 2 key events
  CHECK(current.json() == older.json());
  auto unknown = admin.get("/v1/audit?action=key_exploded");
  CHECK(unknown.status == 400);
  CHECK(unknown.error_code() == "invalid_parameter");
}
