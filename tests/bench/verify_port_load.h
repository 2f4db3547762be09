// The verify port's load generator: one Asio thread speaking the client
// library's wire format (server/client/verify_wire.h), keeping `depth`
// requests in flight per connection (write `depth`, read `depth` answers,
// repeat) and decoding every answer, which must say the key is valid.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tests/bench/bench_common.h"

namespace keyledger::bench {

struct LoadResult {
  double per_second = 0;       // over `seconds`, after a short ramp that is not counted
  std::uint64_t answered = 0;  // all answers, the ramp's too
};

// Verifications per second on 127.0.0.1:`port` over `connections`
// connections, token i % tokens.size() on connection i, for `seconds`
// after a 200 ms ramp. Throws if any answer fails.
LoadResult verify_port_load(unsigned short port, const std::vector<std::string>& tokens,
                            int connections, int depth, double seconds);

}  // namespace keyledger::bench
