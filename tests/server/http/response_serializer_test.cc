// The response bytes the HTTP session writes itself must be exactly what
// Beast's serializer writes for the same message, for every shape of answer
// keyledgerd gives.
#include "server/http/response_serializer.h"

#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/http/serializer.hpp>
#include <catch2/catch.hpp>

using namespace keyledger::server;

namespace {

std::string beast_bytes(const HttpResponse& response) {
  http::response_serializer<http::string_body> serializer(response);
  std::string out;
  boost::beast::error_code error;
  while (!serializer.is_done()) {
    serializer.next(error, [&](boost::beast::error_code&, const auto& buffers) {
      out += boost::beast::buffers_to_string(buffers);
      serializer.consume(boost::beast::buffer_bytes(buffers));
    });
    REQUIRE_FALSE(error);
  }
  return out;
}

std::string our_bytes(const HttpResponse& response) {
  std::string out = "left over from the previous answer";
  serialize_response(response, out);
  return out;
}

}  // namespace

TEST_CASE("a JSON answer serialises exactly as Beast writes it", "[server][response]") {
  HttpResponse response{http::status::ok, 11};
  response.set(http::field::content_type, "application/json; charset=utf-8");
  response.set(http::field::cache_control, "no-store");
  response.set("X-Request-Id", "0123456789abcdef");
  response.keep_alive(true);
  response.body() = R"({"key_id":"abc","privilege":"user","user":"alice"})";
  response.prepare_payload();
  REQUIRE(is_serializable_whole(response));
  CHECK(our_bytes(response) == beast_bytes(response));
}

TEST_CASE("statuses, reasons, versions and connection headers serialise as Beast writes them",
          "[server][response]") {
  for (unsigned status : {200u, 201u, 204u, 400u, 401u, 404u, 405u, 429u, 431u, 503u, 599u}) {
    for (unsigned version : {10u, 11u}) {
      for (bool keep_alive : {false, true}) {
        HttpResponse response{static_cast<http::status>(status), version};
        response.set(http::field::retry_after, "17");
        response.keep_alive(keep_alive);
        if (status != 204) response.body() = "{\"errors\":[]}";
        response.prepare_payload();
        INFO(status << " HTTP/" << version << " keep-alive " << keep_alive);
        CHECK(our_bytes(response) == beast_bytes(response));
      }
    }
  }
}

TEST_CASE("a custom reason phrase and repeated fields keep their text and order",
          "[server][response]") {
  HttpResponse response{http::status::ok, 11};
  response.reason("Fine Thanks");
  response.insert(http::field::set_cookie, "a=1");
  response.insert("X-Custom", "value with spaces");
  response.insert(http::field::set_cookie, "b=2");
  response.body() = "x";
  response.prepare_payload();
  CHECK(our_bytes(response) == beast_bytes(response));
}

TEST_CASE("an answer to HEAD keeps the announced length and sends no body", "[server][response]") {
  HttpResponse response{http::status::ok, 11};
  response.body() = "twelve bytes";
  response.prepare_payload();
  response.body().clear();
  const std::string bytes = our_bytes(response);
  CHECK(bytes == beast_bytes(response));
  CHECK(bytes.find("Content-Length: 12\r\n") != std::string::npos);
  CHECK(bytes.substr(bytes.size() - 4) == "\r\n\r\n");
}

TEST_CASE("a chunked answer is left to Beast", "[server][response]") {
  HttpResponse response{http::status::ok, 11};
  response.chunked(true);
  CHECK_FALSE(is_serializable_whole(response));
}
