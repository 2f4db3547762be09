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

// (method, pattern) of every route add_http_routes() registers but the
// panel's files (server/web/web_pages.h), e.g. ("GET",
// "/v1/keys/{id}/events"), in registration order: what /openapi.json
// describes. GET routes also answer HEAD. The test that keeps
// /openapi.json in step with the code uses it.
std::vector<std::pair<std::string, std::string>> api_route_table();

}  // namespace keyledger::server
