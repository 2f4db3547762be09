// Verification of presented API keys, shared by the HTTP API and the
// binary verify port: parse (checksum first, no lookup for a mistyped
// token) → keyed hash of the presented secret while the key id's index
// entry is fetched from memory → look up the key id → constant-time compare
// → the owner must exist and be enabled → record the use. Every failure is
// the same answer to the client, whatever the cause.
#pragma once

#include <atomic>
#include <string>

#include "core/clock.h"
#include "core/secret_hasher.h"
#include "core/status.h"
#include "projections/live_projection.h"
#include "server/last_use_tracker.h"
#include "server/rate_limiter.h"

namespace keyledger::server {

struct VerifiedKey {
  std::string user_id;
  Privilege privilege = Privilege::kUser;
  std::string key_id;
};

struct VerifyCounters {
  std::atomic<std::uint64_t> ok{0};
  std::atomic<std::uint64_t> invalid{0};
  std::atomic<std::uint64_t> rate_limited{0};
};

class CredentialVerifier {
 public:
  CredentialVerifier(const projections::LiveProjection& projection, const SecretHasher& hasher,
                     LastUseTracker& last_use, FailureRateLimiter& limiter, const Clock& clock,
                     std::string token_prefix);

  // Thread-safe. kUnauthenticated (reason invalid_credentials) for any bad
  // key; kResourceExhausted (reason rate_limited, retry_after_seconds set)
  // when `client_ip` has failed too often.
  StatusOr<VerifiedKey> verify(std::string_view token, const std::string& client_ip,
                               std::int64_t* retry_after_seconds = nullptr);

  const VerifyCounters& counters() const { return counters_; }

 private:
  Status fail(const std::string& client_ip);

  const projections::LiveProjection& projection_;
  LastUseTracker& last_use_;
  FailureRateLimiter& limiter_;
  const Clock& clock_;
  std::string token_prefix_;
  const SecretHasher& hasher_;
  VerifyCounters counters_;
};

}  // namespace keyledger::server
