#include "server/access_log.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "server/http_types.h"

namespace keyledger::server {

AccessLog::AccessLog(bool enabled) {
  if (!enabled) return;
  logger_ =
      std::make_shared<spdlog::logger>("access", std::make_shared<spdlog::sinks::stdout_sink_mt>());
  logger_->set_pattern("%v");
  logger_->flush_on(spdlog::level::info);
}

void AccessLog::record(const Exchange& exchange, unsigned status,
                       std::chrono::nanoseconds duration) {
  if (!logger_) return;
  nlohmann::json line = {
      {"time", std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count()},
      {"request_id", exchange.request_id},
      {"method", std::string(exchange.request.method_string())},
      {"route", exchange.route},
      {"status", status},
      {"duration_ms", std::chrono::duration<double, std::milli>(duration).count()},
      {"client_ip", exchange.client_ip},
      {"user", exchange.user},
  };
  logger_->info(line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

}  // namespace keyledger::server
