// Randomness is injected: secrets, key ids and salts come from a
// RandomSource. Production uses the operating system's CSPRNG through
// OpenSSL; tests may use a seeded, reproducible source.
#pragma once

#include <cstdint>
#include <memory>
#include <random>
#include <span>

namespace keyledger {

class RandomSource {
 public:
  virtual ~RandomSource() = default;
  // Fills `out` with random bytes. Thread-safety is up to the implementation.
  virtual void fill(std::span<std::uint8_t> out) = 0;
};

// Cryptographically secure (OpenSSL RAND_bytes). Thread-safe. Aborts if the
// CSPRNG cannot be seeded: issuing a predictable secret is never acceptable.
class SecureRandom final : public RandomSource {
 public:
  void fill(std::span<std::uint8_t> out) override;
};

// Reproducible bytes for tests; never for secrets. Not thread-safe.
class SeededRandom final : public RandomSource {
 public:
  explicit SeededRandom(std::uint64_t seed) : engine_(seed) {}
  void fill(std::span<std::uint8_t> out) override;

 private:
  std::mt19937_64 engine_;
};

}  // namespace keyledger
