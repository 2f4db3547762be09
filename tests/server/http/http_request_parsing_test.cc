// Request framing without a socket: bytes through put_request_bytes(), the
// very function a connection feeds its parser with. A Transfer-Encoding
// that leaves the body's length in doubt must fail once the header is
// read, before any body byte is taken (RFC 9112 §6.1, §6.3).
#include "server/http/http_request_parsing.h"

#include <catch2/catch.hpp>
#include <string>

#include "server/http/http_server.h"

using namespace keyledger::server;

namespace {

struct Parsed {
  boost::system::error_code error;
  std::size_t used = 0;  // bytes taken from the input
  bool done = false;
  std::string body;
};

// Feeds `bytes` as a connection does, all at once.
Parsed parse(const std::string& bytes) {
  const HttpLimits limits;
  RequestParser parser;
  limit_request_parser(parser, limits);
  Parsed out;
  while (!parser.is_done() && out.used < bytes.size()) {
    const std::size_t used = put_request_bytes(
        parser, boost::asio::buffer(bytes.data() + out.used, bytes.size() - out.used), out.error);
    out.used += used;
    if (out.error || used == 0) break;
  }
  out.done = parser.is_done();
  if (out.done) out.body = parser.get().body();
  return out;
}

const std::string kBody = R"({"user":"admin"})";

std::string chunked(const std::string& data) {
  char size[16];
  std::snprintf(size, sizeof size, "%zx", data.size());
  return std::string(size) + "\r\n" + data + "\r\n0\r\n\r\n";
}

std::string head(const std::string& fields, const std::string& version = "HTTP/1.1") {
  return "POST /v1/login " + version + "\r\nHost: x\r\n" + fields + "\r\n";
}

}  // namespace

TEST_CASE("a Transfer-Encoding whose final coding is not one chunked leaves the length unknown",
          "[server][http]") {
  // Each of these Beast's parser takes as a request without a body, so
  // the body would be read as the next request.
  for (const std::string value :
       {"xchunked", "chunked, identity", "gzip", "identity", "\"chunked\"", "chunked, chunked",
        "chunked,chunked", "gzip, chunked, identity", "", " , ,", "chunked;x=1"}) {
    INFO("Transfer-Encoding: [" << value << "]");
    const Parsed parsed =
        parse(head("Transfer-Encoding: " + value + "\r\n") + "GET / HTTP/1.1\r\n");
    CHECK(parsed.error == FramingError::kUnknownBodyLength);
    const ReadRejection rejection = rejection_for(parsed.error);
    CHECK(rejection.status == 400);
    CHECK(rejection.code == "bad_request");
  }
}

TEST_CASE("every Transfer-Encoding line counts, as one list", "[server][http]") {
  CHECK(parse(head("Transfer-Encoding: identity\r\nTransfer-Encoding: gzip\r\n")).error ==
        FramingError::kUnknownBodyLength);
  // Beast refuses a second line after chunked on its own.
  for (const std::string second : {"identity", "chunked"}) {
    const Parsed parsed =
        parse(head("Transfer-Encoding: chunked\r\nTransfer-Encoding: " + second + "\r\n"));
    CHECK(parsed.error);
    CHECK(rejection_for(parsed.error).status == 400);
  }
  // chunked last, on its own line, after another coding: the length is
  // known, but the coding is not one keyledgerd decodes.
  CHECK(parse(head("Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n") + chunked(kBody))
            .error == FramingError::kUnsupportedTransferCoding);
  // A value folded onto a second line (obsolete; Beast unfolds it).
  CHECK(parse(head("Transfer-Encoding: gzip,\r\n chunked\r\n") + chunked(kBody)).error ==
        FramingError::kUnsupportedTransferCoding);
}

TEST_CASE("a transfer coding other than chunked before the final chunked is not implemented",
          "[server][http]") {
  const std::string header = head("Transfer-Encoding: gzip, chunked\r\n");
  const Parsed parsed = parse(header + chunked(kBody));
  CHECK(parsed.error == FramingError::kUnsupportedTransferCoding);
  const ReadRejection rejection = rejection_for(parsed.error);
  CHECK(rejection.status == 501);
  CHECK(rejection.code == "unsupported_transfer_coding");
  // Refused as soon as the header was read: not a byte of the body taken.
  CHECK(parsed.used == header.size());
}

TEST_CASE("Transfer-Encoding beside Content-Length, or in HTTP/1.0, leaves the length unknown",
          "[server][http]") {
  const std::string body = chunked(kBody);
  const std::string length = "Content-Length: " + std::to_string(body.size()) + "\r\n";
  for (const std::string& fields :
       {"Transfer-Encoding: chunked\r\n" + length, length + "Transfer-Encoding: chunked\r\n",
        "Transfer-Encoding: gzip\r\n" + length}) {
    INFO(fields);
    const Parsed parsed = parse(head(fields) + body);
    CHECK(parsed.error);
    CHECK(rejection_for(parsed.error).status == 400);
  }
  // Beast reads this one by its Content-Length; a front end that believed
  // the Transfer-Encoding would not.
  CHECK(parse(head("Transfer-Encoding: gzip\r\n" + length) + body).error ==
        FramingError::kUnknownBodyLength);
  CHECK(parse(head("Transfer-Encoding: chunked\r\n", "HTTP/1.0") + body).error ==
        FramingError::kUnknownBodyLength);
}

TEST_CASE("a chunked body is read whole however chunked is spelled", "[server][http]") {
  // Empty list elements are skipped (RFC 9110 §5.6.1), by Beast as here.
  for (const std::string value : {"chunked", "Chunked", "CHUNKED", "cHuNkEd", "chunked  ",
                                  "chunked\t", "\tchunked", ", chunked", "chunked,", "chunked ,"}) {
    INFO("Transfer-Encoding: [" << value << "]");
    const Parsed parsed =
        parse(head("Transfer-Encoding: " + value + "\r\n") + chunked(kBody) + "GET / HTTP/1.1");
    CHECK_FALSE(parsed.error);
    CHECK(parsed.done);
    CHECK(parsed.body == kBody);
  }
}

TEST_CASE("requests without Transfer-Encoding are read as before", "[server][http]") {
  const Parsed with_length =
      parse(head("Content-Length: " + std::to_string(kBody.size()) + "\r\n") + kBody);
  CHECK_FALSE(with_length.error);
  CHECK(with_length.done);
  CHECK(with_length.body == kBody);
  const Parsed without_body = parse("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  CHECK_FALSE(without_body.error);
  CHECK(without_body.done);
  // An incomplete header is not judged yet.
  CHECK(parse("POST /v1/login HTTP/1.1\r\nTransfer-Encoding: gzip\r\n").error ==
        boost::beast::http::error::need_more);
}

TEST_CASE("read errors become their answers", "[server][http]") {
  CHECK(rejection_for(boost::beast::http::error::body_limit).status == 413);
  CHECK(rejection_for(boost::beast::http::error::header_limit).code == "headers_too_large");
  CHECK(rejection_for(boost::beast::http::error::bad_transfer_encoding).status == 400);
  CHECK(rejection_for(FramingError::kUnknownBodyLength).code == "bad_request");
  CHECK(rejection_for(FramingError::kUnsupportedTransferCoding).status == 501);
  CHECK_FALSE(make_error_code(FramingError::kUnknownBodyLength).message().empty());
}
