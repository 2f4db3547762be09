#include "core/password_hasher.h"

#include <catch2/catch.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/text.h"

using namespace keyledger;
using namespace std::string_literals;

namespace {

// Cheap scrypt parameters: the tests check behaviour, not cost.
constexpr ScryptCost kCheapCost{10, 8, 1};

std::string outcome(const Status& status) {
  if (status.is_ok()) return "ok";
  return std::string(status_code_name(status.code())) + "/" + status.reason();
}

// The '$'-separated fields of an encoding, as copies.
std::vector<std::string> fields_of(const std::string& encoded) {
  const SplitPieces pieces = split(encoded, "$");
  return {pieces.begin(), pieces.end()};
}

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) out += (i == 0 ? "" : "$") + parts[i];
  return out;
}

// A valid encoding of `password` with field `index` replaced by `value`.
std::string with_field(const std::string& encoded, std::size_t index, const std::string& value) {
  auto parts = fields_of(encoded);
  parts.at(index) = value;
  return join(parts);
}

}  // namespace

TEST_CASE("a hashed password verifies", "[core][password]") {
  SeededRandom random(1);
  PasswordHasher hasher(random, kCheapCost);
  for (std::string_view password : {"correct horse battery", "12345678", "p\xc3\xa4ssw\xc3\xb6rd!",
                                    "\xf0\x9f\x94\x91\xf0\x9f\x94\x91 key"}) {
    INFO(password);
    auto encoded = hasher.hash(password);
    REQUIRE(encoded.is_ok());
    CHECK(PasswordHasher::verify(password, *encoded));
  }
}

TEST_CASE("the encoded hash names its parameters and never holds the password",
          "[core][password]") {
  SeededRandom random(2);
  PasswordHasher hasher(random, kCheapCost);
  auto encoded = hasher.hash("correct horse battery");
  REQUIRE(encoded.is_ok());
  auto parts = fields_of(*encoded);
  REQUIRE(parts.size() == 6);
  CHECK(parts[0] == "scrypt");
  CHECK(parts[1] == "ln=10");
  CHECK(parts[2] == "r=8");
  CHECK(parts[3] == "p=1");
  CHECK(parts[4].size() == 32);  // 16-byte salt
  CHECK(parts[5].size() == 64);  // 32-byte hash
  CHECK(parts[4].find_first_not_of("0123456789abcdef") == std::string::npos);
  CHECK(parts[5].find_first_not_of("0123456789abcdef") == std::string::npos);
  CHECK(encoded->find("correct") == std::string::npos);
}

TEST_CASE("a wrong password does not verify", "[core][password]") {
  SeededRandom random(3);
  PasswordHasher hasher(random, kCheapCost);
  auto encoded = hasher.hash("correct horse battery");
  REQUIRE(encoded.is_ok());
  for (std::string_view wrong :
       {"correct horse batterY", "correct horse batter", "correct horse battery ",
        " correct horse battery", "Correct horse battery", "", "x"}) {
    INFO("'" << wrong << "'");
    CHECK_FALSE(PasswordHasher::verify(wrong, *encoded));
  }
  // Not checked here: "correct horse battery\0". scrypt keys HMAC with the
  // password, and HMAC pads short keys with zero bytes, so trailing NULs are
  // invisible to it; validate_password keeps NUL out of every stored hash.
}

TEST_CASE("two hashes of the same password differ by their salt", "[core][password]") {
  SeededRandom random(4);
  PasswordHasher hasher(random, kCheapCost);
  auto first = hasher.hash("correct horse battery");
  auto second = hasher.hash("correct horse battery");
  REQUIRE(first.is_ok());
  REQUIRE(second.is_ok());
  CHECK(*first != *second);
  CHECK(fields_of(*first)[4] != fields_of(*second)[4]);
  CHECK(fields_of(*first)[5] != fields_of(*second)[5]);
  CHECK(PasswordHasher::verify("correct horse battery", *first));
  CHECK(PasswordHasher::verify("correct horse battery", *second));
}

TEST_CASE("hashing is reproducible with the same random source", "[core][password]") {
  SeededRandom a(5), b(5);
  auto first = PasswordHasher(a, kCheapCost).hash("correct horse battery");
  auto second = PasswordHasher(b, kCheapCost).hash("correct horse battery");
  REQUIRE(first.is_ok());
  REQUIRE(second.is_ok());
  CHECK(*first == *second);
}

