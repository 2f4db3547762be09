// Keyed hashes of API key secrets for many threads at once. A SecretHasher
// keeps one OpenSSL context and is not thread-safe, and cloning one for each
// use costs about as much as the hash itself (an allocation and a copy of
// three digest states: perf showed it on every key creation). The pool
// keeps a few copies and a caller takes any free one, so threads rarely
// contend and never share a context. Used by verification (every request
// with a key) and by key creation.
#pragma once

#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

#include "core/hash.h"
#include "core/secret_hasher.h"

namespace keyledger::server {

class SecretHasherPool {
 public:
  // Copies of `prototype`: twice the hardware threads, at least four.
  explicit SecretHasherPool(const SecretHasher& prototype);

  // SecretHasher::hash, from any thread.
  Hash256 hash(std::string_view key_id, std::string_view secret);

 private:
  struct Slot {
    std::mutex mutex;
    SecretHasher hasher;
    explicit Slot(SecretHasher h) : hasher(std::move(h)) {}
  };
  std::vector<std::unique_ptr<Slot>> slots_;
};

}  // namespace keyledger::server
