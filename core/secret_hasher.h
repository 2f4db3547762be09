// The keyed hash under which API key secrets are stored:
// HMAC-SHA-256(pepper, key id ":" secret). The pepper lives outside the
// database (a file), so a stolen database alone cannot test guesses.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/hash.h"
#include "core/status.h"

namespace keyledger {

inline constexpr std::size_t kMinPepperLength = 32;

class SecretHasher {
 public:
  // `pepper` must hold at least kMinPepperLength bytes.
  static StatusOr<SecretHasher> create(std::string_view pepper);

  // Thread-safe, and copies are cheap: hashing only reads the pepper's
  // hashed pad blocks, which copies share and nobody changes.
  Hash256 hash(std::string_view key_id, std::string_view secret) const;

  // Constant-time check of a presented secret against a stored hash.
  bool matches(std::string_view key_id, std::string_view secret, const Hash256& stored) const;

 private:
  struct PepperPads;  // SHA-256 states, defined where OpenSSL is included
  explicit SecretHasher(std::shared_ptr<const PepperPads> pads) : pads_(std::move(pads)) {}
  std::shared_ptr<const PepperPads> pads_;
};

}  // namespace keyledger
