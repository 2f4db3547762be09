#include "core/hash.h"

#include <openssl/evp.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <cctype>
#include <cstdint>
#include <span>
#include <string>
#include <thread>
#include <vector>

using namespace keyledger;

namespace {

Hash256 counting_hash() {
  Hash256 out;
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<std::uint8_t>(i * 8 + 1);
  return out;
}

std::string as_string(const Hash256& hash) {
  return std::string(reinterpret_cast<const char*>(hash.data()), hash.size());
}

}  // namespace

TEST_CASE("sha256 matches the published test vectors", "[core][hash]") {
  CHECK(to_hex(sha256("abc")) ==
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(to_hex(sha256("")) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(to_hex(sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")) ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  CHECK(to_hex(sha256(std::string(1000000, 'a'))) ==
        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("sha256 gives each thread the right digests when threads hash at once", "[core][hash]") {
  // sha256 hashes on the caller's stack; nothing is shared between calls.
  const std::string expected_abc = to_hex(sha256("abc"));
  const std::string expected_long = to_hex(sha256(std::string(1000, 'x')));
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 2000; ++i) {
        if (to_hex(sha256("abc")) != expected_abc) ++wrong;
        if (to_hex(sha256(std::string(1000, 'x'))) != expected_long) ++wrong;
      }
    });
  for (auto& thread : threads) thread.join();
  CHECK(wrong == 0);
}

TEST_CASE("to_hex writes two lower-case digits per byte", "[core][hash]") {
  const std::vector<std::uint8_t> bytes = {0x00, 0x0f, 0xf0, 0xff, 0xab, 0x10};
  CHECK(to_hex(bytes) == "000ff0ffab10");
  CHECK(to_hex(std::vector<std::uint8_t>{}) == "");
  CHECK(to_hex(Hash256{}) == std::string(64, '0'));
}

TEST_CASE("hash_from_hex reads back what to_hex wrote", "[core][hash]") {
  for (const Hash256& hash : {Hash256{}, counting_hash(), sha256("abc"), sha256("xyz")}) {
    std::string hex = to_hex(hash);
    REQUIRE(hex.size() == 64);
    auto parsed = hash_from_hex(hex);
    REQUIRE(parsed.has_value());
    CHECK(*parsed == hash);
  }
  Hash256 all_ones;
  all_ones.fill(0xff);
  CHECK(hash_from_hex(std::string(64, 'f')) == all_ones);
}

TEST_CASE("hash_from_hex accepts upper-case digits", "[core][hash]") {
  std::string hex = to_hex(sha256("abc"));
  std::string upper = hex;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  REQUIRE(upper != hex);
  CHECK(hash_from_hex(upper) == sha256("abc"));
}

TEST_CASE("hash_from_hex rejects anything but exactly 64 hex digits", "[core][hash]") {
  const std::string hex = to_hex(sha256("abc"));
  CHECK_FALSE(hash_from_hex("").has_value());
  CHECK_FALSE(hash_from_hex(hex.substr(0, 63)).has_value());
  CHECK_FALSE(hash_from_hex(hex + "0").has_value());
  CHECK_FALSE(hash_from_hex(hex.substr(0, 62)).has_value());
  CHECK_FALSE(hash_from_hex(hex + "00").has_value());
  CHECK_FALSE(hash_from_hex(hex + hex).has_value());
  CHECK_FALSE(hash_from_hex("0x" + hex.substr(2)).has_value());
  CHECK_FALSE(hash_from_hex(" " + hex.substr(1)).has_value());
  for (std::size_t position = 0; position < hex.size(); ++position) {
    for (char bad : {'g', 'G', 'x', ' ', '-', '+', '\0', '\xff', ':'}) {
      std::string changed = hex;
      changed[position] = bad;
      INFO("position " << position << ", byte " << static_cast<int>(bad));
      CHECK_FALSE(hash_from_hex(changed).has_value());
    }
  }
}

TEST_CASE("chain_hash is SHA-256 of the previous hash followed by the event bytes",
          "[core][hash]") {
  const Hash256 previous = counting_hash();
  CHECK(chain_hash(previous, "event") == sha256(as_string(previous) + "event"));
  CHECK(chain_hash(Hash256{}, "") == sha256(std::string(32, '\0')));
  std::string binary("\0\x01\xff\0", 4);
  CHECK(chain_hash(previous, binary) == sha256(as_string(previous) + binary));
}

TEST_CASE("chain_hash differs when the previous hash differs", "[core][hash]") {
  const Hash256 previous = counting_hash();
  const Hash256 link = chain_hash(previous, "event bytes");
  CHECK(chain_hash(Hash256{}, "event bytes") != link);
  for (std::size_t i = 0; i < previous.size(); ++i) {
    Hash256 changed = previous;
    changed[i] ^= 0x80;
    INFO("byte " << i);
    CHECK(chain_hash(changed, "event bytes") != link);
  }
}

TEST_CASE("chain_hash differs when the event bytes differ", "[core][hash]") {
  const Hash256 previous = counting_hash();
  const Hash256 link = chain_hash(previous, "event bytes");
  CHECK(chain_hash(previous, "event bytez") != link);
  CHECK(chain_hash(previous, "event bytes ") != link);
  CHECK(chain_hash(previous, "") != link);
  CHECK(chain_hash(previous, "event bytes") == link);
}

TEST_CASE("constant_time_equal compares contents and lengths", "[core][hash]") {
  const std::vector<std::uint8_t> a = {1, 2, 3, 4};
  const std::vector<std::uint8_t> same = {1, 2, 3, 4};
  const std::vector<std::uint8_t> last_differs = {1, 2, 3, 5};
  const std::vector<std::uint8_t> first_differs = {0, 2, 3, 4};
  const std::vector<std::uint8_t> shorter = {1, 2, 3};
  const std::vector<std::uint8_t> longer = {1, 2, 3, 4, 5};
  const std::vector<std::uint8_t> empty;
  CHECK(constant_time_equal(a, same));
  CHECK(constant_time_equal(empty, empty));
  CHECK_FALSE(constant_time_equal(a, last_differs));
  CHECK_FALSE(constant_time_equal(a, first_differs));
  // Different lengths never compare equal, even when one is a prefix of the other.
  CHECK_FALSE(constant_time_equal(a, shorter));
  CHECK_FALSE(constant_time_equal(shorter, a));
  CHECK_FALSE(constant_time_equal(a, longer));
  CHECK_FALSE(constant_time_equal(a, empty));
  CHECK_FALSE(constant_time_equal(empty, a));
  const Hash256 hash = sha256("abc");
  CHECK(constant_time_equal(hash, sha256("abc")));
  CHECK_FALSE(constant_time_equal(hash, sha256("abd")));
  CHECK_FALSE(constant_time_equal(std::span<const std::uint8_t>(hash.data(), 31), hash));
}

TEST_CASE("sha256 and chain_hash agree with OpenSSL's EVP digest at every length near a block",
          "[core][hash]") {
  // Lengths on both sides of each 64-byte block boundary and of the 55/56
  // bytes where the length no longer fits in the last block's padding.
  for (std::size_t length = 0; length <= 200; ++length) {
    std::string data(length, '\0');
    for (std::size_t i = 0; i < length; ++i) data[i] = static_cast<char>(i * 31 + 7);
    Hash256 expected{};
    unsigned int size = 0;
    REQUIRE(EVP_Digest(data.data(), data.size(), expected.data(), &size, EVP_sha256(), nullptr) ==
            1);
    INFO(length << " bytes");
    REQUIRE(sha256(data) == expected);
    REQUIRE(chain_hash(counting_hash(), data) == sha256(as_string(counting_hash()) + data));
  }
}
