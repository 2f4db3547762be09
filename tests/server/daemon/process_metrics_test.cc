// The process_* metrics' parsing of /proc (see proc(5)).
#include "server/daemon/process_metrics.h"

#include <catch2/catch.hpp>

using keyledger::server::parse_boot_time;
using keyledger::server::parse_process_stat;

TEST_CASE("/proc/<pid>/stat is read by field number after the command name", "[server][metrics]") {
  // The command name may hold spaces and parentheses; fields count from
  // the last ')'.
  const std::string stat =
      "4242 (key ledger) (d)) S 1 4242 4242 0 -1 4194560 2000 0 0 0 "
      "150 37 0 0 20 0 5 0 987654 123456789 2048 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 "
      "1 0 0 0 0 0\n";
  auto parsed = parse_process_stat(stat);
  REQUIRE(parsed.has_value());
  CHECK(parsed->user_ticks == 150);
  CHECK(parsed->system_ticks == 37);
  CHECK(parsed->start_ticks == 987654);
  CHECK(parsed->virtual_bytes == 123456789);
  CHECK(parsed->resident_pages == 2048);
}

TEST_CASE("/proc/<pid>/stat fields split on runs of spaces and newlines, not on tabs",
          "[server][metrics]") {
  const std::string fields =
      "S 1 4242 4242 0 -1 4194560 2000 0 0 0 150 37 0 0 20 0 5 0 987654 123456789 2048\n";
  std::string runs = "4242 (x)  \n";
  for (char c : fields) runs += c == ' ' ? std::string(" \n ") : std::string(1, c);
  auto parsed = parse_process_stat(runs);
  REQUIRE(parsed.has_value());
  CHECK(parsed->user_ticks == 150);
  CHECK(parsed->system_ticks == 37);
  CHECK(parsed->resident_pages == 2048);
  std::string tabbed = "4242 (x) " + fields;
  tabbed.replace(tabbed.find(" 150 "), 5, " 150\t");
  CHECK_FALSE(parse_process_stat(tabbed).has_value());
}

TEST_CASE("text that is not /proc/<pid>/stat is refused, not misread", "[server][metrics]") {
  CHECK_FALSE(parse_process_stat("").has_value());
  CHECK_FALSE(parse_process_stat("4242 no parentheses 1 2 3").has_value());
  CHECK_FALSE(parse_process_stat("4242 (short) S 1 2 3").has_value());
  CHECK_FALSE(
      parse_process_stat("4242 (x) S 1 2 3 4 5 6 7 8 9 10 -5 37 0 0 20 0 5 0 9 9 9").has_value());
}

TEST_CASE("the boot time is /proc/stat's btime line", "[server][metrics]") {
  CHECK(parse_boot_time("cpu  1 2 3\nintr 5\nbtime 1700000000\nprocesses 9\n") == 1700000000u);
  CHECK_FALSE(parse_boot_time("cpu  1 2 3\n").has_value());
  CHECK(parse_boot_time("btime 42") == 42u);  // the last line needs no newline
  CHECK(parse_boot_time("\n\nbtime 7\n\n") == 7u);
  CHECK_FALSE(parse_boot_time(" btime 7\n").has_value());
  CHECK_FALSE(parse_boot_time("btime 7 \n").has_value());
  CHECK_FALSE(parse_boot_time("").has_value());
  CHECK_FALSE(parse_boot_time("btime soon\n").has_value());
}
