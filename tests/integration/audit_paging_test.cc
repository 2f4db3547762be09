// /v1/audit pages by seq: each page says where the next begins, and a seq
// past the end answers an empty page, never the log again from the start.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/support/http_client.h"
#include "tests/support/server_process.h"

using namespace keyledger::testing;
using nlohmann::json;

TEST_CASE("the audit log pages by seq, and a seq past the end answers no events",
          "[integration][audit]") {
  ServerProcess server;
  HttpClient admin(server.port());
  REQUIRE(admin.login("admin", kAdminPassword).status == 200);
  for (const char* name : {"first", "second", "third"})
    REQUIRE(admin.post_json("/v1/keys", {{"name", name}}).status == 201);

  const json first = admin.get("/v1/audit?action=key-created&limit=2").json();
  REQUIRE(first["events"].size() == 2);
  REQUIRE(first["next_after_seq"].is_number());
  const std::string next = std::to_string(first["next_after_seq"].get<std::uint64_t>());
  const json second = admin.get("/v1/audit?action=key-created&limit=2&after_seq=" + next).json();
  REQUIRE(second["events"].size() == 1);
  CHECK(second["events"][0]["name"] == "third");
  CHECK(second["next_after_seq"].is_null());

  for (const std::string after : {"18446744073709551615", "18446744073709551614", "1000000"}) {
    INFO("after_seq=" << after);
    auto page = admin.get("/v1/audit?after_seq=" + after);
    REQUIRE(page.status == 200);
    CHECK(page.json()["events"].empty());
    CHECK(page.json()["next_after_seq"].is_null());
  }
  // One past the largest seq is not a number the API takes.
  auto beyond = admin.get("/v1/audit?after_seq=18446744073709551616");
  CHECK(beyond.status == 400);
  CHECK(beyond.error_code() == "invalid_parameter");
}
