// Who is calling a /v1 route: an API key (MC-Api-Key or a Bearer token), or
// a session cookie with its CSRF token for a call that changes state. Then
// the gates every route shares: a one-time password opens only the routes
// tagged for it, and a route may ask for a privilege.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/records.h"
#include "core/status.h"
#include "server/api/answer.h"
#include "server/api/ledger_ports.h"
#include "server/api/session_store.h"
#include "server/http/http_types.h"
#include "server/verify/credential_verifier.h"

namespace keyledger::server {

inline constexpr std::string_view kSessionCookie = "kl_session";

// Route tags (Router::add). kOpenBeforePasswordChange: a caller whose
// password is one-time may call the route (choosing another, asking who
// one is, signing out); every other session call answers 403
// password_change_required.
inline constexpr std::uint32_t kOpenBeforePasswordChange = 1;

// Who is calling, once authenticated.
struct Caller {
  std::string user_id;
  Privilege privilege = Privilege::kUser;
  std::string key_id;  // when authenticated with an API key
  bool via_session = false;
  // The user's password is one-time (the first admin's, from the first
  // start, or given by an administrator): only the calls that choose another are open.
  bool must_change_password = false;
};

// The value of one cookie, or empty.
std::string cookie_value(const HttpRequest& request, std::string_view name);

// Thread-safe; what it is given outlives it.
class Authenticator {
 public:
  Authenticator(KeyVerifier& keys, SessionStore& sessions, const UserDirectory& users)
      : keys_(keys), sessions_(sessions), users_(users) {}

  // kUnauthenticated (invalid_credentials), kInvalidArgument
  // (ambiguous_credentials), kPermissionDenied (csrf_token_invalid) or, from
  // the key verifier, kResourceExhausted with `*retry_after` set. Sets
  // exchange.user on success, for the access log.
  StatusOr<Caller> authenticate(Exchange& exchange, std::int64_t* retry_after);

  // authenticate(), then the gates: the one-time password (by the route's
  // tags) and `minimum` privilege, which an admin always has. On failure
  // replies and returns nullopt.
  std::optional<Caller> require(Exchange& exchange, const Reply& reply,
                                std::optional<Privilege> minimum = std::nullopt);

 private:
  StatusOr<Caller> authenticate_session(Exchange& exchange);

  KeyVerifier& keys_;
  SessionStore& sessions_;
  const UserDirectory& users_;
};

}  // namespace keyledger::server
