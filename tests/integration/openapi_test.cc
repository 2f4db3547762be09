// /openapi.json is kept in step with the code: it must describe exactly the
// routes keyledgerd registers (server/api.cc's one route table), no more and
// no fewer, and every reference in it must resolve. /docs is the human page
// that renders it.
#include <catch2/catch.hpp>
#include <set>

#include "server/api.h"
#include "tests/support/http_client.h"
#include "tests/support/server_process.h"

using namespace keyledger::testing;
using nlohmann::json;

namespace {

using Operation = std::pair<std::string, std::string>;  // (METHOD, path)

const std::set<std::string> kOpenApiMethods = {"get",   "put",     "post", "delete",
                                               "patch", "options", "head", "trace"};

std::string upper(std::string text) {
  for (auto& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

// Every "$ref" anywhere in `node`.
void collect_refs(const json& node, std::vector<std::string>& refs) {
  if (node.is_object()) {
    for (const auto& [name, value] : node.items()) {
      if (name == "$ref" && value.is_string())
        refs.push_back(value.get<std::string>());
      else
        collect_refs(value, refs);
    }
  } else if (node.is_array()) {
    for (const auto& value : node) collect_refs(value, refs);
  }
}

// Follows a local reference such as "#/components/schemas/Error".
bool resolves(const json& document, const std::string& ref) {
  if (ref.rfind("#/", 0) != 0) return false;
  try {
    return !document.at(json::json_pointer(ref.substr(1))).is_null();
  } catch (const json::exception&) {
    return false;
  }
}

}  // namespace

TEST_CASE("the OpenAPI description lists exactly the routes the server has", "[integration]") {
  ServerProcess server;
  HttpClient client(server.port());
  auto served = client.get("/openapi.json");
  REQUIRE(served.status == 200);
  CHECK(served.headers["content-type"].rfind("application/json", 0) == 0);
  // Not const: operator[] on a missing member must give null, not undefined
  // behaviour, when the document lacks something.
  json document = served.json();
  REQUIRE_FALSE(document.is_discarded());
  REQUIRE(document.is_object());
  REQUIRE(document["openapi"].is_string());
  CHECK(document["openapi"].get<std::string>().rfind("3.1.", 0) == 0);
  CHECK(document["info"]["title"].is_string());
  CHECK(document["info"]["version"].is_string());

  std::set<Operation> documented;
  json& paths = document["paths"];
  REQUIRE(paths.is_object());
  for (auto& [path, item] : paths.items()) {
    for (auto& [method, operation] : item.items()) {
      if (!kOpenApiMethods.count(method)) continue;  // "parameters", "summary", …
      INFO(method << " " << path);
      documented.emplace(upper(method), path);
      CHECK(operation["operationId"].is_string());
      CHECK(operation["summary"].is_string());
      CHECK(operation["description"].is_string());
      CHECK(operation["tags"].is_array());
      CHECK(operation["responses"].is_object());
      CHECK_FALSE(operation["responses"].empty());
      // A JSON body is described field by field, and takes nothing else.
      if (operation.contains("requestBody")) {
        json schema = operation["requestBody"]["content"]["application/json"]["schema"];
        std::vector<std::string> refs;
        collect_refs(schema, refs);
        json resolved = refs.empty() || !resolves(document, refs[0])
                            ? schema
                            : document.at(json::json_pointer(refs[0].substr(1)));
        CHECK(resolved["type"] == "object");
        CHECK(resolved["additionalProperties"] == false);
        CHECK(resolved["properties"].is_object());
      }
    }
  }

  std::set<Operation> registered;
  for (const auto& [method, pattern] : keyledger::server::api_route_table())
    registered.emplace(method, pattern);
  REQUIRE(registered.size() >= 19);

  std::vector<Operation> undocumented, not_served;
  std::set_difference(registered.begin(), registered.end(), documented.begin(), documented.end(),
                      std::back_inserter(undocumented));
  std::set_difference(documented.begin(), documented.end(), registered.begin(), registered.end(),
                      std::back_inserter(not_served));
  for (const auto& [method, path] : undocumented)
    FAIL_CHECK("not in /openapi.json: " << method << " " << path);
  for (const auto& [method, path] : not_served)
    FAIL_CHECK("documented but not served: " << method << " " << path);
  CHECK(documented == registered);

  // Shared parts exist and every reference resolves.
  CHECK(document["components"]["schemas"]["Error"].is_object());
  for (const char* scheme : {"sessionCookie", "csrfToken", "apiKey", "bearer"})
    CHECK(document["components"]["securitySchemes"][scheme].is_object());
  std::vector<std::string> refs;
  collect_refs(document, refs);
  CHECK_FALSE(refs.empty());
  for (const auto& ref : refs) {
    INFO("$ref " << ref);
    CHECK(resolves(document, ref));
  }

  // Every operationId is unique.
  std::set<std::string> ids;
  std::size_t operations = 0;
  for (auto& [path, item] : paths.items())
    for (auto& [method, operation] : item.items())
      if (kOpenApiMethods.count(method)) {
        ++operations;
        ids.insert(operation.value("operationId", ""));
      }
  CHECK(ids.size() == operations);
}

TEST_CASE("the API documentation page is served and renders /openapi.json", "[integration]") {
  ServerProcess server;
  HttpClient client(server.port());
  auto page = client.get("/docs");
  REQUIRE(page.status == 200);
  CHECK(page.headers["content-type"].rfind("text/html", 0) == 0);
  CHECK(page.body.find("openapi.json") != std::string::npos);
  CHECK(page.body.find("MC-Api-Key") != std::string::npos);
  CHECK(page.headers["content-security-policy"].find("default-src 'self'") != std::string::npos);
  // Self-contained: nothing is loaded from elsewhere.
  CHECK(page.body.find("http://") == std::string::npos);
  CHECK(page.body.find("https://") == std::string::npos);
  // HEAD announces the length GET sends, without the body.
  auto description = client.get("/openapi.json");
  const std::string head = raw_exchange(
      server.port(), "HEAD /openapi.json HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
  CHECK(head.rfind("HTTP/1.1 200", 0) == 0);
  CHECK(head.find("Content-Length: " + std::to_string(description.body.size()) + "\r\n") !=
        std::string::npos);
  CHECK(head.ends_with("\r\n\r\n"));
  // The link shown in User Settings leads here.
  HttpClient admin(server.port());
  REQUIRE(admin.login("admin", kAdminPassword).status == 200);
  const std::string docs_url = admin.get("/v1/credentials").json()["docs_url"];
  CHECK(docs_url == "http://127.0.0.1:" + std::to_string(server.port()) + "/docs");
}
