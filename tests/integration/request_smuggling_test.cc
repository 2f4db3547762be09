// Request smuggling (RFC 9112 §6.1 and §6.3). A request whose body length
// keyledgerd cannot be sure of is refused, 400 (or 501 for a transfer
// coding it does not decode) with Connection: close, and the connection is
// closed: the bytes of its "body" are never read as a request of their own,
// whatever a proxy in front made of them. A body chunked the way HTTP/1.1
// says is read as a body, however "chunked" is spelled.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "tests/support/http_client.h"
#include "tests/support/server_process.h"

using namespace keyledger::testing;

namespace {

// What a front end that framed the request differently would forward as a
// request of its own. Answered 200 if keyledgerd ever reads it.
const std::string kSmuggled =
    "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";

// A sign-in without a password, read whole: 400 missing_field. (Without
// its body it would be invalid_json.)
const std::string kLoginBody = R"({"user":"admin"})";

std::string chunked(const std::string& data) {
  char size[16];
  std::snprintf(size, sizeof size, "%zx", data.size());
  return std::string(size) + "\r\n" + data + "\r\n0\r\n\r\n";
}

std::string request(const std::string& request_line, const std::string& fields,
                    const std::string& body) {
  return request_line + "\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" + fields +
         "\r\n" + body;
}

struct Refused {
  std::string what;
  std::string request_line;
  std::string fields;  // each ending in CRLF
  std::string body;
  unsigned status;
  std::string code;
};

}  // namespace

TEST_CASE(
    "a request whose body length is uncertain is refused and its body is never read as a request",
    "[integration][smuggling]") {
  ServerProcess server;
  const std::string login = "POST /v1/login HTTP/1.1";
  const std::string length = std::to_string(kSmuggled.size());
  const std::string chunked_length = std::to_string(chunked(kSmuggled).size());
  const std::vector<Refused> table = {
      // The final coding is not chunked: Beast would read no body at all.
      {"xchunked", login, "Transfer-Encoding: xchunked\r\n", kSmuggled, 400, "bad_request"},
      {"chunked, identity", login, "Transfer-Encoding: chunked, identity\r\n", kSmuggled, 400,
       "bad_request"},
      {"gzip", login, "Transfer-Encoding: gzip\r\n", kSmuggled, 400, "bad_request"},
      {"identity", login, "Transfer-Encoding: identity\r\n", kSmuggled, 400, "bad_request"},
      {"quoted chunked", login, "Transfer-Encoding: \"chunked\"\r\n", kSmuggled, 400,
       "bad_request"},
      {"chunked with a parameter", login, "Transfer-Encoding: chunked;x=1\r\n", kSmuggled, 400,
       "bad_request"},
      {"an empty Transfer-Encoding", login, "Transfer-Encoding: \r\n", kSmuggled, 400,
       "bad_request"},
      {"chunked, then identity on a second line", login,
       "Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n", kSmuggled, 400,
       "bad_request"},
      {"identity, then gzip on a second line", login,
       "Transfer-Encoding: identity\r\nTransfer-Encoding: gzip\r\n", kSmuggled, 400, "bad_request"},
      {"a space before the colon", login, "Transfer-Encoding : chunked\r\n", chunked(kSmuggled),
       400, "bad_request"},
      // chunked applied twice: which chunks end the body is anyone's guess.
      {"chunked, chunked", login, "Transfer-Encoding: chunked, chunked\r\n", kSmuggled, 400,
       "bad_request"},
      {"chunked on two lines", login,
       "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n", kSmuggled, 400,
       "bad_request"},
      // Two lengths: one front end reads one, another the other.
      {"Transfer-Encoding with Content-Length", login,
       "Transfer-Encoding: chunked\r\nContent-Length: " + chunked_length + "\r\n",
       chunked(kSmuggled), 400, "bad_request"},
      {"Content-Length with Transfer-Encoding", login,
       "Content-Length: " + chunked_length + "\r\nTransfer-Encoding: chunked\r\n",
       chunked(kSmuggled), 400, "bad_request"},
      {"gzip with Content-Length", login,
       "Transfer-Encoding: gzip\r\nContent-Length: " + length + "\r\n", kSmuggled, 400,
       "bad_request"},
      // HTTP/1.0 has no transfer codings (RFC 9112 §6.1: faulty framing).
      {"HTTP/1.0 with chunked", "POST /v1/login HTTP/1.0", "Transfer-Encoding: chunked\r\n",
       kSmuggled, 400, "bad_request"},
      // Methods without a body are read the same way.
      {"a GET with gzip", "GET /healthz HTTP/1.1", "Transfer-Encoding: gzip\r\n", kSmuggled, 400,
       "bad_request"},
      // The length is known, but the body is gzip inside the chunks: not
      // implemented, and not read either.
      {"gzip, chunked", login, "Transfer-Encoding: gzip, chunked\r\n",
       chunked(kLoginBody) + kSmuggled, 501, "unsupported_transfer_coding"},
      {"gzip, then chunked on a second line", login,
       "Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n", chunked(kLoginBody) + kSmuggled,
       501, "unsupported_transfer_coding"},
  };
  for (const Refused& row : table) {
    INFO("row: " << row.what);
    const std::string answers =
        raw_exchange(server.port(), request(row.request_line, row.fields, row.body));
    INFO("answers: " << answers);
    // One answer: the smuggled request got none.
    CHECK(count_of(answers, "HTTP/1.") == 1);
    HttpResult answer = parse_raw_response(answers);
    CHECK(answer.status == row.status);
    CHECK(answer.error_code() == row.code);
    CHECK(answer.headers["connection"] == "close");
    CHECK(answer.headers["content-type"].rfind("application/json", 0) == 0);
  }
  // Messages follow Accept-Language here too.
  const HttpResult spanish = parse_raw_response(raw_exchange(
      server.port(), request(login, "Accept-Language: es\r\nTransfer-Encoding: gzip, chunked\r\n",
                             chunked(kLoginBody))));
  CHECK(spanish.json()["errors"][0]["message"] ==
        "Solo se admite la codificación de transferencia chunked.");
  CHECK(HttpClient(server.port()).get("/healthz").status == 200);
  CHECK(server.stop() == 0);
}

TEST_CASE("a chunked body is read as the body however chunked is spelled",
          "[integration][smuggling]") {
  ServerProcess server;
  for (const std::string coding : {"chunked", "Chunked", "CHUNKED", "chunked   ", "chunked\t"}) {
    INFO("Transfer-Encoding: [" << coding << "]");
    // The same connection then reads the next request: the body ended
    // where its last chunk said.
    const std::string answers = raw_exchange(
        server.port(), request("POST /v1/login HTTP/1.1", "Transfer-Encoding: " + coding + "\r\n",
                               chunked(kLoginBody)) +
                           kSmuggled);
    INFO("answers: " << answers);
    const HttpResult first = parse_raw_response(answers);
    CHECK(first.status == 400);
    CHECK(first.error_code() == "missing_field");
    CHECK(count_of(answers, "HTTP/1.1 ") == 2);
    CHECK(answers.find("HTTP/1.1 200 OK\r\n") != std::string::npos);
  }
  // A GET may carry a chunked body too; it is read and ignored.
  const std::string answers = raw_exchange(
      server.port(),
      request("GET /healthz HTTP/1.1", "Transfer-Encoding: chunked\r\n", chunked("ignored")) +
          kSmuggled);
  CHECK(count_of(answers, "HTTP/1.1 200 OK\r\n") == 2);
  CHECK(server.stop() == 0);
}
