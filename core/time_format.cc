#include "core/time_format.h"

#include <charconv>
#include <chrono>
#include <cstdio>

namespace keyledger {

std::string format_rfc3339(TimeNs time_ns) {
  using namespace std::chrono;
  const sys_time<nanoseconds> time{nanoseconds(time_ns)};
  const auto day = floor<days>(time);
  const year_month_day date{day};
  const hh_mm_ss clock{floor<milliseconds>(time - day)};
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02uT%02ld:%02ld:%02ld.%03ldZ",
                static_cast<int>(date.year()), static_cast<unsigned>(date.month()),
                static_cast<unsigned>(date.day()), static_cast<long>(clock.hours().count()),
                static_cast<long>(clock.minutes().count()), static_cast<long>(clock.seconds().count()),
                static_cast<long>(clock.subseconds().count()));
  return buffer;
}

namespace {
bool read_int(std::string_view& text, std::size_t digits, int& out) {
  if (text.size() < digits) return false;
  auto [end, error] = std::from_chars(text.data(), text.data() + digits, out);
  if (error != std::errc() || end != text.data() + digits) return false;
  text.remove_prefix(digits);
  return true;
}
bool expect(std::string_view& text, char c) {
  if (text.empty() || text.front() != c) return false;
  text.remove_prefix(1);
  return true;
}
}  // namespace

std::optional<TimeNs> parse_rfc3339_or_date(std::string_view text) {
  using namespace std::chrono;
  int year, month, day, hour = 0, minute = 0, second = 0;
  if (!read_int(text, 4, year) || !expect(text, '-') || !read_int(text, 2, month) ||
      !expect(text, '-') || !read_int(text, 2, day))
    return std::nullopt;
  const year_month_day date{std::chrono::year(year), std::chrono::month(static_cast<unsigned>(month)),
                            std::chrono::day(static_cast<unsigned>(day))};
  if (!date.ok()) return std::nullopt;
  std::int64_t fraction_ns = 0, offset_seconds = 0;
  if (!text.empty()) {
    if (text.front() != 'T' && text.front() != 't' && text.front() != ' ') return std::nullopt;
    text.remove_prefix(1);
    if (!read_int(text, 2, hour) || !expect(text, ':') || !read_int(text, 2, minute) ||
        !expect(text, ':') || !read_int(text, 2, second))
      return std::nullopt;
    if (hour > 23 || minute > 59 || second > 60) return std::nullopt;
    if (!text.empty() && text.front() == '.') {
      text.remove_prefix(1);
      std::int64_t scale = 100'000'000;
      std::size_t digits = 0;
      while (!text.empty() && text.front() >= '0' && text.front() <= '9') {
        fraction_ns += (text.front() - '0') * scale;
        scale /= 10;
        text.remove_prefix(1);
        if (++digits > 9) return std::nullopt;
      }
      if (digits == 0) return std::nullopt;
    }
    if (text == "Z" || text == "z") {
      text = {};
    } else if (!text.empty() && (text.front() == '+' || text.front() == '-')) {
      const int sign = text.front() == '+' ? 1 : -1;
      text.remove_prefix(1);
      int offset_hours, offset_minutes;
      if (!read_int(text, 2, offset_hours) || !expect(text, ':') ||
          !read_int(text, 2, offset_minutes) || !text.empty())
        return std::nullopt;
      offset_seconds = sign * (offset_hours * 3600 + offset_minutes * 60);
    } else {
      return std::nullopt;  // a time needs a zone
    }
  }
  if (!text.empty()) return std::nullopt;
  const auto midnight = sys_days(date).time_since_epoch();
  const auto total = duration_cast<nanoseconds>(midnight) + hours(hour) + minutes(minute) +
                     seconds(second) - seconds(offset_seconds) + nanoseconds(fraction_ns);
  return total.count();
}

}  // namespace keyledger