TEST_CASE("hashes made with other costs within bounds verify", "[core][password]") {
  SeededRandom random(6);
  for (ScryptCost cost : {ScryptCost{1, 1, 1}, ScryptCost{4, 2, 2}, ScryptCost{12, 4, 1}}) {
    INFO("ln=" << cost.log2_n << " r=" << cost.r << " p=" << cost.p);
    auto encoded = PasswordHasher(random, cost).hash("correct horse battery");
    REQUIRE(encoded.is_ok());
    CHECK(encoded->rfind("scrypt$ln=" + std::to_string(cost.log2_n) +
                             "$r=" + std::to_string(cost.r) + "$p=" + std::to_string(cost.p) + "$",
                         0) == 0);
    CHECK(PasswordHasher::verify("correct horse battery", *encoded));
    CHECK_FALSE(PasswordHasher::verify("correct horse batterx", *encoded));
  }
}

TEST_CASE("hash never returns an encoding that verify rejects, whatever the cost",
          "[core][password]") {
  // A cost outside the bounds verify() accepts must be refused when hashing;
  // otherwise every user hashed with it is locked out for good.
  SeededRandom random(10);
  for (ScryptCost cost :
       {ScryptCost{1, 17, 1}, ScryptCost{1, 1, 5}, ScryptCost{2, 32, 1}, ScryptCost{1, 1, 8},
        ScryptCost{1, 0, 1}, ScryptCost{1, 1, 0}, ScryptCost{0, 1, 1}}) {
    INFO("ln=" << cost.log2_n << " r=" << cost.r << " p=" << cost.p);
    auto encoded = PasswordHasher(random, cost).hash("correct horse battery");
    if (!encoded.is_ok()) continue;  // refusing the cost is the right answer
    CHECK(PasswordHasher::verify("correct horse battery", *encoded));
  }
}

TEST_CASE("validate_password accepts 8 to 256 bytes", "[core][password]") {
  CHECK(validate_password(std::string(8, 'a')).is_ok());
  CHECK(validate_password(std::string(256, 'a')).is_ok());
  CHECK(validate_password("\xc3\xa4\xc3\xb6\xc3\xbc\xc3\x9f").is_ok());  // 4 characters, 8 bytes
  CHECK(validate_password("with spaces inside").is_ok());
}

TEST_CASE("validate_password rejects passwords shorter than 8 or longer than 256 bytes",
          "[core][password]") {
  Status short_password = validate_password(std::string(7, 'a'));
  CHECK(outcome(short_password) == "invalid_argument/password_too_short");
  CHECK(short_password.field() == "password");
  CHECK(outcome(validate_password("")) == "invalid_argument/password_too_short");

  Status long_password = validate_password(std::string(257, 'a'));
  CHECK(outcome(long_password) == "invalid_argument/password_too_long");
  CHECK(long_password.field() == "password");
  // The limit is in bytes: 86 three-byte characters are 258 bytes.
  std::string euros;
  for (int i = 0; i < 86; ++i) euros += "\xe2\x82\xac";
  CHECK(outcome(validate_password(euros)) == "invalid_argument/password_too_long");
}

TEST_CASE("validate_password rejects invalid UTF-8 and control characters", "[core][password]") {
  for (std::string_view password :
       {"password\xff", "\xc0\x80password", "passw\xed\xa0\x80rd", "password\xe2\x82"}) {
    Status status = validate_password(password);
    CHECK(outcome(status) == "invalid_argument/invalid_utf8");
    CHECK(status.field() == "password");
  }
  for (const std::string& password : {"pass\tword"s, "password\n"s, "pass\0word"s, "pass\x7fword"s,
                                      "pass\xc2\x85word"s, "\x1b[0mpassword"s}) {
    Status status = validate_password(password);
    CHECK(outcome(status) == "invalid_argument/control_characters");
    CHECK(status.field() == "password");
  }
}

TEST_CASE("hash refuses a password that fails validation", "[core][password]") {
  SeededRandom random(7);
  PasswordHasher hasher(random, kCheapCost);
  CHECK(outcome(hasher.hash("short").status()) == "invalid_argument/password_too_short");
  CHECK(outcome(hasher.hash(std::string(257, 'a')).status()) ==
        "invalid_argument/password_too_long");
  CHECK(outcome(hasher.hash("password\xff").status()) == "invalid_argument/invalid_utf8");
  CHECK(outcome(hasher.hash("pass\tword").status()) == "invalid_argument/control_characters");
}

TEST_CASE("verify rejects a password longer than the limit", "[core][password]") {
  CHECK_FALSE(PasswordHasher::verify(
      std::string(257, 'a'),
      "scrypt$ln=10$r=8$p=1$00000000000000000000000000000000$" + std::string(64, '0')));
}

