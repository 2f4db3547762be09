#include "server/web/asset_response.h"

#include "server/http/responses.h"
#include "server/web/embedded_assets.h"

namespace keyledger::server {

HttpResponse asset_response(const Exchange& exchange, std::string_view name,
                            std::string_view content_type) {
  auto content = embedded_asset(name);
  // Every name served is listed in server/web/CMakeLists.txt; a missing one is
  // a build mistake, not the client's.
  if (!content) return error_response(exchange, 500, "internal", "asset not embedded");
  HttpResponse response{http::status::ok, exchange.request.version()};
  response.set(http::field::content_type, content_type);
  // Revalidated each time, so a new binary's files are never mixed with a
  // cached older page.
  response.set(http::field::cache_control, "no-cache");
  response.set("X-Content-Type-Options", "nosniff");
  response.keep_alive(exchange.request.keep_alive());
  response.body() = std::string(*content);
  return response;
}

}  // namespace keyledger::server
