// Operational endpoints: health, readiness, metrics. (The API description
// and its documentation page are server/web's.)
#include "server/api/api.h"

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

}  // namespace keyledger::server