TEST_CASE("verify returns false for a malformed encoding", "[core][password]") {
  SeededRandom random(8);
  PasswordHasher hasher(random, kCheapCost);
  const std::string password = "correct horse battery";
  auto made = hasher.hash(password);
  REQUIRE(made.is_ok());
  const std::string encoded = *made;
  REQUIRE(PasswordHasher::verify(password, encoded));
  const auto parts = fields_of(encoded);
  const std::string& salt = parts[4];
  const std::string& hash = parts[5];

  const std::vector<std::pair<std::string, std::string>> cases = {
      {"empty", ""},
      {"algorithm only", "scrypt"},
      {"five fields", "scrypt$ln=10$r=8$p=1$" + salt},
      {"seven fields", encoded + "$00"},
      {"trailing separator", encoded + "$"},
      {"other algorithm", with_field(encoded, 0, "bcrypt")},
      {"upper-case algorithm", with_field(encoded, 0, "SCRYPT")},
      {"ln missing", with_field(encoded, 1, "10")},
      {"ln empty", with_field(encoded, 1, "ln=")},
      {"ln not a number", with_field(encoded, 1, "ln=ten")},
      {"ln with trailing text", with_field(encoded, 1, "ln=10x")},
      {"ln with a space", with_field(encoded, 1, "ln= 10")},
      {"ln with a plus sign", with_field(encoded, 1, "ln=+10")},
      {"ln overflowing int", with_field(encoded, 1, "ln=99999999999999999999")},
      {"ln=30 beyond bounds", with_field(encoded, 1, "ln=30")},
      {"ln=21 beyond bounds", with_field(encoded, 1, "ln=21")},
      {"ln=0", with_field(encoded, 1, "ln=0")},
      {"ln negative", with_field(encoded, 1, "ln=-1")},
      {"r=0", with_field(encoded, 2, "r=0")},
      {"r negative", with_field(encoded, 2, "r=-8")},
      {"r=17 beyond bounds", with_field(encoded, 2, "r=17")},
      {"r missing its name", with_field(encoded, 2, "8")},
      {"fields swapped", "scrypt$r=8$ln=10$p=1$" + salt + "$" + hash},
      {"p=0", with_field(encoded, 3, "p=0")},
      {"p=5 beyond bounds", with_field(encoded, 3, "p=5")},
      {"salt with a non-hex digit", with_field(encoded, 4, "zz" + salt.substr(2))},
      {"salt of odd length", with_field(encoded, 4, salt.substr(1))},
      {"salt with a 0x prefix", with_field(encoded, 4, "0x" + salt.substr(2))},
      {"salt with a sign", with_field(encoded, 4, "-1" + salt.substr(2))},
      {"hash with a non-hex digit", with_field(encoded, 5, hash.substr(0, 63) + "g")},
      {"hash with a space", with_field(encoded, 5, " " + hash.substr(1))},
      {"truncated hash", with_field(encoded, 5, hash.substr(0, 62))},
      {"hash of odd length", with_field(encoded, 5, hash.substr(0, 63))},
      {"extended hash", with_field(encoded, 5, hash + "00")},
      {"empty hash", with_field(encoded, 5, "")},
      {"hash of another salt", with_field(encoded, 4, std::string(32, '0'))},
  };
  for (const auto& [what, bad] : cases) {
    INFO(what << ": " << bad);
    CHECK_FALSE(PasswordHasher::verify(password, bad));
  }
  // The untouched encoding still verifies after all that.
  CHECK(PasswordHasher::verify(password, encoded));
}

TEST_CASE("verify rejects a tampered hash digit at every position", "[core][password]") {
  SeededRandom random(9);
  auto encoded = PasswordHasher(random, ScryptCost{1, 1, 1}).hash("correct horse battery");
  REQUIRE(encoded.is_ok());
  const std::size_t hash_start = encoded->rfind('$') + 1;
  for (std::size_t i = hash_start; i < encoded->size(); ++i) {
    std::string tampered = *encoded;
    tampered[i] = tampered[i] == '0' ? '1' : '0';
    INFO("position " << i);
    CHECK_FALSE(PasswordHasher::verify("correct horse battery", tampered));
  }
}

TEST_CASE("a password change must choose an acceptable password, and replace a one-time one",
          "[core][password]") {
  Status reused = validate_password_change("one-time-secret", "one-time-secret", true);
  CHECK(reused.reason() == "password_reused");
  CHECK(reused.field() == "new_password");
  Status short_one = validate_password_change("one-time-secret", "short", true);
  CHECK(short_one.reason() == "password_too_short");
  CHECK(short_one.field() == "new_password");
  CHECK(validate_password_change("one-time-secret", "a new secret", true).is_ok());
  // A password the user chose may be kept (a change that keeps it is theirs).
  CHECK(validate_password_change("my own secret", "my own secret", false).is_ok());
}
