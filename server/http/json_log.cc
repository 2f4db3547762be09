#include "server/http/json_log.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <array>
#include <cassert>

#include "core/time_format.h"

namespace keyledger::server {
namespace {

constexpr std::array<std::string_view, 5> kLevelNames = {"trace", "debug", "info", "warn", "error"};

// The line is complete JSON when it reaches spdlog: its own pattern adds
// only the newline, and every line is flushed so that a collector (or a
// test reading the file) never sees half of one.
std::shared_ptr<spdlog::logger> line_logger(const char* name,
                                            std::shared_ptr<spdlog::sinks::sink> sink) {
  auto logger = std::make_shared<spdlog::logger>(name, std::move(sink));
  logger->set_pattern("%v");
  logger->set_level(spdlog::level::trace);  // JsonLog filters by itself
  logger->flush_on(spdlog::level::trace);
  return logger;
}

}  // namespace

std::optional<LogLevel> parse_log_level(std::string_view name) {
  for (std::size_t i = 0; i < kLevelNames.size(); ++i)
    if (kLevelNames[i] == name) return static_cast<LogLevel>(i);
  return std::nullopt;
}

std::string_view log_level_name(LogLevel level) {
  return kLevelNames[static_cast<std::size_t>(level)];
}

JsonLog::JsonLog(const Clock& clock)
    : JsonLog(clock, std::make_shared<spdlog::sinks::stdout_sink_mt>(),
              std::make_shared<spdlog::sinks::stderr_sink_mt>()) {}

JsonLog::JsonLog(const Clock& clock, std::shared_ptr<spdlog::sinks::sink> out,
                 std::shared_ptr<spdlog::sinks::sink> errors)
    : clock_(clock),
      out_(line_logger("keyledgerd", std::move(out))),
      errors_(line_logger("keyledgerd-errors", std::move(errors))) {}

JsonLog::~JsonLog() = default;

void JsonLog::log(LogLevel level, std::string_view msg, const LogFields& fields) {
  if (enabled(level)) write(*out_, level, msg, fields);
}

void JsonLog::always(LogLevel level, std::string_view msg, const LogFields& fields) {
  write(*out_, level, msg, fields);
}

void JsonLog::start_failure(std::string_view msg, const LogFields& fields) {
  write(*errors_, LogLevel::kError, msg, fields);
}

std::string JsonLog::format(TimeNs time, LogLevel level, std::string_view msg,
                            const LogFields& fields) {
  assert(fields.is_null() || fields.is_object());
  assert(!fields.contains("time") && !fields.contains("level") && !fields.contains("msg"));
  constexpr auto kReplace = nlohmann::json::error_handler_t::replace;
  // The time and the level are ASCII of our own; only msg and the fields
  // need JSON's escaping. Spliced as text: the fields are dumped once,
  // never copied into a second object (the access log writes one line per
  // request).
  std::string line = "{\"time\":\"";
  line += format_rfc3339(time);
  line += "\",\"level\":\"";
  line += log_level_name(level);
  line += "\",\"msg\":";
  line += LogFields(msg).dump(-1, ' ', false, kReplace);
  if (fields.is_object() && !fields.empty()) {
    const std::string rest = fields.dump(-1, ' ', false, kReplace);  // {"name":value,…}
    line += ',';
    line.append(rest, 1, std::string::npos);
  } else {
    line += '}';
  }
  return line;
}

void JsonLog::write(spdlog::logger& to, LogLevel level, std::string_view msg,
                    const LogFields& fields) {
  const std::string line = format(clock_.now_ns(), level, msg, fields);
  // The level only picks spdlog's bookkeeping; the text says it itself.
  to.log(level >= LogLevel::kWarn ? spdlog::level::warn : spdlog::level::info,
         std::string_view(line));
}

}  // namespace keyledger::server
