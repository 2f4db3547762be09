#include "core/hash.h"

// SHA-256 through OpenSSL's low-level calls, which OpenSSL 3 marks
// deprecated: its EVP interface allocates and frees a provider context on
// every re-initialisation, which cost more than hashing a token (the
// checksum on every verification) or a small event (every link of the
// chain, in the writer and in replay). These calls hash on the stack.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "core/hex.h"

namespace keyledger {

Hash256 sha256(std::string_view data) {
  Hash256 out;
  SHA256_CTX context;
  SHA256_Init(&context);
  SHA256_Update(&context, data.data(), data.size());
  SHA256_Final(out.data(), &context);
  return out;
}

Hash256 chain_hash(const Hash256& previous, std::string_view event_bytes) {
  Hash256 out;
  SHA256_CTX context;
  SHA256_Init(&context);
  SHA256_Update(&context, previous.data(), previous.size());
  SHA256_Update(&context, event_bytes.data(), event_bytes.size());
  SHA256_Final(out.data(), &context);
  return out;
}

std::string to_hex(std::span<const std::uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (auto byte : bytes) {
    out.push_back(kDigits[byte >> 4]);
    out.push_back(kDigits[byte & 0xf]);
  }
  return out;
}

std::optional<Hash256> hash_from_hex(std::string_view hex) {
  Hash256 out;
  if (hex.size() != out.size() * 2) return std::nullopt;
  for (std::size_t i = 0; i < out.size(); ++i) {
    int high = hex_digit_value(hex[2 * i]);
    int low = hex_digit_value(hex[2 * i + 1]);
    if (high < 0 || low < 0) return std::nullopt;
    out[i] = static_cast<std::uint8_t>(high << 4 | low);
  }
  return out;
}

bool constant_time_equal(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace keyledger
