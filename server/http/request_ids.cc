#include "server/http/request_ids.h"

#include <array>
#include <span>

namespace keyledger::server {
namespace {

// SplitMix64's finaliser: a bijection on 64 bits (each step is invertible),
// so distinct counters give distinct ids.
std::uint64_t mix(std::uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

}  // namespace

RequestIds::RequestIds(RandomSource& random) {
  std::array<std::uint8_t, 16> key{};
  random.fill(key);
  for (std::size_t i = 0; i < 8; ++i) {
    key_before_ = key_before_ << 8 | key[i];
    key_after_ = key_after_ << 8 | key[8 + i];
  }
}

std::string RequestIds::next() {
  const std::uint64_t id =
      mix(counter_.fetch_add(1, std::memory_order_relaxed) ^ key_before_) ^ key_after_;
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string text(16, '0');
  for (int i = 15, shift = 0; i >= 0; --i, shift += 4) text[i] = kDigits[(id >> shift) & 0xf];
  return text;
}

}  // namespace keyledger::server
