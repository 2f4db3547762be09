// The answers /openapi.json lists are the answers keyledgerd gives. Every
// operation is sent what gets the answers any route can give (a malformed
// query string, a path no route has, a method the path does not take), a
// session whose password is one-time, and too many failed sign-ins; each
// answer must be one the operation documents, its code named in the
// documented answer's description. (The linters in tests/openapi check the
// document's form; this checks that it tells the truth.)
#include <algorithm>
#include <catch2/catch.hpp>
#include <set>
#include <sstream>
#include <vector>

#include "tests/support/http_client.h"
#include "tests/support/server_process.h"

using namespace keyledger::testing;
using nlohmann::json;

namespace {

struct Operation {
  std::string method;  // upper case, as sent
  std::string path;    // as documented, with {parameters}
  json spec;
};

const std::set<std::string> kOpenApiMethods = {"get",   "put",     "post", "delete",
                                               "patch", "options", "head", "trace"};

std::string upper(std::string text) {
  for (auto& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

std::vector<Operation> operations_of(const json& document) {
  std::vector<Operation> operations;
  for (const auto& [path, item] : document.at("paths").items())
    for (const auto& [method, operation] : item.items())
      if (kOpenApiMethods.count(method)) operations.push_back({upper(method), path, operation});
  return operations;
}

// `path` with every {parameter} replaced by `value`.
std::string fill(const std::string& path, const std::string& value) {
  std::string filled;
  for (std::size_t i = 0; i < path.size(); ++i) {
    if (path[i] != '{') {
      filled.push_back(path[i]);
      continue;
    }
    filled += value;
    i = path.find('}', i);
  }
  return filled;
}

// `node`, or what its local "$ref" ("#/components/…") names; null when the
// reference leads nowhere.
json resolve(const json& document, const json& node) {
  if (!node.is_object() || !node.contains("$ref")) return node;
  const std::string ref = node.at("$ref").get<std::string>();
  if (ref.rfind("#/", 0) != 0) return nullptr;
  const json::json_pointer pointer(ref.substr(1));
  return document.contains(pointer) ? resolve(document, document.at(pointer)) : json(nullptr);
}

// The answer `operation` documents for `status`, resolved; null if none.
json documented_answer(const json& document, const Operation& operation, unsigned status) {
  const json& responses = operation.spec.at("responses");
  const std::string key = std::to_string(status);
  return responses.contains(key) ? resolve(document, responses.at(key)) : json(nullptr);
}

// Whether `operation` documents the answer `status`, naming `code` (an
// error's code, or "" for a success) in that answer's description.
bool documents(const json& document, const Operation& operation, unsigned status,
               const std::string& code) {
  const json answer = documented_answer(document, operation, status);
  if (!answer.is_object() || !answer.contains("description")) return false;
  return code.empty() ||
         answer.at("description").get<std::string>().find("`" + code + "`") != std::string::npos;
}

std::set<std::string> split_methods(const std::string& allow) {
  std::set<std::string> methods;
  std::istringstream in(allow);
  for (std::string method; std::getline(in, method, ',');) {
    method.erase(0, method.find_first_not_of(' '));
    method.erase(method.find_last_not_of(' ') + 1);
    if (!method.empty()) methods.insert(method);
  }
  return methods;
}

}  // namespace

TEST_CASE(
    "every operation documents the answers any route gives: a malformed query string, a path no "
    "route has and a method the path does not take",
    "[integration]") {
  ServerProcess server;
  HttpClient client(server.port());
  const json document = client.get("/openapi.json").json();
  REQUIRE(document.is_object());
  const auto operations = operations_of(document);
  REQUIRE(operations.size() >= 19);

  for (const Operation& operation : operations) {
    INFO(operation.method << " " << operation.path);
    const std::string target = fill(operation.path, "x");
    auto malformed = client.request(operation.method, target + "?lang=%zz");
    CHECK(malformed.status == 400);
    CHECK(malformed.error_code() == "invalid_parameter");
    CHECK(documents(document, operation, 400, "invalid_parameter"));

    auto unknown = client.request(operation.method, target + "/");
    CHECK(unknown.status == 404);
    CHECK(unknown.error_code() == "not_found");
    CHECK(documents(document, operation, 404, "not_found"));

    // No route takes PUT: every path answers it 405, listing in Allow the
    // methods the document gives the path.
    auto wrong_method = client.request("PUT", target);
    CHECK(wrong_method.status == 405);
    CHECK(wrong_method.error_code() == "method_not_allowed");
    std::set<std::string> documented_methods;
    for (const Operation& other : operations)
      if (other.path == operation.path) documented_methods.insert(other.method);
    CHECK(split_methods(wrong_method.headers["allow"]) == documented_methods);
    CHECK(documents(document, operation, 405, "method_not_allowed"));
    CHECK(documented_answer(document, operation, 405)["headers"].contains("Allow"));
  }
}

TEST_CASE(
    "a session whose password is one-time gets the documented 403 from every operation but "
    "choosing a password, asking who one is and signing out",
    "[integration]") {
  ServerProcess server;
  HttpClient admin(server.port());
  REQUIRE(admin.login("admin", kAdminPassword).status == 200);
  REQUIRE(admin.post_json("/v1/users", {{"user", "dana"}, {"password", "first-password"}}).status ==
          201);
  REQUIRE(admin.patch_json("/v1/users/dana", {{"password", "one-time-password"}}).status == 200);
  const json document = admin.get("/openapi.json").json();
  REQUIRE(document.is_object());
  HttpClient dana(server.port());
  auto signed_in = dana.login("dana", "one-time-password");
  REQUIRE(signed_in.status == 200);
  REQUIRE(signed_in.json()["password_change_required"] == true);

  const std::set<std::string> still_open = {"POST /v1/password", "GET /v1/session",
                                            "POST /v1/logout"};
  std::vector<Operation> with_session;
  for (const Operation& operation : operations_of(document)) {
    bool takes_session = false;
    for (const json& requirement : operation.spec.value("security", document.at("security")))
      takes_session = takes_session || requirement.contains("sessionCookie");
    if (takes_session) with_session.push_back(operation);
  }
  REQUIRE(with_session.size() >= 12);
  // Signing out ends the session the others need: it goes last.
  std::stable_partition(with_session.begin(), with_session.end(),
                        [](const Operation& operation) { return operation.path != "/v1/logout"; });
  for (const Operation& operation : with_session) {
    const std::string name = operation.method + " " + operation.path;
    INFO(name);
    auto answer = dana.request(operation.method, fill(operation.path, "dana"));
    const std::string code = answer.status >= 400 ? answer.error_code() : "";
    INFO("answered " << answer.status << " " << code);
    if (still_open.count(name))
      CHECK(code != "password_change_required");
    else
      CHECK(code == "password_change_required");
    CHECK(documents(document, operation, answer.status, code));
  }
}

TEST_CASE("too many failed sign-ins from one address get the 429 that POST /v1/login documents",
          "[integration]") {
  ServerProcess server({"--max-failed-sign-ins-per-ip", "1"});
  HttpClient client(server.port());
  const json document = client.get("/openapi.json").json();
  REQUIRE(document.is_object());
  const Operation login{"POST", "/v1/login", document["paths"]["/v1/login"]["post"]};
  REQUIRE(client.login("nobody", "wrong-password").status == 401);
  auto limited = client.login("nobody", "wrong-password");
  CHECK(limited.status == 429);
  CHECK(limited.error_code() == "rate_limited");
  CHECK_FALSE(limited.headers["retry-after"].empty());
  CHECK(documents(document, login, 429, "rate_limited"));
  CHECK(documented_answer(document, login, 429)["headers"].contains("Retry-After"));
}

TEST_CASE("GET /docs documents its lang parameter with exactly the languages it serves",
          "[integration]") {
  ServerProcess server;
  HttpClient client(server.port());
  const json document = client.get("/openapi.json").json();
  REQUIRE(document.is_object());
  const Operation docs{"GET", "/docs", document["paths"]["/docs"]["get"]};
  json lang;
  for (const json& parameter : docs.spec.value("parameters", json::array())) {
    const json resolved = resolve(document, parameter);
    if (resolved.value("name", "") == "lang" && resolved.value("in", "") == "query")
      lang = resolved;
  }
  REQUIRE(lang.is_object());
  const json languages = lang["schema"]["enum"];
  REQUIRE(languages == json::array({"en", "es"}));
  for (const auto& language : languages) {
    auto page = client.get("/docs?lang=" + language.get<std::string>());
    CHECK(page.status == 200);
    CHECK(page.headers["content-language"] == language);
  }
  auto refused = client.get("/docs?lang=fr");
  CHECK(refused.status == 400);
  CHECK(refused.error_code() == "invalid_parameter");
  CHECK(documents(document, docs, 400, "invalid_parameter"));
}
