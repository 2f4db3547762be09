// The standard process_* metrics that Prometheus client libraries export
// (resident and virtual memory, CPU time, open and maximum descriptors,
// start time), read from /proc/self when /metrics is scraped. Linux only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace keyledger::server {

// The fields of /proc/<pid>/stat that the metrics use (see proc(5)).
struct ProcessStat {
  std::uint64_t user_ticks = 0;      // utime, field 14
  std::uint64_t system_ticks = 0;    // stime, field 15
  std::uint64_t start_ticks = 0;     // starttime (after boot), field 22
  std::uint64_t virtual_bytes = 0;   // vsize, field 23
  std::uint64_t resident_pages = 0;  // rss, field 24
};

// Parses the text of /proc/<pid>/stat, whose second field (the command
// name, in parentheses) may itself hold spaces and parentheses. nullopt for
// text not in that format.
std::optional<ProcessStat> parse_process_stat(std::string_view text);

// The boot time in seconds since the epoch, from the text of /proc/stat
// (its "btime" line); nullopt if there is none.
std::optional<std::uint64_t> parse_boot_time(std::string_view text);

// Appends the process_* metrics, each with HELP and TYPE; one that cannot
// be read (no /proc) is left out rather than reported wrong.
void render_process_metrics(std::string& out);

}  // namespace keyledger::server
