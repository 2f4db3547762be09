// Path traversal on the static assets: every spelling of "go up a folder"
// (encoded, double-encoded, overlong UTF-8, backslashes, NUL, ";", absolute
// URIs) answers 400 or 404; no answer ever carries a file from outside the
// embedded assets (the system's files, the pepper, the database).
#include <catch2/catch.hpp>
#include <fstream>
#include <set>
#include <sstream>

#include "server/web/web_pages.h"
#include "tests/security/security_support.h"
#include "tests/support/files.h"

using namespace keyledger::testing;

namespace {

const char* const kEscapes[] = {
    "/../etc/passwd",
    "/../../../../../../etc/passwd",
    "/..%2f..%2f..%2fetc%2fpasswd",
    "/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
    "/%252e%252e/%252e%252e/etc/passwd",
    "/%252e%252e%252f%252e%252e%252fetc%252fpasswd",
    "/.%2e/.%2e/etc/passwd",
    "/%2e./%2e./etc/passwd",
    "/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd",
    "/%c0%af..%c0%afetc%c0%afpasswd",
    "/%e0%80%ae%e0%80%ae/etc/passwd",
    "/%ef%bc%8e%ef%bc%8e/etc/passwd",
    "/..\\..\\..\\etc\\passwd",
    "/%5c..%5c..%5cetc%5cpasswd",
    "/..%5c..%5cetc%5cpasswd",
    "/..%255c..%255cetc%255cpasswd",
    "/..;/..;/etc/passwd",
    "/app.js;/../../etc/passwd",
    "/docs/..;/..;/etc/passwd",
    "/app.js/../../../etc/passwd",
    "/app.js%00../../etc/passwd",
    "/etc/passwd%00.js",
    "/..%00/etc/passwd",
    "/%00",
    "/....//....//etc/passwd",
    "/..../..../etc/passwd",
    "/.../.../etc/passwd",
    "//etc/passwd",
    "///etc/passwd",
    "/./././etc/passwd",
    "/etc/passwd",
    "/proc/self/environ",
    "/proc/self/cmdline",
    "/pepper",
    "/data/pepper",
    "/../pepper",
    "/%2e%2e/data/pepper",
    "/ledger/CURRENT",
    "/data/ledger/CURRENT",
    "/../ledger/MANIFEST-000001",
    "/server/assets/app.js",
    "/assets/../server_app.cc",
    "/v1/../../etc/passwd",
    "/v1/keys/..%2f..%2f..%2fetc%2fpasswd/events",
    "/openapi.json/../../etc/passwd",
    "/docs/../../../etc/passwd",
    "/app.js/.",
    "/app.js%2f..%2f..%2fetc%2fpasswd",
    "/%2fetc%2fpasswd",
    "/file:///etc/passwd",
    "http://127.0.0.1/../../etc/passwd",
    "http://127.0.0.1/%2e%2e/%2e%2e/etc/passwd",
    "file:///etc/passwd",
    "../../etc/passwd",
    "*",
    "/%",
    "/%zz",
    "/%2",
};

}  // namespace

TEST_CASE("no spelling of a path reaches a file outside the embedded assets",
          "[security][abuse][traversal]") {
  ServerProcess server;
  HttpClient client(server.port());
  // What may legitimately come back with 200: the embedded files.
  std::set<std::string> asset_bodies;
  std::vector<std::string> served_paths = keyledger::server::panel_route_table();
  served_paths.insert(served_paths.end(), {"/openapi.json", "/docs"});
  for (const auto& path : served_paths) {
    auto answer = client.get(path);
    REQUIRE(answer.status == 200);
    asset_bodies.insert(answer.body);
  }
  const std::string pepper = read_file((server.data_dir() / "pepper").string());
  REQUIRE_FALSE(pepper.empty());

  int tried = 0;
  for (const char* target : kEscapes) {
    for (const char* method : {"GET", "HEAD"}) {
      INFO(method << " " << target);
      ++tried;
      RawHttpResponse answer =
          http_exchange_from(attacker_ip(2), server.port(), http_request_text(method, target));
      // Some targets are not even valid HTTP: the parser's 400, or a close.
      CHECK((answer.status == 400 || answer.status == 404 || answer.status == 0));
      CHECK(asset_bodies.count(answer.body) == 0);
      CHECK(answer.body.find("root:") == std::string::npos);
      CHECK(answer.body.find(pepper) == std::string::npos);
      CHECK(answer.body.find("MANIFEST") == std::string::npos);
    }
  }
  CHECK(tried == 2 * static_cast<int>(std::size(kEscapes)));
  require_served_normally(server.port());
}
