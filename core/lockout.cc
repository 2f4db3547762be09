#include "core/lockout.h"

#include <algorithm>

namespace keyledger {

TimeNs next_lockout_duration(const LockHistory& previous, TimeNs now, const LockoutPolicy& policy) {
  const TimeNs base = std::max<TimeNs>(policy.base_ns, 1);
  const TimeNs cap = std::max(policy.max_ns, base);
  const bool repeat = previous.duration_ns > 0 && now - previous.until_ns < cap;
  if (!repeat) return base;
  // Doubling a duration already at or over half the cap would pass it.
  if (previous.duration_ns >= cap / 2) return cap;
  return std::min(std::max(previous.duration_ns * 2, base), cap);
}

}  // namespace keyledger
