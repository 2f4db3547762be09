// API key tokens: `<prefix>_<key id>_<secret><checksum>`.
//
//   prefix    1..16 of [a-z0-9], starting with a letter; configurable, so a
//             scanner can recognise an organisation's leaked keys.
//   key id    12 base62 characters (~71 bits): public, names the key.
//   secret    44 base62 characters (~262 bits) from a CSPRNG.
//   checksum  6 base62 characters: the first 32 bits of
//             SHA-256("<prefix>_<key id>_<secret>"), so a mistyped or
//             truncated token is rejected before any lookup.
//
// Only a keyed hash of (key id, secret) is ever stored; see SecretHasher.
#pragma once

#include <string>
#include <string_view>

#include "core/random.h"
#include "core/status.h"

namespace keyledger {

inline constexpr std::size_t kKeyIdLength = 12;
inline constexpr std::size_t kSecretLength = 44;
inline constexpr std::size_t kChecksumLength = 6;
inline constexpr std::size_t kMaxPrefixLength = 16;
inline constexpr std::string_view kDefaultTokenPrefix = "kl";

struct Token {
  std::string prefix;
  std::string key_id;
  std::string secret;

  // The full text a client presents.
  std::string to_string() const;
};

// Checks a configured prefix.
Status validate_token_prefix(std::string_view prefix);

// A fresh key id and secret drawn from `random`.
Token generate_token(std::string_view prefix, RandomSource& random);

// A fresh key id only (used where an id is needed without a token).
std::string generate_key_id(RandomSource& random);

// Splits and checks a presented token. Rejects, without touching any state,
// anything of the wrong shape or whose checksum does not match. The prefix
// must equal `expected_prefix`. Errors are kUnauthenticated with reason
// "malformed_token"; the message says which part is wrong, for logs only.
StatusOr<Token> parse_token(std::string_view text, std::string_view expected_prefix);

// The key id and secret of a presented token, as views into the text given
// to parse_token_parts (valid as long as it is). The verification hot path
// uses this to check a token without copying its parts.
struct TokenParts {
  std::string_view key_id;
  std::string_view secret;
};
// parse_token() without the copies: the same checks and errors.
StatusOr<TokenParts> parse_token_parts(std::string_view text, std::string_view expected_prefix);

// True for a syntactically valid key id (12 base62 characters).
bool is_valid_key_id(std::string_view key_id);

}  // namespace keyledger
