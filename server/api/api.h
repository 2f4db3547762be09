// The /v1 management routes: one table says which handler object of which
// resource answers each (method, pattern), and add_api_routes() registers
// them on the HTTP server's Router. The handlers translate between
// HTTP/JSON and core commands; the rules themselves live in core.
// (GET /v1/verify is the verify part's, server/verify/credential_verifier.h;
// /healthz, /readyz and /metrics are the daemon's.)
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "server/api/audit_handler.h"
#include "server/api/cluster_handler.h"
#include "server/api/key_handlers.h"
#include "server/api/session_handlers.h"
#include "server/api/user_handlers.h"
#include "server/http/router.h"

namespace keyledger::server {

// The handler object of each resource; none is null, and each outlives the
// router it is registered on.
struct ApiHandlers {
  KeyHandlers* keys;
  UserHandlers* users;
  SessionHandlers* sessions;
  AuditHandler* audit;
  ClusterHandler* cluster;
};

// Registers every /v1 management route on `router`: each calls its
// handler's method, whose Answer becomes the HTTP answer (to_response). The
// routes that a one-time password opens carry kOpenBeforePasswordChange.
void add_api_routes(Router& router, const ApiHandlers& handlers);

// What a follower (issue 20) registers in their place: every route of
// add_api_routes(), each answering 503 not_leader, with `leader_url` (when
// not empty) as "leader_url" in the error's context, before reading any
// credential or body. A follower never proxies a call to the leader.
void add_not_leader_routes(Router& router, const std::string& leader_url);

// (method, pattern) of every route add_api_routes() registers, e.g. ("GET",
// "/v1/keys/{id}/events"), in registration order. GET routes also answer
// HEAD.
std::vector<std::pair<std::string, std::string>> management_route_table();

}  // namespace keyledger::server
