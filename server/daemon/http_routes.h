// Every route keyledgerd serves over HTTP, registered in one place: the
// /v1 management API (server/api), GET /v1/verify (server/verify), the
// operational pages (system_pages.h) and the web pages (server/web).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "server/api/api.h"
#include "server/daemon/system_pages.h"
#include "server/http/router.h"
#include "server/verify/credential_verifier.h"

namespace keyledger::server {

// Who answers the routes; each outlives the router.
struct HttpRouteOwners {
  ApiHandlers management;
  VerifyHandler& verify;
  const SystemPages& system;
};

// Registers every route on `router`, in the order of api_route_table().
void add_http_routes(Router& router, const HttpRouteOwners& owners);

// Who answers a follower's routes (issue 20); each outlives the router.
struct FollowerRouteOwners {
  VerifyHandler& verify;
  const SystemPages& system;
  std::string leader_url;  // in not_leader's context; may be empty
};

// Registers a follower's routes on `router`, the same (method, pattern)s
// in the same order as add_http_routes(): the management routes each
// answer 503 not_leader (add_not_leader_routes, server/api/api.h).
void add_follower_http_routes(Router& router, const FollowerRouteOwners& owners);

// (method, pattern) of every route add_http_routes() registers but the
// panel's files (server/web/web_pages.h), e.g. ("GET",
// "/v1/keys/{id}/events"), in registration order: what /openapi.json
// describes. GET routes also answer HEAD. The test that keeps
// /openapi.json in step with the code uses it.
std::vector<std::pair<std::string, std::string>> api_route_table();

}  // namespace keyledger::server
