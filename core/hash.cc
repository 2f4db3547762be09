#include "core/hash.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <cstdlib>

#include "core/hex.h"

namespace keyledger {
namespace {

// OpenSSL 3's one-shot SHA256() fetches the algorithm and allocates a context
// on every call, which costs more than hashing a token (the checksum on every
// verification). Each thread keeps one context and re-initialises it per
// call: a cache, not state, since no result depends on an earlier call.
class ThreadDigest {
 public:
  ThreadDigest() : context_(EVP_MD_CTX_new()), digest_(EVP_MD_fetch(nullptr, "SHA256", nullptr)) {
    if (context_ == nullptr || digest_ == nullptr) std::abort();  // out of memory
  }
  ~ThreadDigest() {
    EVP_MD_CTX_free(context_);
    EVP_MD_free(digest_);
  }
  ThreadDigest(const ThreadDigest&) = delete;
  ThreadDigest& operator=(const ThreadDigest&) = delete;

  Hash256 hash(std::string_view data) {
    Hash256 out;
    unsigned int length = 0;
    EVP_DigestInit_ex2(context_, digest_, nullptr);
    EVP_DigestUpdate(context_, data.data(), data.size());
    EVP_DigestFinal_ex(context_, out.data(), &length);
    return out;
  }

 private:
  EVP_MD_CTX* context_;
  EVP_MD* digest_;
};

}  // namespace

Hash256 sha256(std::string_view data) {
  thread_local ThreadDigest digest;
  return digest.hash(data);
}

Hash256 chain_hash(const Hash256& previous, std::string_view event_bytes) {
  // One context per call is simple; replay speed is bounded by RocksDB
  // iteration, and the context allocation is small beside it.
  EVP_MD_CTX* context = EVP_MD_CTX_new();
  EVP_DigestInit_ex(context, EVP_sha256(), nullptr);
  EVP_DigestUpdate(context, previous.data(), previous.size());
  EVP_DigestUpdate(context, event_bytes.data(), event_bytes.size());
  Hash256 out;
  unsigned int length = 0;
  EVP_DigestFinal_ex(context, out.data(), &length);
  EVP_MD_CTX_free(context);
  return out;
}

ChainHasher::ChainHasher()
    : context_(EVP_MD_CTX_new()), digest_(EVP_MD_fetch(nullptr, "SHA256", nullptr)) {}

ChainHasher::~ChainHasher() {
  EVP_MD_CTX_free(context_);
  EVP_MD_free(digest_);
}

Hash256 ChainHasher::hash(const Hash256& previous, std::string_view event_bytes) {
  Hash256 out;
  unsigned int length = 0;
  EVP_DigestInit_ex2(context_, digest_, nullptr);
  EVP_DigestUpdate(context_, previous.data(), previous.size());
  EVP_DigestUpdate(context_, event_bytes.data(), event_bytes.size());
  EVP_DigestFinal_ex(context_, out.data(), &length);
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
