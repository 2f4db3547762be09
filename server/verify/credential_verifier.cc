#include "server/verify/credential_verifier.h"

#include "core/hash.h"
#include "core/ipv4_text.h"
#include "core/token.h"
#include "projections/live_projection.h"

namespace keyledger::server {

Status invalid_credentials() {
  return Status(StatusCode::kUnauthenticated, Reason::kInvalidCredentials,
                "the credentials are invalid");
}

Status rate_limited() {
  return Status(StatusCode::kResourceExhausted, Reason::kRateLimited,
                "too many failed verifications from this client");
}

CredentialVerifier::CredentialVerifier(const projections::LiveProjection& projection,
                                       const SecretHasher& hasher, LastUseTracker& last_use,
                                       FailureRateLimiter& limiter, const Clock& clock,
                                       std::string token_prefix)
    : projection_(projection),
      last_use_(last_use),
      limiter_(limiter),
      clock_(clock),
      token_prefix_(std::move(token_prefix)),
      hasher_(hasher) {}

Status CredentialVerifier::fail(const std::string& client_ip, std::int64_t* retry_after_seconds) {
  if (const std::int64_t wait = limiter_.count_failure(client_ip); wait > 0) {
    counters_.rate_limited.fetch_add(1, std::memory_order_relaxed);
    if (retry_after_seconds) *retry_after_seconds = wait;
    return rate_limited();
  }
  counters_.invalid.fetch_add(1, std::memory_order_relaxed);
  return invalid_credentials();
}

StatusOr<VerifiedKey> CredentialVerifier::verify(std::string_view token_text,
                                                 const std::string& client_ip,
                                                 std::int64_t* retry_after_seconds) {
  // Views into token_text: no copy of the secret on the hot path.
  auto token = parse_token_parts(token_text, token_prefix_);
  if (!token.is_ok()) return fail(client_ip, retry_after_seconds);
  // The key's index entry is a cache miss with many keys: start fetching it,
  // hash the secret meanwhile, and then look it up. So every well-formed
  // token costs a hash, whether its key exists or not, and every key that
  // exists costs the same compare, whatever its state.
  projection_.prefetch_verification(token->key_id);
  const Hash256 presented = hasher_.hash(token->key_id, token->secret);
  // One lookup checks the secret and, for a key used from the same IPv4
  // address as before, records the use in memory.
  const std::optional<std::uint32_t> ipv4 = parse_canonical_ipv4(client_ip);
  const TimeNs now = clock_.now_ns();
  projections::SecretCheck checked = projection_.check_secret(token->key_id, presented, ipv4, now);
  if (!checked.verified) return fail(client_ip, retry_after_seconds);
  if (!checked.use_touched) last_use_.record_untouched(token->key_id, client_ip, now, ipv4);
  counters_.ok.fetch_add(1, std::memory_order_relaxed);
  return VerifiedKey{std::move(checked.owner), checked.owner_privilege, std::string(token->key_id)};
}

}  // namespace keyledger::server
