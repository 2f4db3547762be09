// keyledgerd's log: one JSON object per line,
//   {"time":"2026-12-07T03:04:05.123Z","level":"info","msg":"listening",…fields}
// with "time" always RFC 3339 in UTC with milliseconds (core/time_format.h),
// taken from the injected clock, and "time", "level" and "msg" first. Every
// line keyledgerd writes goes through one JsonLog, owned by main() and
// passed to the parts that log: start-up, warnings, shutdown and the access
// log alike, so a log collector parses every line the same way.
//
// Ordinary lines go to the output stream (stdout); the line that says why
// the process cannot start goes to the error stream (stderr), so a terminal
// or a supervisor shows it even where stdout is collected elsewhere.
//
// Thread-safe: spdlog's sinks serialise whole lines, and each line is
// flushed at once. Never give it a secret (a token, a password): whatever
// collects the log keeps it.
#pragma once

#include <atomic>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"

namespace spdlog {
class logger;
namespace sinks {
class sink;
}
}  // namespace spdlog

namespace keyledger::server {

// A line's own fields, kept in the order given (after time, level, msg).
// null (the default) or an object.
using LogFields = nlohmann::ordered_json;

enum class LogLevel { kTrace, kDebug, kInfo, kWarn, kError };

// "trace", "debug", "info", "warn", "error" (as in --log-level); nullopt for
// anything else.
std::optional<LogLevel> parse_log_level(std::string_view name);
std::string_view log_level_name(LogLevel level);

class JsonLog {
 public:
  // Lines to stdout, start failures to stderr. `clock` outlives the log.
  explicit JsonLog(const Clock& clock);
  // Lines to `out`, start failures to `errors` (tests capture both).
  JsonLog(const Clock& clock, std::shared_ptr<spdlog::sinks::sink> out,
          std::shared_ptr<spdlog::sinks::sink> errors);
  ~JsonLog();
  JsonLog(const JsonLog&) = delete;
  JsonLog& operator=(const JsonLog&) = delete;

  // Lines below `level` are dropped by the methods below except always()
  // and start_failure(). The default is kInfo.
  void set_level(LogLevel level) { level_.store(level, std::memory_order_relaxed); }
  bool enabled(LogLevel level) const { return level >= level_.load(std::memory_order_relaxed); }

  void debug(std::string_view msg, const LogFields& fields = {}) {
    log(LogLevel::kDebug, msg, fields);
  }
  void info(std::string_view msg, const LogFields& fields = {}) {
    log(LogLevel::kInfo, msg, fields);
  }
  void warn(std::string_view msg, const LogFields& fields = {}) {
    log(LogLevel::kWarn, msg, fields);
  }
  void error(std::string_view msg, const LogFields& fields = {}) {
    log(LogLevel::kError, msg, fields);
  }
  void log(LogLevel level, std::string_view msg, const LogFields& fields = {});

  // Written whatever the level: the lines scripts and operators wait for
  // (listening, where the admin's one-time password is, stopped) and the
  // access log, which --no-access-log switches instead.
  void always(LogLevel level, std::string_view msg, const LogFields& fields = {});

  // Why the process cannot start: an "error" line on the error stream,
  // whatever the level.
  void start_failure(std::string_view msg, const LogFields& fields = {});

  // One line's text, without the newline. A field named time, level or
  // msg is a bug in the caller (asserted); text that is not UTF-8 is
  // replaced, never written raw.
  static std::string format(TimeNs time, LogLevel level, std::string_view msg,
                            const LogFields& fields);

 private:
  void write(spdlog::logger& to, LogLevel level, std::string_view msg, const LogFields& fields);

  const Clock& clock_;
  std::atomic<LogLevel> level_{LogLevel::kInfo};
  std::shared_ptr<spdlog::logger> out_;
  std::shared_ptr<spdlog::logger> errors_;
};

}  // namespace keyledger::server
