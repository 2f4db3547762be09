// Slow, salted password hashes (scrypt, from OpenSSL) in a self-describing
// text form: "scrypt$ln=<log2 N>$r=<r>$p=<p>$<salt hex>$<hash hex>".
// Only this text ever reaches an event; the password itself never does.
#pragma once

#include <string>
#include <string_view>

#include "core/random.h"
#include "core/status.h"

namespace keyledger {

inline constexpr std::size_t kMinPasswordLength = 8;
inline constexpr std::size_t kMaxPasswordLength = 256;

struct ScryptCost {
  int log2_n = 15;  // N = 32768: ~32 MiB and tens of milliseconds a hash
  int r = 8;
  int p = 1;
};

// Password rules: 8..256 bytes of valid UTF-8 with no control characters.
Status validate_password(std::string_view password);

// The rules of a user's own password change, besides knowing the current
// one: `next` must be an acceptable password, and a one-time password (one
// printed at the first start or given by an administrator) must really be
// replaced, since whoever printed or gave it knows it. The field of an
// error is "new_password".
Status validate_password_change(std::string_view current, std::string_view next,
                                bool current_is_one_time);

// Thread-safe if `random` is.
class PasswordHasher {
 public:
  PasswordHasher(RandomSource& random, ScryptCost cost = {}) : random_(random), cost_(cost) {}

  // Validates the password and returns its encoded hash. Refuses a cost
  // outside the bounds verify() accepts (it could never be checked).
  StatusOr<std::string> hash(std::string_view password) const;

  // Constant-time check. A malformed stored hash (or one whose cost exceeds
  // sane bounds) never matches.
  static bool verify(std::string_view password, std::string_view encoded);

  // True if `encoded` has the exact shape hash() produces, with a cost
  // within bounds: what an event may carry instead of a password.
  static bool is_well_formed(std::string_view encoded);

 private:
  RandomSource& random_;
  ScryptCost cost_;
};

}  // namespace keyledger
