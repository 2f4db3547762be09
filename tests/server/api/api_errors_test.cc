// The API's own error codes: one table gives each its wire code, status and
// message, and the answer built from it is the documented envelope.
#include "server/api/api_errors.h"

#include <catch2/catch.hpp>
#include <set>

#include "server/api/answer.h"
#include "server/http/i18n.h"

using namespace keyledger;
using namespace keyledger::server;

namespace {

constexpr ApiError kLast = ApiError::kNotLeader;

std::vector<ApiError> every_error() {
  std::vector<ApiError> all;
  for (int i = 0; i <= static_cast<int>(kLast); ++i) all.push_back(static_cast<ApiError>(i));
  return all;
}

}  // namespace

TEST_CASE("every API error has a code, an error status and a message in both languages",
          "[server][api][errors]") {
  std::set<std::pair<std::string_view, unsigned>> seen;
  for (ApiError error : every_error()) {
    const ApiErrorInfo& info = api_error_info(error);
    CAPTURE(info.code);
    CHECK_FALSE(info.code.empty());
    CHECK(info.http_status >= 400);
    CHECK(info.http_status < 600);
    CHECK(seen.insert({info.code, info.http_status}).second);
    // The translation table knows every code, so no fallback reaches a client.
    CHECK(translate(info.code, Language::kEnglish, "") != "");
    CHECK(translate(info.code, Language::kSpanish, "") != "");
  }
}

TEST_CASE("an API error answers exactly what the literal error response did",
          "[server][api][errors]") {
  Exchange exchange;
  exchange.request_id = "r1";
  exchange.language = Language::kSpanish;
  struct Case {
    ApiError error;
    unsigned status;
    std::string_view code;
    Json context;
  };
  for (const Case& c :
       {Case{ApiError::kUserLocked, 423, "user_locked", Json::object()},
        Case{ApiError::kWrongPassword, 400, "wrong_password", Json{{"field", "current_password"}}},
        Case{ApiError::kInvalidPrivilege, 400, "invalid_privilege", Json{{"field", "privilege"}}},
        Case{ApiError::kInsufficientPrivilege, 403, "forbidden", Json::object()},
        Case{ApiError::kKeyNotFound, 404, "key_not_found", Json::object()}}) {
    CAPTURE(c.code);
    const HttpResponse expected = error_response(exchange, c.status, c.code, "", c.context);
    const HttpResponse answered = to_response(exchange, c.error);
    CHECK(answered.result_int() == c.status);
    CHECK(answered.body() == expected.body());
    CHECK(answered[http::field::content_language] == "es");
  }
}

TEST_CASE("an answer's headers and a core Status go through the one mapping",
          "[server][api][errors]") {
  Exchange exchange;
  const HttpResponse busy = to_response(
      exchange, Answer(ApiError::kServerBusy).with_header(http::field::retry_after, "1"));
  CHECK(busy.result_int() == 503);
  CHECK(busy[http::field::retry_after] == "1");
  const HttpResponse status = to_response(exchange, not_found(Reason::kKeyNotFound, "no such key"));
  CHECK(status.result_int() == http_status_of(not_found(Reason::kKeyNotFound, "x")));
  CHECK(status.body() == status_response(exchange, not_found(Reason::kKeyNotFound, "x")).body());
  CHECK(to_response(exchange, Answer::no_content()).result_int() == 204);
  CHECK(to_response(exchange, Answer::no_content()).body().empty());
}
