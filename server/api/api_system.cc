// Operational endpoints: health, readiness, metrics, the API description
// and its documentation page.
#include "server/api/api.h"
#include "server/web/asset_response.h"

namespace keyledger::server {

void Api::healthz(ExchangePtr exchange, Respond respond) {
  respond(json_response(*exchange, 200, {{"status", "ok"}}));
}

void Api::readyz(ExchangePtr exchange, Respond respond) {
  if (!ready_.load()) return respond(json_response(*exchange, 503, {{"status", "not ready"}}));
  // Verification and reads are served from memory even while storage
  // refuses writes, so the server stays ready; the body says so, for
  // monitoring (also keyledger_storage_failing in /metrics). Why it fails
  // (RocksDB's message, with file paths) goes only to the log.
  const bool storage_failing = deps_.writer.stats().failing;
  respond(json_response(*exchange, 200,
                        {{"status", "ready"},
                         {"head_seq", deps_.log.head().seq},
                         {"storage", storage_failing ? "failing" : "ok"}}));
}

void Api::metrics(ExchangePtr exchange, Respond respond) {
  HttpResponse response{http::status::ok, exchange->request.version()};
  response.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
  response.keep_alive(exchange->request.keep_alive());
  response.body() = deps_.metrics.render(deps_.verifier.counters(), deps_.writer.stats());
  respond(std::move(response));
}

void Api::openapi(ExchangePtr exchange, Respond respond) {
  respond(asset_response(*exchange, "openapi.json", "application/json; charset=utf-8"));
}

void Api::docs(ExchangePtr exchange, Respond respond) {
  // The documentation exists in English and Spanish: `?lang=` (the panel's
  // link passes its language) wins over Accept-Language.
  Language language = exchange->language;
  for (const auto& [name, value] : exchange->query) {
    if (name != "lang")
      return respond(status_response(
          *exchange,
          invalid_argument("invalid_parameter", "unknown parameter '" + name + "'", name)));
    if (value == "en") {
      language = Language::kEnglish;
    } else if (value == "es") {
      language = Language::kSpanish;
    } else {
      return respond(status_response(
          *exchange,
          invalid_argument("invalid_parameter",
                           "the documentation exists in 'en' and 'es', not '" + value + "'",
                           "lang")));
    }
  }
  HttpResponse response =
      asset_response(*exchange, language == Language::kSpanish ? "docs.es.html" : "docs.html",
                     "text/html; charset=utf-8");
  response.set(http::field::content_language, language_tag(language));
  response.set(http::field::vary, "Accept-Language");
  // Its script and style are files of its own (docs.js, docs.css), so the
  // page runs nothing inline.
  response.set("Content-Security-Policy",
               "default-src 'self'; base-uri 'none'; frame-ancestors 'none'; object-src 'none'");
  respond(std::move(response));
}

}  // namespace keyledger::server
