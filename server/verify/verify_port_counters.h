// The verify port's own figures, rendered on /metrics by whoever owns them.
#pragma once

#include <atomic>
#include <cstdint>

#include "server/http/histogram.h"

namespace keyledger::server {

// What the verify port counts, owned by Metrics and updated by every
// verify-port session; all lock-free.
struct VerifyPortCounters {
  std::atomic<std::uint64_t> connections{0};
  // Connections closed for a bad or incomplete frame, or for not reading.
  std::atomic<std::uint64_t> bad_frames{0};
  // Per request, the server's own time on it: from taking up its frame to
  // its answer being built (neither the network nor socket buffers).
  Histogram request_duration{kVerifyLatencyBoundsNs, kNanosecondsPerSecond};
};

}  // namespace keyledger::server
