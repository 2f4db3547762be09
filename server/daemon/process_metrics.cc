#include "server/daemon/process_metrics.h"

#include <sys/resource.h>
#include <unistd.h>

#include <charconv>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

#include "core/text.h"
#include "server/http/histogram.h"

namespace keyledger::server {
namespace {

std::optional<std::uint64_t> parse_unsigned(std::string_view text) {
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// The fields of `text` between runs of spaces and newlines.
std::vector<std::string_view> split_on_spaces(std::string_view text) {
  std::vector<std::string_view> fields;
  for (std::string_view piece : split(text, " \n"))
    if (!piece.empty()) fields.push_back(piece);
  return fields;
}

std::optional<std::string> read_whole(const char* path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Descriptors open now, counted from /proc/self/fd (the one listing it
// included, as other exporters count it).
std::optional<std::uint64_t> open_descriptors() {
  std::error_code error;
  std::uint64_t count = 0;
  for (std::filesystem::directory_iterator it("/proc/self/fd", error), end; !error && it != end;
       it.increment(error))
    ++count;
  if (error) return std::nullopt;
  return count;
}

void append_sample(std::string& out, std::string_view name, std::string_view type,
                   std::string_view help, const std::string& value) {
  out.append("# HELP ").append(name).append(" ").append(help).append("\n");
  out.append("# TYPE ").append(name).append(" ").append(type).append("\n");
  out.append(name).append(" ").append(value).append("\n");
}

void render_from_stat(std::string& out, const ProcessStat& stat) {
  const long ticks_per_second = ::sysconf(_SC_CLK_TCK);
  const long page_bytes = ::sysconf(_SC_PAGESIZE);
  if (ticks_per_second <= 0 || page_bytes <= 0) return;
  const double ticks = static_cast<double>(ticks_per_second);
  append_sample(
      out, "process_cpu_seconds_total", "counter",
      "Total user and system CPU time spent in seconds.",
      exact_sample_text(static_cast<double>(stat.user_ticks + stat.system_ticks) / ticks));
  append_sample(out, "process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.",
                std::to_string(stat.virtual_bytes));
  append_sample(out, "process_resident_memory_bytes", "gauge", "Resident memory size in bytes.",
                std::to_string(stat.resident_pages * static_cast<std::uint64_t>(page_bytes)));
  const auto proc_stat = read_whole("/proc/stat");
  const auto boot = proc_stat ? parse_boot_time(*proc_stat) : std::nullopt;
  if (boot)
    append_sample(out, "process_start_time_seconds", "gauge",
                  "Start time of the process since unix epoch in seconds.",
                  exact_sample_text(static_cast<double>(*boot) +
                                    static_cast<double>(stat.start_ticks) / ticks));
}

}  // namespace

std::optional<ProcessStat> parse_process_stat(std::string_view text) {
  // Fields after the command name, numbered from field 3 (state).
  const auto name_end = text.rfind(')');
  if (name_end == std::string_view::npos) return std::nullopt;
  const std::vector<std::string_view> fields = split_on_spaces(text.substr(name_end + 1));
  constexpr std::size_t kFirst = 3;
  auto field = [&](std::size_t number) -> std::optional<std::uint64_t> {
    if (number - kFirst >= fields.size()) return std::nullopt;
    return parse_unsigned(fields[number - kFirst]);
  };
  const auto user = field(14), system = field(15), start = field(22), vsize = field(23),
             rss = field(24);
  if (!user || !system || !start || !vsize || !rss) return std::nullopt;
  return ProcessStat{*user, *system, *start, *vsize, *rss};
}

std::optional<std::uint64_t> parse_boot_time(std::string_view text) {
  constexpr std::string_view kLabel = "btime ";
  for (std::string_view line : split(text, "\n"))
    if (line.starts_with(kLabel)) return parse_unsigned(line.substr(kLabel.size()));
  return std::nullopt;
}

void render_process_metrics(std::string& out) {
  if (const auto text = read_whole("/proc/self/stat"))
    if (const auto stat = parse_process_stat(*text)) render_from_stat(out, *stat);
  if (const auto open = open_descriptors())
    append_sample(out, "process_open_fds", "gauge", "Number of open file descriptors.",
                  std::to_string(*open));
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY)
    append_sample(out, "process_max_fds", "gauge", "Maximum number of open file descriptors.",
                  std::to_string(static_cast<std::uint64_t>(limit.rlim_cur)));
}

}  // namespace keyledger::server
