// Building responses: JSON bodies, the error envelope of the API this
// product documents, and the one place where Status codes become HTTP
// statuses.
//   {"errors": [{"code": "<stable code>", "message": "<human text>",
//                "context": {...}}]}
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "core/clock.h"
#include "core/status.h"
#include "server/http/http_types.h"

namespace keyledger::server {

using Json = nlohmann::json;

HttpResponse json_response(const Exchange& exchange, unsigned status, const Json& body);
HttpResponse empty_response(const Exchange& exchange, unsigned status);
// An error in the envelope; `message` is translated by `code` into the
// exchange's language, falling back to `fallback_message`.
HttpResponse error_response(const Exchange& exchange, unsigned status, std::string_view code,
                            std::string_view fallback_message, Json context = Json::object());

// Status → HTTP: invalid_argument 400, unauthenticated 401, permission 403,
// not_found 404, already_exists / failed_precondition 409, resource
// exhausted 429, unavailable / corruption 503, internal 500. The reason is
// the error code; the field (if any) goes in the context.
unsigned http_status_of(const Status& status);
HttpResponse status_response(const Exchange& exchange, const Status& status);

// "2026-11-23T16:20:14.123Z"; null for 0 (never).
Json rfc3339(TimeNs time_ns);
// Accepts RFC 3339 ("2026-11-23T16:20:14Z", fractions, offsets) or a date
// ("2026-11-23", midnight UTC).
std::optional<TimeNs> parse_time(std::string_view text);

}  // namespace keyledger::server
