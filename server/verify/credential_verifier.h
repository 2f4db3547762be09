// Verification of presented API keys, shared by the HTTP API and the
// binary verify port: parse (checksum first, no lookup for a mistyped
// token) → keyed hash of the presented secret while the key id's index
// entry is fetched from memory → look up the key id → constant-time compare
// → the owner must exist and be enabled → record the use. Every failure is
// the same answer to the client, whatever the cause.
//
// Only failures are limited: a key that verifies always verifies, whoever
// else has been failing from the same address (an API server verifies for
// all of its clients, honest or not), and its success takes no lock and
// writes nothing shared beyond the counters and its own last use. A failure
// past the per-client limit answers "rate limited" instead of "invalid";
// with 256-bit secrets the limit does not stop guessing, it sheds noise.
//
// Below the verifier, its HTTP face: which key a request presents, and
// GET /v1/verify, which the router calls directly (add_verify_route). The
// two share this file so that a verification reads from the route to the
// projection in one place.
#pragma once

#include <atomic>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/records.h"
#include "core/secret_hasher.h"
#include "core/status.h"
#include "server/http/http_types.h"
#include "server/http/router.h"
#include "server/verify/applied_seq.h"
#include "server/verify/last_use_tracker.h"
#include "server/verify/rate_limiter.h"
#include "server/verify/replica_freshness.h"

namespace keyledger::projections {
class LiveProjection;
}  // namespace keyledger::projections

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
  std::atomic<std::uint64_t> stale{0};  // refused by a follower past --max-staleness
};

// Verification as its users see it, so that a handler can be tested with a
// fake verifier. CredentialVerifier is the real one.
class KeyVerifier {
 public:
  virtual ~KeyVerifier() = default;
  // Thread-safe. kUnauthenticated (reason invalid_credentials) for any bad
  // key; kResourceExhausted (reason rate_limited, *retry_after_seconds set)
  // for a bad key from a `client_ip` that has already failed too often in
  // its window. A valid key verifies whatever the limiter says.
  virtual StatusOr<VerifiedKey> verify(std::string_view token, const std::string& client_ip,
                                       std::int64_t* retry_after_seconds = nullptr) = 0;
};

// kUnauthenticated, reason invalid_credentials: the one answer to every
// credential that does not verify, whatever the cause.
Status invalid_credentials();
// kResourceExhausted, reason rate_limited: a bad credential from a client
// past its failure limit.
Status rate_limited();

class CredentialVerifier final : public KeyVerifier {
 public:
  // `freshness` is a follower's (null on a leader): while it is not
  // fresh, every verification answers stale_replica() (kUnavailable),
  // before the token is even parsed.
  CredentialVerifier(const projections::LiveProjection& projection, const SecretHasher& hasher,
                     LastUseTracker& last_use, FailureRateLimiter& limiter, const Clock& clock,
                     std::string token_prefix, const ReplicaFreshness* freshness = nullptr);

  // KeyVerifier's contract; on a stale follower, stale_replica().
  StatusOr<VerifiedKey> verify(std::string_view token, const std::string& client_ip,
                               std::int64_t* retry_after_seconds = nullptr) override;

  const VerifyCounters& counters() const { return counters_; }

 private:
  Status fail(const std::string& client_ip, std::int64_t* retry_after_seconds);

  const projections::LiveProjection& projection_;
  LastUseTracker& last_use_;
  FailureRateLimiter& limiter_;
  const Clock& clock_;
  std::string token_prefix_;
  const SecretHasher& hasher_;
  const ReplicaFreshness* const freshness_;
  VerifyCounters counters_;
};

// The API key a request presents, in MC-Api-Key or as "Authorization:
// Bearer <token>". A request that names two keys is ambiguous: which one
// is meant cannot be known, so it authenticates nobody. Shared by
// /v1/verify and the authentication of /v1 calls.
struct PresentedToken {
  enum class Presence {
    kNone,       // neither header
    kOne,        // `token`; empty for another Authorization scheme alone (present, but no key)
    kAmbiguous,  // MC-Api-Key or Authorization sent more than once, or MC-Api-Key
                 // with a Bearer token that differs from it
  };
  Presence presence = Presence::kNone;
  std::string_view token;  // a view into the request
};
PresentedToken presented_token(const HttpRequest& request);

// The 400 answer's Status (reason ambiguous_credentials).
Status ambiguous_credentials();

// The header of a verification that must see the ledger at least up to a
// seq (a write's KeyLedger-Seq): read-your-writes (applied_seq.h).
inline constexpr std::string_view kMinSeqHeader = "KeyLedger-Min-Seq";

// The seq a request's KeyLedger-Min-Seq asks for: 0 (none) without the
// header; kInvalidArgument (reason invalid_min_seq) unless it is sent once,
// as decimal digits alone, at most 2^64 - 1.
StatusOr<std::uint64_t> requested_min_seq(const HttpRequest& request);

// GET /v1/verify: whether the presented API key is valid, and whose
// privilege it carries. What a follower serves over HTTP.
class VerifyHandler {
 public:
  // `verifier` and `applied` outlive the handler.
  VerifyHandler(KeyVerifier& verifier, AppliedSeq& applied)
      : verifier_(verifier), applied_(applied) {}

  // 200 {"key_id", "privilege", "user"}; 401 invalid_credentials for a
  // missing or bad key; 429 rate_limited (with Retry-After) past the
  // client's failure limit; 503 stale_replica on a follower past
  // --max-staleness; 400 ambiguous_credentials for two keys, which
  // verifies, counts and records nothing. A failure is answered as its
  // Status, which the HTTP session makes into the error envelope. Answers
  // at once, on the calling thread; but with KeyLedger-Min-Seq: 400
  // invalid_min_seq for a bad value, 503 seq_not_reached at once for a seq
  // beyond the last this node knows of, and for one it knows but has not
  // applied, an answer later (on the connection's thread) once it has, or
  // 503 seq_not_reached once AppliedSeq::max_wait() has passed.
  RouteReply answer(Exchange& exchange);

 private:
  RouteReply answer_at_min_seq(Exchange& exchange);
  RouteReply verify_now(Exchange& exchange);

  KeyVerifier& verifier_;
  AppliedSeq& applied_;
};

// The 200 answer of /v1/verify: the very response json_response()
// (server/http/responses.h) gives for {"key_id", "privilege", "user"},
// written straight into the body (the busiest answer keyledgerd gives
// builds no Json).
HttpResponse verified_key_response(const Exchange& exchange, std::string_view user,
                                   std::string_view privilege, std::string_view key_id);

// Registers GET /v1/verify on `router`, answered by `handler` (which
// outlives the router).
void add_verify_route(Router& router, VerifyHandler& handler);
// (method, pattern) of the route add_verify_route() registers.
std::vector<std::pair<std::string, std::string>> verify_route_table();

}  // namespace keyledger::server
