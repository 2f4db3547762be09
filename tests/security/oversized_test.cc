// Oversized and malformed framing, sent raw from another client address:
// headers over 16 KiB answer 431, bodies over 64 KiB answer 413 (or the
// connection is closed when the client keeps pushing), requests at the
// limit still work, and none of it changes the ledger or disturbs others.
#include <catch2/catch.hpp>
#include <set>
#include <vector>

#include "tests/security/security_support.h"

using namespace keyledger::testing;

namespace {

struct Case {
  std::string name;
  std::string request;
  std::set<unsigned> statuses;  // acceptable answers; 0 = closed without one
  std::string code;             // expected error code when answered with an error
};

std::string header_block(int count, std::size_t value_size) {
  std::string headers;
  for (int i = 0; i < count; ++i)
    headers += "X-Filler-" + std::to_string(i) + ": " + std::string(value_size, 'h') + "\r\n";
  return headers;
}

std::string get_with(const std::string& target, const std::string& headers) {
  return "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" + headers +
         "\r\n";
}

std::string post(const std::string& target, const std::string& headers, const std::string& body) {
  return "POST " + target +
         " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: "
         "application/json\r\n" +
         headers + "\r\n" + body;
}

std::string chunked(std::size_t total, std::size_t chunk) {
  std::string body;
  for (std::size_t sent = 0; sent < total; sent += chunk) {
    char size[32];
    std::snprintf(size, sizeof size, "%zx\r\n", chunk);
    body += size + std::string(chunk, ' ') + "\r\n";
  }
  return body + "0\r\n\r\n";
}

// A sign-in body padded with JSON whitespace to exactly `size` bytes.
std::string login_body(std::size_t size) {
  std::string body = R"({"user":"admin","password":"wrong-password-here"})";
  body.insert(1, size - body.size(), ' ');
  return body;
}

std::vector<Case> cases() {
  constexpr std::size_t kKiB = 1024;
  const std::string big_body(64 * kKiB + 1, ' ');
  return {
      {"one 17 KiB header",
       get_with("/healthz", "X-Big: " + std::string(17 * kKiB, 'a') + "\r\n"),
       {431},
       "headers_too_large"},
      {"400 headers of 50 bytes",
       get_with("/healthz", header_block(400, 50)),
       {431},
       "headers_too_large"},
      {"17 KiB request target",
       get_with("/healthz?q=" + std::string(17 * kKiB, 'a'), ""),
       {431},
       "headers_too_large"},
      {"20 KiB cookie",
       get_with("/v1/credentials", "Cookie: kl_session=" + std::string(20 * kKiB, 'c') + "\r\n"),
       {431},
       "headers_too_large"},
      {"1 MiB of headers",
       get_with("/healthz", header_block(16 * 1024, 60)),
       {431, 0},
       "headers_too_large"},
      {"body one byte over 64 KiB",
       post("/v1/login", "Content-Length: " + std::to_string(big_body.size()) + "\r\n", big_body),
       {413},
       "body_too_large"},
      {"Content-Length of a petabyte, no body",
       post("/v1/keys", "Content-Length: 1000000000000000\r\n", ""),
       {413},
       "body_too_large"},
      {"1 MiB body to an authenticated route",
       post("/v1/keys", "Content-Length: 1048576\r\n", std::string(1024 * kKiB, '{')),
       {413, 0},
       "body_too_large"},
      {"chunked body of 70 KiB",
       post("/v1/login", "Transfer-Encoding: chunked\r\n", chunked(70 * kKiB, 1024)),
       {413},
       "body_too_large"},
      {"Content-Length overflowing 64 bits",
       post("/v1/login", "Content-Length: 99999999999999999999999\r\n", ""),
       {400, 413},
       ""},
      {"two different Content-Lengths",
       post("/v1/login", "Content-Length: 5\r\nContent-Length: 6\r\n", "{}    "),
       {400},
       "bad_request"},
      {"Content-Length with chunked",
       post("/v1/login", "Content-Length: 4\r\nTransfer-Encoding: chunked\r\n", chunked(4, 4)),
       {400},
       "bad_request"},
      {"chunk size beyond 64 bits",
       post("/v1/login", "Transfer-Encoding: chunked\r\n",
            "fffffffffffffffffffff\r\nx\r\n0\r\n\r\n"),
       {400, 413},
       ""},
      {"header line without a colon",
       get_with("/healthz", "NoColonHere\r\n"),
       {400},
       "bad_request"},
      {"NUL in a header value",
       get_with("/healthz", std::string("X-Nul: a\0b\r\n", 12)),
       {400},
       "bad_request"},
      {"obsolete line folding", get_with("/healthz", "X-Folded: a\r\n b\r\n"), {400, 200}, ""},
      // At the limits: still served.
      {"15 KiB of headers", get_with("/healthz", header_block(15, 1000)), {200}, ""},
      {"body of exactly 64 KiB",
       post("/v1/login", "Content-Length: 65536\r\n", login_body(64 * kKiB)),
       {401},
       "invalid_credentials"},
  };
}

}  // namespace

TEST_CASE("oversized and malformed requests are refused, change nothing and disturb no one",
          "[security][abuse][oversized]") {
  ServerProcess server;
  HttpClient admin(server.port());
  REQUIRE(admin.login("admin", kAdminPassword).status == 200);
  const auto head_before = admin.get("/readyz").json()["head_seq"];

  int tried = 0;
  std::string seen;  // "case → status" for the reliability page
  for (const Case& one : cases()) {
    INFO(one.name);
    ++tried;
    RawHttpResponse answer = http_exchange_from(attacker_ip(2), server.port(), one.request);
    seen += "\n  " + one.name + " -> " +
            (answer.status ? std::to_string(answer.status) : std::string("closed"));
    CHECK(one.statuses.count(answer.status) == 1);
    if (answer.status >= 400 && !one.code.empty()) {
      const auto body = nlohmann::json::parse(answer.body, nullptr, false);
      REQUIRE(body.is_object());
      CHECK(body["errors"][0]["code"] == one.code);
    }
  }
  CHECK(tried >= 18);
  WARN("oversized and malformed requests tried: " << tried << seen);
  CHECK(admin.get("/readyz").json()["head_seq"] == head_before);
  require_served_normally(server.port());
}
