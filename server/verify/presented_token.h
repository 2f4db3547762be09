// Which API key a request presents, and the answer to one that presents
// two. Shared by /v1/verify and the authentication of /v1 calls.
#pragma once

#include <string_view>

#include "core/status.h"
#include "server/http/http_types.h"

namespace keyledger::server {

// The API key a request presents, in MC-Api-Key or as "Authorization:
// Bearer <token>". A request that names two keys is ambiguous: which one
// is meant cannot be known, so it authenticates nobody.
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

}  // namespace keyledger::server
