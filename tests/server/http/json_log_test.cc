// keyledgerd's JSON log (server/http/json_log.h): one object per line, time,
// level and msg first in one time format, the level filter and what passes
// it anyway, and the stream each line goes to.
#include "server/http/json_log.h"

#include <catch2/catch.hpp>

#include "tests/server/captured_log.h"

using keyledger::server::JsonLog;
using keyledger::server::LogLevel;
using keyledger::server::parse_log_level;
using keyledger::testing::CapturedLog;

TEST_CASE("a log line is one JSON object with time level and msg first and its own fields after",
          "[server][log]") {
  CapturedLog captured;
  captured.log.info("listening", {{"url", "http://127.0.0.1:8080"}, {"port", 8080}, {"data", "d"}});
  CHECK(captured.out.str() ==
        R"({"time":"2023-11-14T22:13:20.123Z","level":"info","msg":"listening",)"
        R"("url":"http://127.0.0.1:8080","port":8080,"data":"d"})"
        "\n");
  CHECK(captured.errors.str().empty());
}

TEST_CASE("every line's time is RFC 3339 in UTC with milliseconds from the injected clock",
          "[server][log]") {
  CapturedLog captured;
  captured.clock.set(0);
  captured.log.warn("a");
  captured.clock.set(1'786'000'000'000'000'001);
  captured.log.warn("b");
  const auto lines = captured.lines();
  REQUIRE(lines.size() == 2);
  CHECK(lines[0]["time"] == "1970-01-01T00:00:00.000Z");
  CHECK(lines[1]["time"] == "2026-08-06T07:06:40.000Z");
  CHECK(lines[1]["level"] == "warn");
}

TEST_CASE("lines below the level are dropped; always() and start failures are not",
          "[server][log]") {
  CapturedLog captured;
  captured.log.debug("hidden at info");
  captured.log.set_level(LogLevel::kWarn);
  captured.log.info("hidden at warn");
  captured.log.always(LogLevel::kInfo, "listening");
  captured.log.error("shown");
  captured.log.start_failure("cannot start", {{"reason", "address_in_use"}});
  const auto lines = captured.lines();
  REQUIRE(lines.size() == 2);
  CHECK(lines[0]["msg"] == "listening");
  CHECK(lines[0]["level"] == "info");
  CHECK(lines[1]["msg"] == "shown");
  CHECK(lines[1]["level"] == "error");
  // The start failure went to the error stream only.
  const auto errors = captured.error_lines();
  REQUIRE(errors.size() == 1);
  CHECK(errors[0]["level"] == "error");
  CHECK(errors[0]["reason"] == "address_in_use");
  CHECK(captured.log.enabled(LogLevel::kError));
  CHECK_FALSE(captured.log.enabled(LogLevel::kInfo));
}

TEST_CASE("a line stays one line whatever its text holds and bytes that are not UTF-8 are replaced",
          "[server][log]") {
  CapturedLog captured;
  captured.log.info("two\nlines", {{"detail", std::string("bad \xff byte\r\n")}});
  const std::string text = captured.out.str();
  CHECK(std::count(text.begin(), text.end(), '\n') == 1);
  const auto lines = captured.lines();
  REQUIRE(lines.size() == 1);
  CHECK(lines[0]["msg"] == "two\nlines");
  CHECK(lines[0]["detail"] == "bad \xef\xbf\xbd byte\r\n");  // U+FFFD
}

TEST_CASE("log levels are named as --log-level names them", "[server][log]") {
  CHECK(parse_log_level("trace") == LogLevel::kTrace);
  CHECK(parse_log_level("debug") == LogLevel::kDebug);
  CHECK(parse_log_level("info") == LogLevel::kInfo);
  CHECK(parse_log_level("warn") == LogLevel::kWarn);
  CHECK(parse_log_level("error") == LogLevel::kError);
  CHECK_FALSE(parse_log_level("warning"));
  CHECK_FALSE(parse_log_level(""));
}
