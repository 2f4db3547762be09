// The keyed hash under which API key secrets are stored:
// HMAC-SHA-256(pepper, key id ":" secret). The pepper lives outside the
// database (a file), so a stolen database alone cannot test guesses.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/hash.h"
#include "core/status.h"

struct evp_mac_ctx_st;

namespace keyledger {

inline constexpr std::size_t kMinPepperLength = 32;

class SecretHasher {
 public:
  // `pepper` must hold at least kMinPepperLength bytes.
  static StatusOr<SecretHasher> create(std::string_view pepper);

  SecretHasher(SecretHasher&&) noexcept;
  SecretHasher& operator=(SecretHasher&&) noexcept;
  ~SecretHasher();

  // Not thread-safe: the OpenSSL context is reused across calls because
  // setting one up costs several times the hash itself. Give each thread its
  // own copy with clone().
  Hash256 hash(std::string_view key_id, std::string_view secret);
  SecretHasher clone() const;

  // Constant-time check of a presented secret against a stored hash.
  bool matches(std::string_view key_id, std::string_view secret, const Hash256& stored);

 private:
  explicit SecretHasher(evp_mac_ctx_st* context) : context_(context) {}
  evp_mac_ctx_st* context_ = nullptr;
};

}  // namespace keyledger
