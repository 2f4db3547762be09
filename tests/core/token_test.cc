#include "core/token.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/hash.h"

using namespace keyledger;

namespace {

constexpr std::string_view kBase62 =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

std::size_t token_length(std::string_view prefix) {
  return prefix.size() + 1 + kKeyIdLength + 1 + kSecretLength + kChecksumLength;
}

bool all_base62(std::string_view text) {
  return text.find_first_not_of(kBase62) == std::string_view::npos;
}

// Describes a parse outcome so a failed CHECK prints something readable.
std::string outcome(const StatusOr<Token>& parsed) {
  if (parsed.is_ok()) return "ok";
  return std::string(status_code_name(parsed.status().code())) + "/" + parsed.status().reason();
}

constexpr std::string_view kMalformed = "unauthenticated/malformed_token";

// Every byte value a substitution tries: the base62 alphabet, the separator,
// punctuation a user might mistype, and a few bytes outside ASCII.
std::vector<char> substitution_candidates() {
  std::vector<char> out(kBase62.begin(), kBase62.end());
  for (char c : std::string_view("_-+/=. ~")) out.push_back(c);
  out.push_back('\0');
  out.push_back('\x7f');
  out.push_back('\x80');
  out.push_back('\xc3');
  out.push_back('\xff');
  return out;
}

// The checksum as token.h specifies it, computed independently: the first
// 32 bits of SHA-256 of the body, as 6 big-endian base62 digits.
std::string expected_checksum(std::string_view body) {
  Hash256 digest = sha256(body);
  std::uint32_t value = 0;
  for (int i = 0; i < 4; ++i) value = value << 8 | digest[i];
  std::string out(kChecksumLength, '0');
  for (std::size_t i = kChecksumLength; i-- > 0;) {
    out[i] = kBase62[value % 62];
    value /= 62;
  }
  return out;
}

}  // namespace

TEST_CASE("a generated token parses back to the same key id and secret", "[core][token]") {
  SeededRandom random(1);
  Token token = generate_token("kl", random);
  auto parsed = parse_token(token.to_string(), "kl");
  REQUIRE(parsed.is_ok());
  CHECK(parsed->key_id == token.key_id);
  CHECK(parsed->secret == token.secret);
}

TEST_CASE("parse_token_parts views the key id and secret inside the presented text",
          "[core][token]") {
  SeededRandom random(2);
  Token token = generate_token("kl", random);
  const std::string text = token.to_string();
  auto parts = parse_token_parts(text, "kl");
  REQUIRE(parts.is_ok());
  CHECK(parts->key_id == token.key_id);
  CHECK(parts->secret == token.secret);
  CHECK(parts->key_id.data() == text.data() + 3);
  CHECK(parse_token_parts(text.substr(1), "kl").status().reason() == "malformed_token");
}

TEST_CASE("generated tokens round-trip for several seeds and prefixes", "[core][token]") {
  const std::vector<std::string> prefixes = {"kl", "a", "acme2", "z9", "abcdefghijklmnop"};
  for (const auto& prefix : prefixes) {
    REQUIRE(validate_token_prefix(prefix).is_ok());
    for (std::uint64_t seed = 1; seed <= 20; ++seed) {
      INFO("prefix " << prefix << ", seed " << seed);
      SeededRandom random(seed);
      Token token = generate_token(prefix, random);
      CHECK(token.prefix == prefix);
      CHECK(is_valid_key_id(token.key_id));
      CHECK(token.secret.size() == kSecretLength);
      CHECK(all_base62(token.secret));

      std::string text = token.to_string();
      CHECK(text.size() == token_length(prefix));
      CHECK(text.rfind(prefix + "_" + token.key_id + "_" + token.secret, 0) == 0);

      auto parsed = parse_token(text, prefix);
      REQUIRE(parsed.is_ok());
      CHECK(parsed->prefix == prefix);
      CHECK(parsed->key_id == token.key_id);
      CHECK(parsed->secret == token.secret);
      CHECK(parsed->to_string() == text);
    }
  }
}

TEST_CASE("the same seed generates the same token and different seeds different ones",
          "[core][token]") {
  SeededRandom first(7), again(7), other(8);
  Token a = generate_token("kl", first);
  Token b = generate_token("kl", again);
  Token c = generate_token("kl", other);
  CHECK(a.to_string() == b.to_string());
  CHECK(a.key_id != c.key_id);
  CHECK(a.secret != c.secret);
  // Consecutive tokens from one source differ too.
  Token d = generate_token("kl", first);
  CHECK(a.key_id != d.key_id);
  CHECK(a.secret != d.secret);
}

TEST_CASE("generate_key_id returns valid key ids", "[core][token]") {
  SeededRandom random(3);
  for (int i = 0; i < 50; ++i) {
    std::string key_id = generate_key_id(random);
    CHECK(key_id.size() == kKeyIdLength);
    CHECK(is_valid_key_id(key_id));
  }
}

