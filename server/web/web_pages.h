// The pages keyledgerd serves for people, and the files behind them: the
// web panel, the API description (/openapi.json), its documentation page
// (/docs), and the table of error messages the panel shows (/v1/messages).
// They are the same for every caller, signed in or not, so none of them
// authenticates anyone; whoever builds the router adds them beside the API.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "server/http/router.h"

namespace keyledger::server {

// Registers every web route on `router`, all GET (so HEAD too). Each file
// is served only under its exact path: no request path is ever mapped onto
// a file name.
void add_web_routes(Router& router);

// (method, pattern) of the web routes that /openapi.json describes
// ("/openapi.json", "/docs", "/v1/messages"), in registration order.
std::vector<std::pair<std::string, std::string>> web_api_route_table();

// The paths of the panel's files ("/", "/app.js", …), all GET. They are
// pages, not API operations, so /openapi.json does not list them.
std::vector<std::string> panel_route_table();

}  // namespace keyledger::server
