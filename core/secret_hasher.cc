#include "core/secret_hasher.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <cstdlib>
#include <utility>

namespace keyledger {

StatusOr<SecretHasher> SecretHasher::create(std::string_view pepper) {
  if (pepper.size() < kMinPepperLength)
    return invalid_argument("pepper_too_short", "the pepper must hold at least 32 bytes");
  EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  if (mac == nullptr) return internal_error("hmac_unavailable", "OpenSSL has no HMAC");
  EVP_MAC_CTX* context = EVP_MAC_CTX_new(mac);
  EVP_MAC_free(mac);
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                         OSSL_PARAM_construct_end()};
  if (context == nullptr ||
      EVP_MAC_init(context, reinterpret_cast<const unsigned char*>(pepper.data()), pepper.size(),
                   params) != 1) {
    EVP_MAC_CTX_free(context);
    return internal_error("hmac_unavailable", "could not set up HMAC-SHA-256");
  }
  return SecretHasher(context);
}

SecretHasher::SecretHasher(SecretHasher&& other) noexcept
    : context_(std::exchange(other.context_, nullptr)) {}

SecretHasher& SecretHasher::operator=(SecretHasher&& other) noexcept {
  if (this != &other) {
    EVP_MAC_CTX_free(context_);
    context_ = std::exchange(other.context_, nullptr);
  }
  return *this;
}

SecretHasher::~SecretHasher() { EVP_MAC_CTX_free(context_); }

SecretHasher SecretHasher::clone() const {
  EVP_MAC_CTX* copy = EVP_MAC_CTX_dup(context_);
  if (copy == nullptr) std::abort();  // out of memory
  return SecretHasher(copy);
}

Hash256 SecretHasher::hash(std::string_view key_id, std::string_view secret) {
  // Re-initialising with a null key keeps the pepper set at creation.
  EVP_MAC_init(context_, nullptr, 0, nullptr);
  EVP_MAC_update(context_, reinterpret_cast<const unsigned char*>(key_id.data()), key_id.size());
  EVP_MAC_update(context_, reinterpret_cast<const unsigned char*>(":"), 1);
  EVP_MAC_update(context_, reinterpret_cast<const unsigned char*>(secret.data()), secret.size());
  Hash256 out;
  std::size_t length = 0;
  EVP_MAC_final(context_, out.data(), &length, out.size());
  return out;
}

bool SecretHasher::matches(std::string_view key_id, std::string_view secret,
                           const Hash256& stored) {
  Hash256 presented = hash(key_id, secret);
  return constant_time_equal(presented, stored);
}

}  // namespace keyledger
