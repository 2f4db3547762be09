#include "core/token.h"

#include <catch2/catch.hpp>

using namespace keyledger;

TEST_CASE("a generated token parses back to the same key id and secret", "[core][token]") {
  SeededRandom random(1);
  Token token = generate_token("kl", random);
  auto parsed = parse_token(token.to_string(), "kl");
  REQUIRE(parsed.is_ok());
  CHECK(parsed->key_id == token.key_id);
  CHECK(parsed->secret == token.secret);
}
