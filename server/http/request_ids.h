// Request ids (X-Request-Id, the access log, the origin of events): 16 hex
// digits, distinct for every request of the process.
//
// They only correlate a request across logs and events, so they need to be
// unique, not secret: each is a keyed bijection of a counter (the key drawn
// once from the injected RandomSource), which costs a few instructions
// instead of a CSPRNG call per request, and consecutive ids do not look
// consecutive. Thread-safe and lock-free.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "core/random.h"

namespace keyledger::server {

class RequestIds {
 public:
  explicit RequestIds(RandomSource& random);

  std::string next();

 private:
  std::uint64_t key_before_ = 0;
  std::uint64_t key_after_ = 0;
  std::atomic<std::uint64_t> counter_{0};
};

}  // namespace keyledger::server
