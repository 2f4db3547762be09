#include "core/secret_hasher.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <catch2/catch.hpp>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

using namespace keyledger;
using namespace std::string_literals;

namespace {

const std::string kPepper = "0123456789abcdef0123456789abcdef";  // exactly 32 bytes

// HMAC-SHA-256(pepper, key_id ":" secret), computed with OpenSSL's one-shot
// HMAC() rather than the construction over SHA-256 that SecretHasher uses.
Hash256 reference_hmac(std::string_view pepper, std::string_view key_id, std::string_view secret) {
  std::string message = std::string(key_id) + ":" + std::string(secret);
  Hash256 out{};
  unsigned int length = 0;
  HMAC(EVP_sha256(), pepper.data(), static_cast<int>(pepper.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), out.data(), &length);
  CHECK(length == out.size());
  return out;
}

SecretHasher make_hasher(std::string_view pepper) {
  auto hasher = SecretHasher::create(pepper);
  REQUIRE(hasher.is_ok());
  return std::move(hasher).value();
}

}  // namespace

TEST_CASE("a pepper shorter than 32 bytes is rejected", "[core][secret]") {
  for (std::size_t length : {0, 1, 16, 31}) {
    INFO(length << " bytes");
    auto hasher = SecretHasher::create(std::string(length, 'p'));
    REQUIRE_FALSE(hasher.is_ok());
    CHECK(hasher.status().code() == StatusCode::kInvalidArgument);
    CHECK(hasher.status().reason() == "pepper_too_short");
  }
}

TEST_CASE("a pepper of 32 or more bytes is accepted", "[core][secret]") {
  REQUIRE(kPepper.size() == kMinPepperLength);
  CHECK(SecretHasher::create(kPepper).is_ok());
  CHECK(SecretHasher::create(std::string(64, 'p')).is_ok());
  CHECK(SecretHasher::create(std::string(1000, 'p')).is_ok());
}

TEST_CASE("the secret hash is HMAC-SHA-256 of key id ':' secret under the pepper",
          "[core][secret]") {
  const std::string long_pepper(200, 'q');  // longer than the SHA-256 block
  const std::string binary_pepper = "\0\x01\x02\xff"s + std::string(40, '\0');
  for (const std::string& pepper : {kPepper, long_pepper, binary_pepper}) {
    SecretHasher hasher = make_hasher(pepper);
    INFO("pepper of " << pepper.size() << " bytes");
    CHECK(hasher.hash("abcdefghijkl", "s3cr3t") ==
          reference_hmac(pepper, "abcdefghijkl", "s3cr3t"));
    CHECK(hasher.hash("AAAAAAAAAAAA", std::string(44, 'x')) ==
          reference_hmac(pepper, "AAAAAAAAAAAA", std::string(44, 'x')));
    CHECK(hasher.hash("", "") == reference_hmac(pepper, "", ""));
    CHECK(hasher.hash("id", "with\0nul"s) == reference_hmac(pepper, "id", "with\0nul"s));
  }
}

TEST_CASE("the secret hash matches an HMAC-SHA-256 value computed outside the program",
          "[core][secret]") {
  // printf 'keyid:secret' | openssl dgst -sha256 -hmac 0123456789abcdef0123456789abcdef
  SecretHasher hasher = make_hasher(kPepper);
  CHECK(to_hex(hasher.hash("keyid", "secret")) ==
        "b4f6d870f1bfd09d95d0fed6ad4815c8c034bdc415e52b0800ebf9603a0f8ef3");
}

TEST_CASE("hashing the same input again gives the same hash", "[core][secret]") {
  SecretHasher hasher = make_hasher(kPepper);
  Hash256 first = hasher.hash("abcdefghijkl", "secret");
  // Other inputs in between must not leave state behind.
  Hash256 other = hasher.hash("mnopqrstuvwx", "another secret");
  CHECK(first != other);
  CHECK(hasher.hash("abcdefghijkl", "secret") == first);
  for (int i = 0; i < 10; ++i) CHECK(hasher.hash("abcdefghijkl", "secret") == first);
}

TEST_CASE("a different pepper gives a different hash", "[core][secret]") {
  SecretHasher hasher = make_hasher(kPepper);
  std::string other_pepper = kPepper;
  other_pepper.back() = 'F';
  SecretHasher other = make_hasher(other_pepper);
  SecretHasher longer = make_hasher(kPepper + "x");
  Hash256 hash = hasher.hash("abcdefghijkl", "secret");
  CHECK(other.hash("abcdefghijkl", "secret") != hash);
  CHECK(longer.hash("abcdefghijkl", "secret") != hash);
}

