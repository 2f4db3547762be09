// Values the event codec tests build their events from.
#pragma once

#include <cstdint>
#include <string>

#include "core/hash.h"

namespace keyledger::testing {

// A well-formed encoded scrypt hash (the codec does not check it further).
inline const std::string kSamplePasswordHash =
    "scrypt$ln=15$r=8$p=1$00112233445566778899aabbccddeeff$"
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

// 32 bytes start, start + step, start + 2 step, …: recognisable in a dump.
inline Hash256 pattern_hash(std::uint8_t start, std::uint8_t step = 7) {
  Hash256 out;
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<std::uint8_t>(start + step * i);
  return out;
}

}  // namespace keyledger::testing
