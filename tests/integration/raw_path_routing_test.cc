// Requests are routed on the path as sent. A proxy rule such as "deny
// /metrics" compares the text it sees, so "/%6detrics" or "/v1%2fsession"
// must not reach /metrics or /v1/session behind it. Parameters (a key id)
// and query values are still percent-decoded, and the route labels of the
// metrics stay the route table's.
#include <catch2/catch.hpp>
#include <regex>
#include <set>
#include <string>

#include "server/daemon/http_routes.h"
#include "server/web/web_pages.h"
#include "tests/support/http_client.h"
#include "tests/support/server_process.h"

using namespace keyledger::testing;
using nlohmann::json;

namespace {

// Every byte as %XX: the same text, spelled so that nothing matches it
// literally.
std::string percent_encode_all(const std::string& text) {
  static const char* const kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    out += '%';
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

}  // namespace

TEST_CASE("a route's literal segments match only as sent, not percent-encoded",
          "[integration][routing]") {
  ServerProcess server;
  HttpClient admin(server.port());
  REQUIRE(admin.login("admin", kAdminPassword).status == 200);
  const json key = admin.post_json("/v1/keys", {{"name", "routing"}}).json();
  REQUIRE(key.contains("key"));
  const std::string token = key["key"], key_id = key["id"];
  const std::map<std::string, std::string> with_key = {{"MC-Api-Key", token}};

  struct Disguised {
    std::string method;
    std::string target;
  };
  const Disguised disguised[] = {
      {"GET", "/%6detrics"},
      {"GET", "/%6Detrics"},
      {"GET", "/metric%73"},
      {"GET", "/%68ealthz"},
      {"GET", "/v1%2fsession"},
      {"GET", "/v1%2Fsession"},
      {"GET", "/%76%31/session"},
      {"POST", "/v1/%6Beys"},
      {"GET", "/v1/%76erify"},
      {"GET", "/v1/credential%73"},
      {"GET", "/v1/users%2F"},
      {"GET", "/%6F%70%65%6E%61%70%69%2E%6A%73%6F%6E"},
      {"GET", "/%64ocs"},
      {"GET", "/%61pp.js"},
      {"GET", "/app%2Ejs"},
      {"GET", "/%2Fmetrics"},
      {"GET", "/%2F"},
      {"GET", "/v1/keys/" + key_id + "%2Fevents"},
      {"GET", "/v1/keys/" + key_id + "%2fevents"},
  };
  for (const auto& [method, target] : disguised) {
    INFO(method << " " << target);
    const HttpResult answer = admin.request(method, target, "", with_key);
    CHECK(answer.status == 404);
    CHECK(answer.error_code() == "not_found");
  }

  // A key id with an encoded slash is no key id, on every key route.
  for (const std::string method : {"PATCH", "DELETE"}) {
    INFO(method);
    const HttpResult answer =
        admin.request(method, "/v1/keys/abc%2Fdef", R"({"name":"x"})",
                      {{"MC-Api-Key", token}, {"Content-Type", "application/json"}});
    CHECK(answer.status == 404);
    CHECK(answer.error_code() == "not_found");
  }

  // Nor is a parameter with an escape: the key id or user id spelled in
  // escapes is no route (ids never need one), so a proxy rule on
  // "/v1/users/admin" cannot be passed by "/v1/users/%61dmin".
  CHECK(admin.get("/v1/keys/" + percent_encode_all(key_id) + "/events", with_key).status == 404);
  CHECK(admin.patch_json("/v1/keys/" + percent_encode_all(key_id), {{"name", "renamed"}}, with_key)
            .status == 404);
  CHECK(admin.patch_json("/v1/users/%61dmin", {{"privilege", "user"}}, with_key).status == 404);
  // The routes themselves are served, ids as sent.
  CHECK(admin.get("/metrics").status == 200);
  CHECK(admin.get("/v1/session", with_key).status == 200);
  const HttpResult events = admin.get("/v1/keys/" + key_id + "/events", with_key);
  CHECK(events.status == 200);
  CHECK(events.json()["key_id"] == key_id);
  // Query values are decoded as before.
  HttpResult spanish = admin.get("/docs?lang=%65s");
  CHECK(spanish.status == 200);
  CHECK(spanish.headers["content-language"] == "es");

  // However a path is spelled, the metrics name only routes of the table.
  std::set<std::string> known = {"unmatched", "rejected"};
  for (const auto& [method, pattern] : keyledger::server::api_route_table()) known.insert(pattern);
  for (const auto& path : keyledger::server::panel_route_table()) known.insert(path);
  const std::string metrics = admin.get("/metrics").body;
  const std::regex route_label("route=\"([^\"]*)\"");
  std::size_t labels = 0;
  for (std::sregex_iterator it(metrics.begin(), metrics.end(), route_label), end; it != end;
       ++it, ++labels) {
    const std::string label = (*it)[1].str();
    INFO("route label " << label);
    CHECK(known.count(label) == 1);
  }
  CHECK(labels > 0);
  CHECK(server.stop() == 0);
}
