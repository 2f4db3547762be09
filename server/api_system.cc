// Operational endpoints: health, readiness, metrics, the API description
// and its documentation page.
#include "server/api.h"
#include "server/embedded_assets.h"

namespace keyledger::server {
namespace {

HttpResponse asset_response(const Exchange& exchange, std::string_view name,
                            std::string_view content_type) {
  auto content = embedded_asset(name);
  HttpResponse response{http::status::ok, exchange.request.version()};
  response.set(http::field::content_type, content_type);
  response.set(http::field::cache_control, "no-cache");
  response.set("X-Content-Type-Options", "nosniff");
  response.keep_alive(exchange.request.keep_alive());
  response.body() = content ? std::string(*content) : std::string();
  return response;
}

}  // namespace

void Api::healthz(ExchangePtr exchange, Respond respond) {
  respond(json_response(*exchange, 200, {{"status", "ok"}}));
}

void Api::readyz(ExchangePtr exchange, Respond respond) {
  if (!ready_.load()) return respond(json_response(*exchange, 503, {{"status", "not ready"}}));
  respond(json_response(*exchange, 200, {{"status", "ready"}, {"head_seq", deps_.log.head().seq}}));
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
  HttpResponse response = asset_response(*exchange, "docs.html", "text/html; charset=utf-8");
  response.set("Content-Security-Policy",
               "default-src 'self'; style-src 'self' 'unsafe-inline'; script-src 'self' 'unsafe-inline'");
  respond(std::move(response));
}

}  // namespace keyledger::server
