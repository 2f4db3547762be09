// The web part's answers, each built from the request alone: nothing here
// needs a caller, storage or a clock. web_pages.cc routes to them.
#pragma once

#include <span>
#include <string_view>

#include "core/status.h"
#include "server/http/http_types.h"

namespace keyledger::server {

// /openapi.json, the API description.
HttpResponse openapi_page(const Exchange& exchange);
// /docs, the API documentation page, in English or Spanish.
HttpResponse docs_page(const Exchange& exchange);
// /v1/messages: every error message of the one table (server/http/i18n.h)
// in one language, {"language": "es", "messages": {"<code>": "<text>", …}}.
HttpResponse error_messages_page(const Exchange& exchange);

// The language a page is asked for: `?lang=en` or `?lang=es` wins (a link
// can name its language), else the exchange's, from Accept-Language (which
// falls back to English). Another value of lang, or any other parameter, is
// invalid_argument (invalid_parameter), its field the parameter's name.
StatusOr<Language> requested_language(const Exchange& exchange);

// One of the panel's files: the path it is served under, its embedded
// name and its content type.
struct PanelFile {
  std::string_view path;          // e.g. "/app.js"
  std::string_view asset;         // embedded name, e.g. "app.js"
  std::string_view content_type;  // e.g. "text/javascript; charset=utf-8"
};
std::span<const PanelFile> panel_files();
// The file with the panel's strict headers (its Content-Security-Policy).
HttpResponse panel_file_response(const Exchange& exchange, const PanelFile& file);

}  // namespace keyledger::server