TEST_CASE("the token checksum is the first 32 bits of SHA-256 of the body in base62",
          "[core][token]") {
  for (std::uint64_t seed = 1; seed <= 10; ++seed) {
    SeededRandom random(seed);
    Token token = generate_token("kl", random);
    std::string body = "kl_" + token.key_id + "_" + token.secret;
    CHECK(token.to_string() == body + expected_checksum(body));
  }
}

TEST_CASE(
    "validate_token_prefix accepts 1 to 16 lowercase letters and digits starting with a "
    "letter",
    "[core][token]") {
  for (std::string_view prefix :
       {"a", "kl", "k1", "acme2024", "abcdefghijklmnop", "z000000000000000"}) {
    INFO(prefix);
    CHECK(validate_token_prefix(prefix).is_ok());
  }
  CHECK(std::string_view("abcdefghijklmnop").size() == kMaxPrefixLength);
}

TEST_CASE(
    "validate_token_prefix rejects empty, too long, uppercase, leading digit and other "
    "characters",
    "[core][token]") {
  const std::vector<std::string> bad = {
      "",                   // empty
      "abcdefghijklmnopq",  // 17 characters
      std::string(100, 'a'),
      "Kl",  // uppercase first
      "kL",  // uppercase later
      "KL",
      "1kl",  // starts with a digit
      "0",
      "k_l",  // separator inside
      "_kl",
      "k-l",
      "kl ",
      " kl",
      "k.l",
      "k\xc3\xa9",  // non-ASCII
      std::string("k\0l", 3),
  };
  for (const auto& prefix : bad) {
    INFO("prefix '" << prefix << "'");
    Status status = validate_token_prefix(prefix);
    CHECK(status.code() == StatusCode::kInvalidArgument);
    CHECK(status.reason() == "invalid_prefix");
    CHECK(status.field() == "prefix");
  }
}

TEST_CASE("parse_token rejects a token of the wrong length", "[core][token]") {
  SeededRandom random(11);
  std::string text = generate_token("kl", random).to_string();
  CHECK(outcome(parse_token("", "kl")) == kMalformed);
  CHECK(outcome(parse_token("kl", "kl")) == kMalformed);
  CHECK(outcome(parse_token("kl_", "kl")) == kMalformed);
  CHECK(outcome(parse_token(text.substr(0, text.size() - 1), "kl")) == kMalformed);
  CHECK(outcome(parse_token(text + "0", "kl")) == kMalformed);
  CHECK(outcome(parse_token(text + text, "kl")) == kMalformed);
  CHECK(outcome(parse_token(std::string(10000, 'a'), "kl")) == kMalformed);
}

TEST_CASE("parse_token rejects a token whose prefix is not the expected one", "[core][token]") {
  SeededRandom random(12);
  Token token = generate_token("kl", random);
  std::string text = token.to_string();

  // Same length, different prefix.
  CHECK(outcome(parse_token(text, "km")) == kMalformed);
  CHECK(outcome(parse_token(text, "lk")) == kMalformed);
  // Different length prefixes.
  CHECK(outcome(parse_token(text, "k")) == kMalformed);
  CHECK(outcome(parse_token(text, "klx")) == kMalformed);
  // A well-formed token with a valid checksum, minted under another prefix.
  Token other = token;
  other.prefix = "km";
  CHECK(parse_token(other.to_string(), "km").is_ok());
  CHECK(outcome(parse_token(other.to_string(), "kl")) == kMalformed);
  // Uppercase form of the right prefix.
  std::string upper = text;
  upper[0] = 'K';
  upper[1] = 'L';
  CHECK(outcome(parse_token(upper, "kl")) == kMalformed);
}

TEST_CASE("parse_token rejects a token with a missing separator", "[core][token]") {
  SeededRandom random(13);
  std::string text = generate_token("kl", random).to_string();
  const std::size_t first = 2;
  const std::size_t second = 2 + 1 + kKeyIdLength;
  REQUIRE(text[first] == '_');
  REQUIRE(text[second] == '_');

  for (std::size_t position : {first, second}) {
    INFO("separator at " << position);
    // Separator replaced by a base62 character: right length, wrong shape.
    std::string replaced = text;
    replaced[position] = 'x';
    CHECK(outcome(parse_token(replaced, "kl")) == kMalformed);
    // Separator dropped and the token padded back to length at the end.
    std::string dropped = text;
    dropped.erase(position, 1);
    CHECK(outcome(parse_token(dropped, "kl")) == kMalformed);
    CHECK(outcome(parse_token(dropped + "0", "kl")) == kMalformed);
  }
  // Both separators dropped.
  std::string none = text;
  none.erase(second, 1);
  none.erase(first, 1);
  CHECK(outcome(parse_token(none + "00", "kl")) == kMalformed);
  // Separators moved by one position.
  std::string shifted = text;
  std::swap(shifted[second], shifted[second + 1]);
  CHECK(outcome(parse_token(shifted, "kl")) == kMalformed);
}

