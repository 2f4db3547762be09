// The API description and its documentation page for people.
#include "server/http/responses.h"
#include "server/web/asset_response.h"
#include "server/web/pages.h"

namespace keyledger::server {

HttpResponse openapi_page(const Exchange& exchange) {
  return asset_response(exchange, "openapi.json", "application/json; charset=utf-8");
}

HttpResponse docs_page(const Exchange& exchange) {
  // The documentation exists in English and Spanish; the panel's link
  // passes its language.
  const StatusOr<Language> language = requested_language(exchange);
  if (!language.is_ok()) return status_response(exchange, language.status());
  HttpResponse response =
      asset_response(exchange, *language == Language::kSpanish ? "docs.es.html" : "docs.html",
                     "text/html; charset=utf-8");
  response.set(http::field::content_language, language_tag(*language));
  response.set(http::field::vary, "Accept-Language");
  // Its script and style are files of its own (docs.js, docs.css), so the
  // page runs nothing inline.
  response.set("Content-Security-Policy",
               "default-src 'self'; base-uri 'none'; frame-ancestors 'none'; object-src 'none'");
  return response;
}

StatusOr<Language> requested_language(const Exchange& exchange) {
  Language language = exchange.language;
  for (const auto& [name, value] : exchange.query) {
    if (name != "lang")
      return invalid_argument(Reason::kInvalidParameter, "unknown parameter '" + name + "'", name);
    const std::optional<Language> asked = language_of_tag(value);
    if (!asked)
      return invalid_argument(Reason::kInvalidParameter,
                              "the languages are 'en' and 'es', not '" + value + "'", "lang");
    language = *asked;
  }
  return language;
}

}  // namespace keyledger::server
