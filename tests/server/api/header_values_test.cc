// How keyledgerd reads the lists and pairs inside header values: cookies,
// Accept-Language and Content-Type. These pin exactly which white space is
// dropped where, and what an empty or odd piece does, so that parsing them
// with core/text.h's split and trim changed nothing.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "server/api/authenticator.h"
#include "server/api/request_bodies.h"
#include "server/http/i18n.h"

using namespace keyledger::server;

namespace {

HttpRequest with_cookies(const std::vector<std::string>& cookie_fields) {
  HttpRequest request{http::verb::get, "/v1/session", 11};
  for (const auto& value : cookie_fields) request.insert(http::field::cookie, value);
  return request;
}

std::string cookie(const std::vector<std::string>& cookie_fields, std::string_view name) {
  return cookie_value(with_cookies(cookie_fields), name);
}

}  // namespace

TEST_CASE("a cookie is found by its exact name, with only the spaces before each pair dropped",
          "[server][http][cookies]") {
  CHECK(cookie({"a=1; b=2"}, "b") == "2");
  CHECK(cookie({"a=1;b=2"}, "b") == "2");
  CHECK(cookie({"a=1;    b=2"}, "b") == "2");
  CHECK(cookie({"b=2 ; a=1"}, "b") == "2 ");  // spaces after the value stay in it
  CHECK(cookie({"b =2"}, "b").empty());       // a space before '=' is part of the name
  CHECK(cookie({"a=1;\tb=2"}, "b").empty());  // a tab is not dropped
  CHECK(cookie({"B=2"}, "b").empty());        // names are case-sensitive
  CHECK(cookie({"ab=2"}, "b").empty());
  CHECK(cookie({"b=1=2"}, "b") == "1=2");  // the value runs to the next ';'
  CHECK(cookie({"b="}, "b").empty());
}

TEST_CASE("the first cookie of a name wins, over every Cookie field in order",
          "[server][http][cookies]") {
  CHECK(cookie({"b=1; b=2"}, "b") == "1");
  CHECK(cookie({"a=1", "b=3"}, "b") == "3");
  CHECK(cookie({"b=4", "b=5"}, "b") == "4");
  CHECK(cookie({";;b=6;"}, "b") == "6");  // empty pairs are nothing
  CHECK(cookie({"b"}, "b").empty());      // a pair without '=' is nothing
  CHECK(cookie({"", "b=7"}, "b") == "7");
  CHECK(cookie({}, "b").empty());
}

TEST_CASE("Accept-Language picks the listed language of highest quality, the first on a tie",
          "[server][i18n]") {
  CHECK(negotiate_language("") == Language::kEnglish);
  CHECK(negotiate_language("es") == Language::kSpanish);
  CHECK(negotiate_language("ES-mx") == Language::kSpanish);
  CHECK(negotiate_language("  es  ") == Language::kSpanish);  // spaces around a range drop
  CHECK(negotiate_language("\tes") == Language::kEnglish);    // a tab does not
  CHECK(negotiate_language("fr, es") == Language::kSpanish);
  CHECK(negotiate_language("en;q=0.9, es;q=0.8") == Language::kEnglish);
  CHECK(negotiate_language("en;q=0.5 , es") == Language::kSpanish);
  CHECK(negotiate_language("es;q=0.5,en;q=0.5") == Language::kSpanish);
  CHECK(negotiate_language("es;q=0") == Language::kEnglish);
  CHECK(negotiate_language("es,") == Language::kSpanish);
  CHECK(negotiate_language(",,es") == Language::kSpanish);
  CHECK(negotiate_language("e s") == Language::kEnglish);
}

TEST_CASE("a JSON body's media type ignores case, parameters and the white space before them",
          "[server][http]") {
  for (const char* type : {"application/json", "Application/JSON",
                           "application/json; charset=utf-8", "application/json ;charset=utf-8",
                           "application/json\t", "application/json \t ;x", "application/json;"}) {
    INFO("[" << type << "]");
    CHECK(is_json_media_type(type));
  }
  for (const char* type : {"", " application/json", "\tapplication/json", "application/jsonx",
                           "application/json x", "text/plain", ";application/json"}) {
    INFO("[" << type << "]");
    CHECK_FALSE(is_json_media_type(type));
  }
}