TEST_CASE("parse_token rejects characters outside base62 in the key id, secret and checksum",
          "[core][token]") {
  SeededRandom random(14);
  std::string text = generate_token("kl", random).to_string();
  const std::size_t key_id_start = 3;
  const std::size_t secret_start = key_id_start + kKeyIdLength + 1;
  const std::size_t checksum_start = secret_start + kSecretLength;
  REQUIRE(checksum_start + kChecksumLength == text.size());

  for (std::size_t position : {key_id_start, key_id_start + kKeyIdLength - 1, secret_start,
                               secret_start + 20, checksum_start, text.size() - 1}) {
    for (char bad : {'-', '+', '/', '=', '_', ' ', '\0', '\xc3', '\xff'}) {
      INFO("position " << position << ", byte " << static_cast<int>(bad));
      std::string changed = text;
      changed[position] = bad;
      CHECK(outcome(parse_token(changed, "kl")) == kMalformed);
    }
  }
}

TEST_CASE("every single-character substitution of a valid token is rejected", "[core][token]") {
  const auto candidates = substitution_candidates();
  for (std::uint64_t seed : {21u, 22u, 23u}) {
    for (std::string_view prefix : {"kl", "acme"}) {
      SeededRandom random(seed);
      std::string text = generate_token(prefix, random).to_string();
      REQUIRE(parse_token(text, prefix).is_ok());
      for (std::size_t position = 0; position < text.size(); ++position) {
        for (char replacement : candidates) {
          if (replacement == text[position]) continue;
          std::string changed = text;
          changed[position] = replacement;
          auto parsed = parse_token(changed, prefix);
          if (parsed.is_ok() || parsed.status().reason() != "malformed_token") {
            FAIL("substitution accepted: seed " << seed << ", position " << position << ", byte "
                                                << static_cast<int>(replacement));
          }
        }
      }
    }
  }
}

TEST_CASE("every transposition of adjacent different characters is rejected", "[core][token]") {
  SeededRandom random(24);
  std::string text = generate_token("kl", random).to_string();
  for (std::size_t position = 0; position + 1 < text.size(); ++position) {
    if (text[position] == text[position + 1]) continue;
    std::string swapped = text;
    std::swap(swapped[position], swapped[position + 1]);
    INFO("position " << position);
    CHECK(outcome(parse_token(swapped, "kl")) == kMalformed);
  }
}

TEST_CASE("every truncation and extension of a valid token is rejected", "[core][token]") {
  SeededRandom random(25);
  std::string text = generate_token("kl", random).to_string();
  for (std::size_t length = 0; length < text.size(); ++length) {
    INFO("first " << length << " characters");
    CHECK(outcome(parse_token(text.substr(0, length), "kl")) == kMalformed);
    // The tail alone, too (a token whose start was cut off).
    CHECK(outcome(parse_token(text.substr(text.size() - length), "kl")) == kMalformed);
  }
  for (char extra : {'0', 'a', 'Z', '_', ' ', '\n', '\0'}) {
    INFO("extra byte " << static_cast<int>(extra));
    CHECK(outcome(parse_token(text + extra, "kl")) == kMalformed);
    CHECK(outcome(parse_token(std::string(1, extra) + text, "kl")) == kMalformed);
  }
  // Cut by one and padded back to length with a base62 character.
  for (std::size_t position = 0; position < text.size(); ++position) {
    std::string changed = text;
    changed.erase(position, 1);
    changed.push_back(text.back() == '0' ? '1' : '0');
    if (changed == text) continue;
    INFO("deleted position " << position);
    CHECK(outcome(parse_token(changed, "kl")) == kMalformed);
  }
}

TEST_CASE("is_valid_key_id accepts exactly 12 base62 characters", "[core][token]") {
  CHECK(is_valid_key_id("abcdefghijkl"));
  CHECK(is_valid_key_id("ABCDEFGHIJKL"));
  CHECK(is_valid_key_id("012345678901"));
  CHECK(is_valid_key_id("aZ09bY18cX27"));

  CHECK_FALSE(is_valid_key_id(""));
  CHECK_FALSE(is_valid_key_id("abcdefghijk"));    // 11
  CHECK_FALSE(is_valid_key_id("abcdefghijklm"));  // 13
  CHECK_FALSE(is_valid_key_id("abcdef_hijkl"));
  CHECK_FALSE(is_valid_key_id("abcdef-hijkl"));
  CHECK_FALSE(is_valid_key_id("abcdef hijkl"));
  CHECK_FALSE(is_valid_key_id("abcdef+hijkl"));
  CHECK_FALSE(is_valid_key_id("abcdefghijk\xc3"));
  CHECK_FALSE(is_valid_key_id("abcdefghij\xc3\xa9"));  // 12 bytes, 11 characters
  CHECK_FALSE(is_valid_key_id(std::string_view("abcde\0ghijkl", 12)));
}
