#include "server/api/system_handlers.h"

#include "server/web/asset_response.h"

namespace keyledger::server {

void SystemHandlers::healthz(const ExchangePtr&, const Reply& reply) {
  reply(Answer::ok({{"status", "ok"}}));
}

void SystemHandlers::readyz(const ExchangePtr&, const Reply& reply) {
  if (!ready_.load()) return reply(Answer::not_ready({{"status", "not ready"}}));
  // Verification and reads are served from memory even while storage
  // refuses writes, so the server stays ready; the body says so, for
  // monitoring (also keyledger_storage_failing in /metrics). Why it fails
  // (RocksDB's message, with file paths) goes only to the log.
  reply(Answer::ok({{"status", "ready"},
                    {"head_seq", ledger_.head_seq()},
                    {"storage", ledger_.storage_failing() ? "failing" : "ok"}}));
}

void SystemHandlers::metrics(const ExchangePtr& exchange, const Reply& reply) {
  HttpResponse response{http::status::ok, exchange->request.version()};
  response.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
  response.keep_alive(exchange->request.keep_alive());
  response.body() = metrics_.render();
  reply(Answer::built(std::move(response)));
}

void SystemHandlers::openapi(const ExchangePtr& exchange, const Reply& reply) {
  reply(
      Answer::built(asset_response(*exchange, "openapi.json", "application/json; charset=utf-8")));
}

void SystemHandlers::docs(const ExchangePtr& exchange, const Reply& reply) {
  // The documentation exists in English and Spanish: `?lang=` (the panel's
  // link passes its language) wins over Accept-Language.
  Language language = exchange->language;
  for (const auto& [name, value] : exchange->query) {
    if (name != "lang")
      return reply(invalid_argument("invalid_parameter", "unknown parameter '" + name + "'", name));
    if (value == "en") {
      language = Language::kEnglish;
    } else if (value == "es") {
      language = Language::kSpanish;
    } else {
      return reply(invalid_argument(
          "invalid_parameter", "the documentation exists in 'en' and 'es', not '" + value + "'",
          "lang"));
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
  reply(Answer::built(std::move(response)));
}

}  // namespace keyledger::server
