// The request target: its path is kept as sent (routing compares it, so an
// escape cannot pass for the character it encodes), but must still be a
// path whose escapes decode; query names and values are decoded.
#include "server/http/request_target.h"

#include <catch2/catch.hpp>
#include <string>

using namespace keyledger::server;

TEST_CASE("the path is kept exactly as sent, escapes included", "[server][target]") {
  for (const std::string path : {"/metrics", "/%6detrics", "/v1%2fsession", "/v1/%6Beys",
                                 "/v1/keys/abc%2Fdef/events", "/%2F", "/a+b"}) {
    INFO(path);
    RequestTarget target;
    CHECK(parse_request_target(path, target).empty());
    CHECK(target.path == path);
    CHECK(target.query.empty());
  }
  RequestTarget target;
  CHECK(parse_request_target("/v1%2Faudit?user=al%69ce&q=a+b", target).empty());
  CHECK(target.path == "/v1%2Faudit");
  CHECK(target.query == std::multimap<std::string, std::string>{{"user", "alice"}, {"q", "a b"}});
}

TEST_CASE("a path that does not decode, or is not a path, is a bad request", "[server][target]") {
  for (const std::string bad : {"/%zz", "/%2", "/%", "/a%0", "/%00", "/a%00b?x=1", "*", "", "?x=1",
                                "http://127.0.0.1/metrics", "metrics"}) {
    INFO("[" << bad << "]");
    RequestTarget target;
    CHECK(parse_request_target(bad, target) == "bad_request");
  }
}

TEST_CASE("a query that does not decode is an invalid parameter, with the path kept",
          "[server][target]") {
  RequestTarget target;
  CHECK(parse_request_target("/v1/%61udit?key=%zz", target) == "invalid_parameter");
  CHECK(target.path == "/v1/%61udit");
  // Empty pairs are skipped.
  RequestTarget pairs;
  CHECK(parse_request_target("/x?a=1&&b=&c", pairs).empty());
  CHECK(pairs.query == std::multimap<std::string, std::string>{{"a", "1"}, {"b", ""}, {"c", ""}});
  RequestTarget ends;
  CHECK(parse_request_target("/x?&a=1&", ends).empty());
  CHECK(ends.query == std::multimap<std::string, std::string>{{"a", "1"}});
  RequestTarget only_separators;
  CHECK(parse_request_target("/x?&&", only_separators).empty());
  CHECK(only_separators.query.empty());
  RequestTarget bare;
  CHECK(parse_request_target("/x?", bare).empty());
  CHECK(bare.query.empty());
}

TEST_CASE("percent-decoding refuses bad escapes and NUL", "[server][target]") {
  CHECK(percent_decode("%41%2f%2F", false) == "A//");
  CHECK(percent_decode("a+b", false) == "a+b");
  CHECK(percent_decode("a+b", true) == "a b");
  CHECK_FALSE(percent_decode("%4", false));
  CHECK_FALSE(percent_decode("%g1", false));
  CHECK_FALSE(percent_decode("%00", false));
}
