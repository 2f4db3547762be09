// Answers with a file embedded into keyledgerd (server/web/assets/).
#pragma once

#include <string_view>

#include "server/http/http_types.h"

namespace keyledger::server {

// A file embedded from server/web/assets/ (by its exact name), with
// X-Content-Type-Options: nosniff so browsers trust only `content_type`.
HttpResponse asset_response(const Exchange& exchange, std::string_view name,
                            std::string_view content_type);

}  // namespace keyledger::server
