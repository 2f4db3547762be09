#include "core/token.h"

#include <array>
#include <cstdint>

#include "core/hash.h"

namespace keyledger {
namespace {

constexpr std::string_view kAlphabet =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

// Which bytes are base62 characters, as a table: the characters of a
// secret are drawn at random from three ranges, so testing the ranges in
// turn mispredicted a branch about once per character, and checking the 62
// characters of a token was ~7% of a verification (perf).
constexpr std::array<bool, 256> kIsBase62 = [] {
  std::array<bool, 256> table{};
  for (char c : kAlphabet) table[static_cast<unsigned char>(c)] = true;
  return table;
}();

// Without an early exit, so without a branch per character; bad input
// costs the same as good.
bool all_base62(std::string_view text) {
  bool all = true;
  for (char c : text) all &= kIsBase62[static_cast<unsigned char>(c)];
  return all;
}

// Draws `count` uniformly distributed base62 characters. Bytes >= 248 are
// rejected so that `byte % 62` has no bias (248 = 4 * 62).
std::string random_base62(std::size_t count, RandomSource& random) {
  std::string out;
  out.reserve(count);
  std::array<std::uint8_t, 64> pool;
  while (out.size() < count) {
    random.fill(pool);
    for (auto byte : pool) {
      if (byte >= 248) continue;
      out.push_back(kAlphabet[byte % 62]);
      if (out.size() == count) break;
    }
  }
  return out;
}

std::string checksum_of(std::string_view body) {
  Hash256 digest = sha256(body);
  std::uint32_t value = std::uint32_t{digest[0]} << 24 | std::uint32_t{digest[1]} << 16 |
                        std::uint32_t{digest[2]} << 8 | std::uint32_t{digest[3]};
  std::string out(kChecksumLength, '0');
  for (std::size_t i = kChecksumLength; i-- > 0;) {
    out[i] = kAlphabet[value % 62];
    value /= 62;
  }
  return out;
}

Status malformed(std::string message) {
  return {StatusCode::kUnauthenticated, Reason::kMalformedToken, std::move(message)};
}

}  // namespace

std::string Token::to_string() const {
  std::string body = prefix + "_" + key_id + "_" + secret;
  return body + checksum_of(body);
}

Status validate_token_prefix(std::string_view prefix) {
  if (prefix.empty() || prefix.size() > kMaxPrefixLength)
    return invalid_argument(Reason::kInvalidPrefix, "the token prefix must have 1 to 16 characters",
                            "prefix");
  if (!(prefix[0] >= 'a' && prefix[0] <= 'z'))
    return invalid_argument(Reason::kInvalidPrefix, "the token prefix must start with a-z",
                            "prefix");
  for (char c : prefix)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
      return invalid_argument(Reason::kInvalidPrefix, "the token prefix may hold only a-z and 0-9",
                              "prefix");
  return Status::ok();
}

Token generate_token(std::string_view prefix, RandomSource& random) {
  // Both parts from one draw: a call to the system CSPRNG costs more than
  // the characters it yields (two calls were ~9% of the CPU time an I/O
  // thread spent creating a key, perf).
  std::string characters = random_base62(kKeyIdLength + kSecretLength, random);
  std::string secret = characters.substr(kKeyIdLength);
  characters.resize(kKeyIdLength);
  return Token{std::string(prefix), std::move(characters), std::move(secret)};
}

std::string generate_key_id(RandomSource& random) { return random_base62(kKeyIdLength, random); }

bool is_valid_key_id(std::string_view key_id) {
  return key_id.size() == kKeyIdLength && all_base62(key_id);
}

StatusOr<TokenParts> parse_token_parts(std::string_view text, std::string_view expected_prefix) {
  const std::size_t expected_size =
      expected_prefix.size() + 1 + kKeyIdLength + 1 + kSecretLength + kChecksumLength;
  if (text.size() != expected_size) return malformed("token has the wrong length");
  if (text.substr(0, expected_prefix.size()) != expected_prefix ||
      text[expected_prefix.size()] != '_')
    return malformed("token has the wrong prefix");
  std::string_view rest = text.substr(expected_prefix.size() + 1);
  std::string_view key_id = rest.substr(0, kKeyIdLength);
  if (rest[kKeyIdLength] != '_') return malformed("token has no separator after the key id");
  std::string_view secret = rest.substr(kKeyIdLength + 1, kSecretLength);
  std::string_view checksum = rest.substr(kKeyIdLength + 1 + kSecretLength);
  if (!all_base62(key_id) || !all_base62(secret) || !all_base62(checksum))
    return malformed("token holds characters outside base62");
  std::string_view body = text.substr(0, text.size() - kChecksumLength);
  if (checksum_of(body) != checksum) return malformed("token checksum does not match");
  return TokenParts{key_id, secret};
}

StatusOr<Token> parse_token(std::string_view text, std::string_view expected_prefix) {
  auto parts = parse_token_parts(text, expected_prefix);
  if (!parts.is_ok()) return parts.status();
  return Token{std::string(expected_prefix), std::string(parts->key_id),
               std::string(parts->secret)};
}

}  // namespace keyledger
