// The /v1/verify answer is written without the JSON library; it must stay
// the very response json_response() gives for the same object, whatever
// characters the user and key ids hold.
#include <catch2/catch.hpp>

#include "server/http/response_serializer.h"
#include "server/http/responses.h"
#include "server/verify/credential_verifier.h"

using namespace keyledger::server;

namespace {

std::string bytes_of(const HttpResponse& response) {
  HttpResponse copy = response;
  copy.prepare_payload();
  std::string out;
  serialize_response(copy, out);
  return out;
}

void check_same_as_json(const Exchange& exchange, const std::string& user,
                        const std::string& privilege, const std::string& key_id) {
  const HttpResponse fast = verified_key_response(exchange, user, privilege, key_id);
  const HttpResponse reference =
      json_response(exchange, 200, {{"user", user}, {"privilege", privilege}, {"key_id", key_id}});
  CHECK(fast.body() == reference.body());
  CHECK(bytes_of(fast) == bytes_of(reference));
}

}  // namespace

TEST_CASE("the verify answer is the JSON library's answer for plain ids",
          "[server][verify_handler]") {
  Exchange exchange;
  exchange.request.version(11);
  exchange.request_id = "0123456789abcdef";
  check_same_as_json(exchange, "alice", "user", "hqwbadkD7IRp");
  check_same_as_json(exchange, "", "admin", "");
  exchange.request.keep_alive(false);
  check_same_as_json(exchange, "bob", "admin", "K1");
  exchange.request.version(10);
  check_same_as_json(exchange, "bob", "admin", "K1");
}

TEST_CASE("the verify answer escapes ids exactly as the JSON library does",
          "[server][verify_handler]") {
  Exchange exchange;
  exchange.request.version(11);
  exchange.request_id = "fedcba9876543210";
  for (const std::string& text :
       {std::string("quote\"inside"), std::string("back\\slash"), std::string("tab\tand\nnewline"),
        std::string("bell\x07") + std::string(1, '\0') + "nul", std::string("del\x7f"),
        std::string("caf\xc3\xa9 \xe2\x9c\x93"), std::string("invalid \xff\xfe utf-8"),
        std::string("cut \xe2\x9c")}) {
    INFO(text);
    check_same_as_json(exchange, text, "user", "K");
    check_same_as_json(exchange, "u", "user", text);
  }
}

TEST_CASE("each status code becomes its HTTP status", "[server][responses]") {
  using keyledger::Reason;
  using keyledger::Status;
  using keyledger::StatusCode;
  const std::pair<StatusCode, unsigned> statuses[] = {
      {StatusCode::kInvalidArgument, 400},   {StatusCode::kNotFound, 404},
      {StatusCode::kAlreadyExists, 409},     {StatusCode::kFailedPrecondition, 409},
      {StatusCode::kPermissionDenied, 403},  {StatusCode::kUnauthenticated, 401},
      {StatusCode::kResourceExhausted, 429}, {StatusCode::kUnavailable, 503},
      {StatusCode::kCorruption, 503},        {StatusCode::kInternal, 500}};
  for (const auto& [code, http_status] : statuses)
    CHECK(http_status_of(Status(code, Reason::kInvalidParameter, "x")) == http_status);
  CHECK(http_status_of(Status::ok()) == 200);
}
