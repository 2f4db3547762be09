// /openapi.json is kept in step with the code: it must describe exactly the
// routes keyledgerd registers (server/api/api.cc's one route table), no more and
// no fewer, and every reference in it must resolve. /docs is the human page
// that renders it, in English and in Spanish.
#include <catch2/catch.hpp>
#include <regex>
#include <set>
#include <vector>

#include "server/daemon/http_routes.h"
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

// Where a human text of `node` ("summary", "description") has no Spanish
// text beside it ("x-summary-es", "x-description-es"), for /docs in
// Spanish. A "properties" object maps field names to schemas: a field
// called "description" is not a text.
void collect_untranslated(const json& node, const std::string& where, bool is_properties,
                          std::vector<std::string>& missing) {
  if (node.is_object()) {
    for (const auto& [name, value] : node.items()) {
      if (!is_properties && (name == "summary" || name == "description") && value.is_string()) {
        const auto spanish = node.find("x-" + name + "-es");
        if (spanish == node.end() || !spanish->is_string() || spanish->get<std::string>().empty() ||
            (*spanish == value && value.get<std::string>().find(' ') != std::string::npos &&
             value.get<std::string>().front() != '`'))
          missing.push_back(where + "/" + name);
        continue;
      }
      collect_untranslated(value, where + "/" + name, name == "properties", missing);
    }
  } else if (node.is_array()) {
    for (std::size_t i = 0; i < node.size(); ++i)
      collect_untranslated(node[i], where + "/" + std::to_string(i), false, missing);
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
  // Its script and style are its own files: nothing inline runs.
  CHECK(page.headers["content-security-policy"].find("unsafe-inline") == std::string::npos);
  CHECK(page.body.find("<script src=\"/docs.js\"") != std::string::npos);
  auto script = client.get("/docs.js");
  REQUIRE(script.status == 200);
  CHECK(script.headers["content-type"].rfind("text/javascript", 0) == 0);
  CHECK(script.body.find("openapi.json") != std::string::npos);
  auto style = client.get("/docs.css");
  REQUIRE(style.status == 200);
  CHECK(style.headers["content-type"].rfind("text/css", 0) == 0);
  // Self-contained: nothing is loaded from elsewhere.
  for (const auto* body : {&page.body, &script.body, &style.body}) {
    CHECK(body->find("http://") == std::string::npos);
    CHECK(body->find("https://") == std::string::npos);
  }
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

namespace {

// Every match of `pattern`'s first group in `text`, in order.
std::vector<std::string> all_of(const std::string& text, const std::regex& pattern) {
  std::vector<std::string> found;
  for (std::sregex_iterator it(text.begin(), text.end(), pattern), end; it != end; ++it)
    found.push_back((*it)[1]);
  return found;
}

}  // namespace

TEST_CASE("the documentation is served in English and in Spanish", "[integration]") {
  ServerProcess server;
  HttpClient client(server.port());
  auto english = client.get("/docs");
  REQUIRE(english.status == 200);
  CHECK(english.body.find("<html lang=\"en\">") != std::string::npos);
  CHECK(english.headers["content-language"] == "en");
  CHECK(english.headers["vary"].find("Accept-Language") != std::string::npos);

  auto spanish = client.get("/docs", {{"Accept-Language", "es-ES,es;q=0.9,en;q=0.5"}});
  REQUIRE(spanish.status == 200);
  CHECK(spanish.body.find("<html lang=\"es\">") != std::string::npos);
  CHECK(spanish.headers["content-language"] == "es");
  CHECK(spanish.body.find("Autenticación") != std::string::npos);

  // ?lang= (what the panel's link sends) wins over Accept-Language.
  auto asked_spanish = client.get("/docs?lang=es", {{"Accept-Language", "en"}});
  REQUIRE(asked_spanish.status == 200);
  CHECK(asked_spanish.body == spanish.body);
  auto asked_english = client.get("/docs?lang=en", {{"Accept-Language", "es"}});
  REQUIRE(asked_english.status == 200);
  CHECK(asked_english.body == english.body);

  // The two pages are one document: the same code, examples, anchors and
  // links in the same order (a change to one page must reach the other).
  const std::regex code("<code>([^<]*)</code>"), pre("<pre>([\\s\\S]*?)</pre>"),
      id("id=\"([^\"]+)\""), href("href=\"(#[^\"]*|/openapi.json)\"");
  for (const auto* pattern : {&code, &pre, &id, &href}) {
    const auto in_english = all_of(english.body, *pattern);
    CHECK_FALSE(in_english.empty());
    CHECK(in_english == all_of(spanish.body, *pattern));
  }
  // Each page links to the other.
  CHECK(english.body.find("href=\"/docs?lang=es\"") != std::string::npos);
  CHECK(spanish.body.find("href=\"/docs?lang=en\"") != std::string::npos);
}

TEST_CASE("the documentation refuses a language it does not have, or another parameter",
          "[integration]") {
  ServerProcess server;
  HttpClient client(server.port());
  for (const std::string target :
       {"/docs?lang=fr", "/docs?lang=", "/docs?lang=ES", "/docs?page=2"}) {
    INFO(target);
    auto refused = client.get(target);
    CHECK(refused.status == 400);
    CHECK(refused.error_code() == "invalid_parameter");
  }
  auto refused = client.get("/docs?lang=fr");
  CHECK(refused.json()["errors"][0]["context"]["field"] == "lang");
}

TEST_CASE("every human text of the OpenAPI description has its Spanish text", "[integration]") {
  ServerProcess server;
  HttpClient client(server.port());
  const json document = client.get("/openapi.json").json();
  std::vector<std::string> missing;
  collect_untranslated(document, "", false, missing);
  for (const auto& tag : document["tags"])
    if (!tag.contains("x-name-es")) missing.push_back("tag " + tag["name"].get<std::string>());
  for (const auto& place : missing) UNSCOPED_INFO("without Spanish: " << place);
  CHECK(missing.empty());
}
