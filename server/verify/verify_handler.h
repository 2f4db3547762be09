// GET /v1/verify: whether the presented API key is valid, and whose
// privilege it carries. What a follower serves over HTTP; whoever builds
// the router registers it (server/api/api.cc for keyledgerd).
#pragma once

#include <memory>

#include "server/http/http_types.h"
#include "server/verify/credential_verifier.h"

namespace keyledger::server {

class VerifyHandler {
 public:
  // `verifier` outlives the handler.
  explicit VerifyHandler(KeyVerifier& verifier) : verifier_(verifier) {}

  // 200 {"key_id", "privilege", "user"}; 401 invalid_credentials for a
  // missing or bad key; 429 rate_limited (with Retry-After) past the
  // client's failure limit; 400 ambiguous_credentials for two keys, which
  // verifies, counts and records nothing.
  void handle(const std::shared_ptr<Exchange>& exchange, const Respond& respond);

 private:
  KeyVerifier& verifier_;
};

}  // namespace keyledger::server
