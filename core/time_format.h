// Times as people and tools read them: RFC 3339 in UTC with milliseconds.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"

namespace keyledger {

// "2026-11-23T16:20:14.123Z".
std::string format_rfc3339(TimeNs time_ns);
// The same, or "" for 0 (never).
inline std::string format_rfc3339_or_empty(TimeNs time_ns) {
  return time_ns ? format_rfc3339(time_ns) : std::string();
}

// Accepts RFC 3339 ("2026-11-23T16:20:14Z", with fractions or an offset
// such as +01:00) or a plain date ("2026-11-23", midnight UTC).
std::optional<TimeNs> parse_rfc3339_or_date(std::string_view text);

}  // namespace keyledger
