// The stored form of the persisted projection: records round-trip exactly,
// and bytes that are not a record are rejected as corruption.
#include "projections/record_codec.h"

#include <catch2/catch.hpp>
#include <random>
#include <string>
#include <vector>

#include "core/hash.h"

using namespace keyledger;
using namespace keyledger::projections;

namespace {

UserRecord sample_user(Privilege privilege) {
  return UserRecord{"alice.o-b_1",
                    privilege,
                    true,
                    true,
                    "scrypt$ln=10$r=8$p=1$" + std::string(32, 'a') + "$" + std::string(64, 'b'),
                    1'700'000'000'123'456'789,
                    true,
                    1'700'000'000'900'000'000,
                    900'000'000'000};
}

KeyRecord sample_key() {
  KeyRecord key;
  key.key_id = "AbC123xyZ789";
  key.owner = "alice";
  key.name = "r\u00e9plica \u00b7 \U0001F511 prod";
  key.secret_hash = sha256("secret");
  key.created_at_ns = 1'700'000'000'000'000'001;
  key.created_seq = 0xFFFF'FFFF'FFFFull;
  key.deleted = true;
  key.deleted_at_ns = 1'700'000'000'000'000'002;
  key.last_used_ip = "2001:db8::ffff:1";
  key.last_used_at_ns = -5;  // any int64 survives
  return key;
}

void expect_corrupt_user(const std::string& bytes) {
  auto decoded = decode_user_record(bytes);
  REQUIRE_FALSE(decoded.is_ok());
  CHECK(decoded.status().code() == StatusCode::kCorruption);
  CHECK(decoded.status().reason() == "undecodable_record");
}

void expect_corrupt_key(const std::string& bytes) {
  auto decoded = decode_key_record(bytes);
  REQUIRE_FALSE(decoded.is_ok());
  CHECK(decoded.status().code() == StatusCode::kCorruption);
  CHECK(decoded.status().reason() == "undecodable_record");
}

}  // namespace

TEST_CASE("a user record survives encoding and decoding unchanged", "[projections]") {
  for (auto privilege : {Privilege::kUser, Privilege::kAuditor, Privilege::kAdmin}) {
    const UserRecord user = sample_user(privilege);
    auto decoded = decode_user_record(encode_user_record(user));
    REQUIRE(decoded.is_ok());
    CHECK(*decoded == user);
  }
  const UserRecord plain{"bob", Privilege::kUser, false, false, "", 0};
  auto decoded = decode_user_record(encode_user_record(plain));
  REQUIRE(decoded.is_ok());
  CHECK(*decoded == plain);
}

TEST_CASE("a key record survives encoding and decoding unchanged", "[projections]") {
  const KeyRecord key = sample_key();
  auto decoded = decode_key_record(encode_key_record(key));
  REQUIRE(decoded.is_ok());
  CHECK(*decoded == key);

  KeyRecord fresh;
  fresh.key_id = "AAAAAAAAAAAA";
  fresh.owner = "bob";
  fresh.name = "x";
  decoded = decode_key_record(encode_key_record(fresh));
  REQUIRE(decoded.is_ok());
  CHECK(*decoded == fresh);
}

TEST_CASE("a record larger than the decoder's stack buffer decodes unchanged", "[projections]") {
  KeyRecord key = sample_key();
  key.name = std::string(4000, 'n');  // the decoder keeps 512 bytes on its stack
  const std::string bytes = encode_key_record(key);
  REQUIRE(bytes.size() > 512);
  auto decoded = decode_key_record(bytes);
  REQUIRE(decoded.is_ok());
  CHECK(*decoded == key);
  CHECK(decode_key_record(bytes.substr(0, bytes.size() - 8)).status().reason() ==
        "undecodable_record");
}

TEST_CASE("bytes that are not a record are rejected as corruption", "[projections]") {
  const std::string user_bytes = encode_user_record(sample_user(Privilege::kAdmin));
  const std::string key_bytes = encode_key_record(sample_key());
  std::mt19937 rng(11);
  auto random_bytes = [&](std::size_t size) {
    std::string out(size, '\0');
    for (auto& c : out) c = static_cast<char>(rng() & 0xff);
    return out;
  };

  std::vector<std::pair<std::string, std::string>> garbage = {
      {"empty", ""},
      {"text of a size that is not whole words", "not a record"},
      {"one word of ones", std::string(8, '\xff')},
      {"a segment table claiming more than there is", std::string("\0\0\0\0\xff\0\0\0", 8)},
      {"random bytes", random_bytes(64)},
      {"more random bytes", random_bytes(256)},
      {"larger than any record", std::string(16 * 1024 + 8, '\0')},
  };
  for (const auto& [what, bytes] : garbage) {
    INFO(what);
    expect_corrupt_user(bytes);
    expect_corrupt_key(bytes);
  }
  SECTION("a truncated user record") {
    expect_corrupt_user(user_bytes.substr(0, user_bytes.size() - 8));
    expect_corrupt_user(user_bytes.substr(0, 8));
  }
  SECTION("a truncated key record") {
    expect_corrupt_key(key_bytes.substr(0, key_bytes.size() - 8));
    expect_corrupt_key(key_bytes.substr(0, 8));
  }
  SECTION("a user record is not a key record") { expect_corrupt_key(user_bytes); }
}

TEST_CASE("owner index keys keep each owner's keys together in key order", "[projections]") {
  CHECK(owner_index_key("alice", "KEY") == std::string("alice\0KEY", 9));
  // An owner whose id is a prefix of another's sorts entirely before it.
  CHECK(owner_index_key("a", "zzzzzzzzzzzz") < owner_index_key("a-b", "000000000000"));
  CHECK(owner_index_key("a", "zzzzzzzzzzzz") < owner_index_key("a.b", "000000000000"));
  CHECK(owner_index_key("a", "zzzzzzzzzzzz") < owner_index_key("a0", "000000000000"));
  CHECK(owner_index_key("bob", "AAAAAAAAAAAA") < owner_index_key("bob", "BBBBBBBBBBBB"));
}
