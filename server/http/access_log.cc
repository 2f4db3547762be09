#include "server/http/access_log.h"

#include "server/http/http_types.h"

namespace keyledger::server {

void AccessLog::record(const Exchange& exchange, unsigned status,
                       std::chrono::nanoseconds duration) {
  if (!enabled_) return;
  log_.always(LogLevel::kInfo, "request",
              {
                  {"request_id", exchange.request_id},
                  {"method", std::string(exchange.request.method_string())},
                  {"route", exchange.route},
                  {"status", status},
                  {"duration_ms", std::chrono::duration<double, std::milli>(duration).count()},
                  {"client_ip", exchange.client_ip},
                  {"user", exchange.user},
              });
}

}  // namespace keyledger::server
