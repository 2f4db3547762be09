// A JsonLog whose lines tests read back: both streams kept in memory, the
// time from a ManualClock.
#pragma once

#include <spdlog/sinks/ostream_sink.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "core/clock.h"
#include "server/http/json_log.h"

namespace keyledger::testing {

struct CapturedLog {
  // Each line of `text`, parsed (a line that is not JSON throws).
  static std::vector<nlohmann::json> parse_lines(const std::string& text) {
    std::vector<nlohmann::json> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(nlohmann::json::parse(line));
    return lines;
  }
  std::vector<nlohmann::json> lines() const { return parse_lines(out.str()); }
  std::vector<nlohmann::json> error_lines() const { return parse_lines(errors.str()); }

  std::ostringstream out;
  std::ostringstream errors;
  ManualClock clock{1'700'000'000'123'456'789};  // 2023-11-14T22:13:20.123Z
  server::JsonLog log{clock, std::make_shared<spdlog::sinks::ostream_sink_mt>(out),
                      std::make_shared<spdlog::sinks::ostream_sink_mt>(errors)};
};

}  // namespace keyledger::testing