TEST_CASE("a different key id or secret gives a different hash", "[core][secret]") {
  SecretHasher hasher = make_hasher(kPepper);
  Hash256 hash = hasher.hash("abcdefghijkl", "secret");
  CHECK(hasher.hash("abcdefghijkm", "secret") != hash);
  CHECK(hasher.hash("abcdefghijkl", "secreT") != hash);
  CHECK(hasher.hash("abcdefghijkl", "secret ") != hash);
  CHECK(hasher.hash("abcdefghijkl", "") != hash);
  CHECK(hasher.hash("", "secret") != hash);
  // The separator keeps the two parts apart.
  CHECK(hasher.hash("abcdefghijk", "lsecret") != hash);
}

TEST_CASE("matches is true only for the key id and secret that were hashed", "[core][secret]") {
  SecretHasher hasher = make_hasher(kPepper);
  const Hash256 stored = hasher.hash("abcdefghijkl", "secret");
  CHECK(hasher.matches("abcdefghijkl", "secret", stored));
  CHECK_FALSE(hasher.matches("abcdefghijkl", "Secret", stored));
  CHECK_FALSE(hasher.matches("abcdefghijkl", "", stored));
  CHECK_FALSE(hasher.matches("abcdefghijkm", "secret", stored));
  CHECK_FALSE(hasher.matches("abcdefghijkl", "secret", Hash256{}));
  for (std::size_t i = 0; i < stored.size(); ++i) {
    Hash256 tampered = stored;
    tampered[i] ^= 0x01;
    INFO("byte " << i);
    CHECK_FALSE(hasher.matches("abcdefghijkl", "secret", tampered));
  }
  SecretHasher other = make_hasher(std::string(32, 'z'));
  CHECK_FALSE(other.matches("abcdefghijkl", "secret", stored));
}

TEST_CASE("a copy gives the same hashes as the original, and outlives it", "[core][secret]") {
  SecretHasher hasher = make_hasher(kPepper);
  Hash256 before = hasher.hash("abcdefghijkl", "secret");
  SecretHasher copy = hasher;
  CHECK(copy.hash("abcdefghijkl", "secret") == before);
  // Used interleaved, neither disturbs the other.
  CHECK(hasher.hash("x", "y") == copy.hash("x", "y"));
  CHECK(copy.hash("abcdefghijkl", "secret") == hasher.hash("abcdefghijkl", "secret"));
  CHECK(copy.matches("abcdefghijkl", "secret", before));
  { SecretHasher gone = std::move(hasher); }
  CHECK(copy.hash("abcdefghijkl", "secret") == reference_hmac(kPepper, "abcdefghijkl", "secret"));
}

TEST_CASE("one secret hasher hashes correctly from many threads at once", "[core][secret]") {
  const SecretHasher hasher = make_hasher(kPepper);
  constexpr int kThreads = 8;
  constexpr int kHashes = 300;
  std::vector<std::vector<Hash256>> results(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kHashes; ++i)
        results[t].push_back(hasher.hash("key" + std::to_string(i), "secret" + std::to_string(t)));
    });
  for (auto& thread : threads) thread.join();
  for (int t = 0; t < kThreads; ++t)
    for (int i = 0; i < kHashes; ++i)
      REQUIRE(results[t][i] ==
              reference_hmac(kPepper, "key" + std::to_string(i), "secret" + std::to_string(t)));
}

TEST_CASE("secret hashes agree with OpenSSL's HMAC at every input length near a block",
          "[core][secret]") {
  // The message (key id ':' secret) crossing the 55/56- and 64-byte points
  // where SHA-256 needs another block, under peppers below, at and above
  // the block size.
  for (std::size_t pepper_length : {32, 63, 64, 65, 200}) {
    const std::string pepper(pepper_length, 'k');
    SecretHasher hasher = make_hasher(pepper);
    for (std::size_t length = 0; length <= 140; ++length) {
      const std::string secret(length, static_cast<char>('a' + length % 26));
      INFO("pepper " << pepper_length << " bytes, secret " << length << " bytes");
      REQUIRE(hasher.hash("abcdefghijkl", secret) ==
              reference_hmac(pepper, "abcdefghijkl", secret));
    }
  }
}

TEST_CASE("a moved secret hasher keeps hashing with the same pepper", "[core][secret]") {
  SecretHasher hasher = make_hasher(kPepper);
  Hash256 expected = hasher.hash("abcdefghijkl", "secret");
  SecretHasher moved = std::move(hasher);
  CHECK(moved.hash("abcdefghijkl", "secret") == expected);
  SecretHasher assigned = make_hasher(std::string(32, 'z'));
  assigned = std::move(moved);
  CHECK(assigned.hash("abcdefghijkl", "secret") == expected);
}
