#include "core/random.h"

#include <openssl/rand.h>

#include <cstdio>
#include <cstdlib>

namespace keyledger {

void SecureRandom::fill(std::span<std::uint8_t> out) {
  if (out.empty()) return;
  if (RAND_bytes(out.data(), static_cast<int>(out.size())) != 1) {
    std::fputs("keyledger: the system CSPRNG failed; refusing to continue\n", stderr);
    std::abort();
  }
}

void SeededRandom::fill(std::span<std::uint8_t> out) {
  for (auto& byte : out) byte = static_cast<std::uint8_t>(engine_() >> 56);
}

}  // namespace keyledger
