#include "core/password_hasher.h"

#include <openssl/evp.h>

#include <array>
#include <charconv>
#include <cstdint>
#include <vector>

#include "core/hash.h"
#include "core/text.h"

namespace keyledger {
namespace {

constexpr std::size_t kSaltLength = 16;
constexpr std::size_t kHashLength = 32;
// Bounds on what a stored hash may ask for, so damaged data cannot make a
// sign-in allocate gigabytes.
constexpr int kMaxLog2N = 20;
constexpr int kMaxR = 16;
constexpr int kMaxP = 4;

bool derive(std::string_view password, std::span<const std::uint8_t> salt, int log2_n, int r, int p,
            std::span<std::uint8_t> out) {
  return EVP_PBE_scrypt(password.data(), password.size(), salt.data(), salt.size(),
                        std::uint64_t{1} << log2_n, static_cast<std::uint64_t>(r),
                        static_cast<std::uint64_t>(p), 1ull << 30, out.data(), out.size()) == 1;
}

bool parse_int_field(std::string_view field, std::string_view name, int& out) {
  if (field.substr(0, name.size()) != name) return false;
  field.remove_prefix(name.size());
  auto [end, error] = std::from_chars(field.data(), field.data() + field.size(), out);
  return error == std::errc() && end == field.data() + field.size();
}

std::optional<std::vector<std::uint8_t>> from_hex(std::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  std::vector<std::uint8_t> out(hex.size() / 2);
  for (std::size_t i = 0; i < out.size(); ++i) {
    unsigned value = 0;
    auto [end, error] = std::from_chars(hex.data() + 2 * i, hex.data() + 2 * i + 2, value, 16);
    if (error != std::errc() || end != hex.data() + 2 * i + 2) return std::nullopt;
    out[i] = static_cast<std::uint8_t>(value);
  }
  return out;
}

bool cost_in_bounds(int log2_n, int r, int p) {
  return log2_n >= 1 && log2_n <= kMaxLog2N && r >= 1 && r <= kMaxR && p >= 1 && p <= kMaxP;
}

struct ParsedHash {
  int log2_n = 0, r = 0, p = 0;
  std::vector<std::uint8_t> salt, hash;
};

std::optional<ParsedHash> parse_encoded(std::string_view encoded) {
  const SplitPieces pieces = split(encoded, "$");
  const std::vector<std::string_view> parts(pieces.begin(), pieces.end());
  ParsedHash parsed;
  if (parts.size() != 6 || parts[0] != "scrypt" ||
      !parse_int_field(parts[1], "ln=", parsed.log2_n) ||
      !parse_int_field(parts[2], "r=", parsed.r) || !parse_int_field(parts[3], "p=", parsed.p))
    return std::nullopt;
  if (!cost_in_bounds(parsed.log2_n, parsed.r, parsed.p)) return std::nullopt;
  auto salt = from_hex(parts[4]);
  auto hash = from_hex(parts[5]);
  if (!salt || salt->size() != kSaltLength || !hash || hash->size() != kHashLength)
    return std::nullopt;
  parsed.salt = std::move(*salt);
  parsed.hash = std::move(*hash);
  return parsed;
}

}  // namespace

Status validate_password(std::string_view password) {
  if (password.size() < kMinPasswordLength)
    return invalid_argument(Reason::kPasswordTooShort,
                            "the password must have at least 8 characters", "password");
  if (password.size() > kMaxPasswordLength)
    return invalid_argument(Reason::kPasswordTooLong, "the password must have at most 256 bytes",
                            "password");
  if (!is_valid_utf8(password))
    return invalid_argument(Reason::kInvalidUtf8, "the password is not valid UTF-8", "password");
  if (has_control_characters(password))
    return invalid_argument(Reason::kControlCharacters, "the password holds control characters",
                            "password");
  return Status::ok();
}

Status validate_password_change(std::string_view current, std::string_view next,
                                bool current_is_one_time) {
  if (Status valid = validate_password(next); !valid.is_ok())
    return Status(valid.code(), valid.reason_id(), valid.message(), "new_password");
  if (current_is_one_time && next == current)
    return invalid_argument(Reason::kPasswordReused,
                            "the new password must differ from the one-time password",
                            "new_password");
  return Status::ok();
}

StatusOr<std::string> PasswordHasher::hash(std::string_view password) const {
  KEYLEDGER_RETURN_IF_ERROR(validate_password(password));
  if (!cost_in_bounds(cost_.log2_n, cost_.r, cost_.p))
    return invalid_argument(Reason::kInvalidScryptCost,
                            "the scrypt cost is outside the accepted bounds");
  std::array<std::uint8_t, kSaltLength> salt;
  random_.fill(salt);
  std::array<std::uint8_t, kHashLength> derived;
  if (!derive(password, salt, cost_.log2_n, cost_.r, cost_.p, derived))
    return internal_error(Reason::kScryptFailed, "scrypt failed (parameters or memory)");
  return "scrypt$ln=" + std::to_string(cost_.log2_n) + "$r=" + std::to_string(cost_.r) +
         "$p=" + std::to_string(cost_.p) + "$" + to_hex(salt) + "$" + to_hex(derived);
}

bool PasswordHasher::verify(std::string_view password, std::string_view encoded) {
  auto parsed = parse_encoded(encoded);
  if (!parsed || password.size() > kMaxPasswordLength) return false;
  std::array<std::uint8_t, kHashLength> derived;
  if (!derive(password, parsed->salt, parsed->log2_n, parsed->r, parsed->p, derived)) return false;
  return constant_time_equal(derived, parsed->hash);
}

bool PasswordHasher::is_well_formed(std::string_view encoded) {
  return parse_encoded(encoded).has_value();
}

}  // namespace keyledger
