// The web panel's files, as HTTP serves them: each under its one exact
// path, with its content type, nosniff and a Content-Security-Policy that
// allows no inline script; nothing else of the binary or the disk is
// reachable by any spelling of a path; and the panel's pages stay out of
// the API description. What the panel does in a browser is tested in
// tests/browser.
#include <catch2/catch.hpp>
#include <set>

#include "server/daemon/http_routes.h"
#include "server/web/web_pages.h"
#include "tests/support/http_client.h"
#include "tests/support/server_process.h"

using namespace keyledger::testing;

namespace {

const std::map<std::string, std::string> kContentTypes = {
    {"/", "text/html; charset=utf-8"},
    {"/app.js", "text/javascript; charset=utf-8"},
    {"/i18n.js", "text/javascript; charset=utf-8"},
    {"/app.css", "text/css; charset=utf-8"},
    {"/favicon.svg", "image/svg+xml"},
    // The API documentation's script and style (its pages are /docs).
    {"/docs.js", "text/javascript; charset=utf-8"},
    {"/docs.css", "text/css; charset=utf-8"},
};

}  // namespace

TEST_CASE("the web panel's files are served with strict headers", "[integration]") {
  ServerProcess server;
  HttpClient client(server.port());
  const auto paths = keyledger::server::panel_route_table();
  CHECK(std::set<std::string>(paths.begin(), paths.end()).size() == kContentTypes.size());
  for (const auto& path : paths) {
    INFO(path);
    REQUIRE(kContentTypes.count(path) == 1);
    auto file = client.get(path);
    REQUIRE(file.status == 200);
    CHECK(file.headers["content-type"] == kContentTypes.at(path));
    CHECK(file.headers["x-content-type-options"] == "nosniff");
    CHECK(file.headers["x-frame-options"] == "DENY");
    const std::string policy = file.headers["content-security-policy"];
    CHECK(policy.find("default-src 'none'") != std::string::npos);
    CHECK(policy.find("script-src 'self';") != std::string::npos);
    CHECK(policy.find("frame-ancestors 'none'") != std::string::npos);
    CHECK(policy.find("unsafe-inline") == std::string::npos);
    CHECK(policy.find("unsafe-eval") == std::string::npos);
    CHECK_FALSE(file.body.empty());
    // Self-contained: nothing is fetched from elsewhere at run time. (The
    // SVG namespace is a name, not a fetch.)
    std::string body = file.body;
    for (std::string_view name : {"http://www.w3.org/2000/svg"})
      for (auto at = body.find(name); at != std::string::npos; at = body.find(name))
        body.erase(at, name.size());
    CHECK(body.find("http://") == std::string::npos);
    CHECK(body.find("https://") == std::string::npos);
  }
  // The page loads its script and style from files, never inline.
  const std::string page = client.get("/").body;
  CHECK(page.find("<script type=\"module\" src=\"/app.js\"></script>") != std::string::npos);
  CHECK(page.find("<script>") == std::string::npos);
  CHECK(page.find("<style") == std::string::npos);
  CHECK(page.find(" style=") == std::string::npos);
  for (std::string_view handler : {"onclick=", "onload=", "onsubmit=", "onchange=", "onerror="})
    CHECK(page.find(handler) == std::string::npos);
}

TEST_CASE("no path reaches anything but the panel's exact files", "[integration]") {
  ServerProcess server;
  HttpClient client(server.port());
  for (const std::string target :
       {"/../app.js", "/%2e%2e/app.js", "/%2E%2E/%2e%2e/etc/passwd", "/..%2fapp.js",
        "/assets/app.js", "/server/assets/app.js", "/index.html", "/docs.html", "/app.js/",
        "/app.js/..", "/./app.js", "//app.js", "/APP.JS", "/app.js.map", "/app", "/nope.js",
        "/favicon.ico", "/v1/../app.js", "/%2fapp.js"}) {
    INFO(target);
    auto answer = client.get(target);
    CHECK(answer.status == 404);
    CHECK(answer.error_code() == "not_found");
  }
  // A NUL can never become part of a name.
  CHECK(client.get("/app.js%00").status == 400);
  // The panel's files answer GET and HEAD only.
  auto posted = client.post_json("/app.js", nlohmann::json::object());
  CHECK(posted.status == 405);
  CHECK(posted.headers["allow"] == "GET");
  const std::string head = raw_exchange(
      server.port(), "HEAD / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
  CHECK(head.rfind("HTTP/1.1 200", 0) == 0);
  CHECK(head.ends_with("\r\n\r\n"));
}

TEST_CASE("the panel's pages are not API routes", "[integration]") {
  ServerProcess server;
  HttpClient client(server.port());
  auto document = client.get("/openapi.json").json();
  REQUIRE(document.is_object());
  std::set<std::string> api_paths;
  for (const auto& [method, pattern] : keyledger::server::api_route_table())
    api_paths.insert(pattern);
  for (const auto& path : keyledger::server::panel_route_table()) {
    INFO(path);
    CHECK(api_paths.count(path) == 0);
    CHECK_FALSE(document["paths"].contains(path));
    CHECK(path.rfind("/v1", 0) != 0);
  }
}
