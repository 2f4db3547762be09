// Operational endpoints: health, readiness, metrics. (The API description
// and its documentation page are server/web's.)
#include "server/api/system_handlers.h"

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

}  // namespace keyledger::server
