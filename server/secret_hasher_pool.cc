#include "server/secret_hasher_pool.h"

#include <algorithm>
#include <functional>
#include <thread>

namespace keyledger::server {

SecretHasherPool::SecretHasherPool(const SecretHasher& prototype) {
  const unsigned count = std::max(4u, 2 * std::thread::hardware_concurrency());
  for (unsigned i = 0; i < count; ++i) slots_.push_back(std::make_unique<Slot>(prototype.clone()));
}

Hash256 SecretHasherPool::hash(std::string_view key_id, std::string_view secret) {
  // Each thread starts at its own slot and moves on past busy ones; after a
  // full round it waits for the slot it is at.
  const std::size_t start = std::hash<std::thread::id>{}(std::this_thread::get_id());
  for (std::size_t attempt = 0;; ++attempt) {
    Slot& slot = *slots_[(start + attempt) % slots_.size()];
    std::unique_lock lock(slot.mutex, std::try_to_lock);
    if (!lock.owns_lock() && attempt < slots_.size()) continue;
    if (!lock.owns_lock()) lock.lock();
    return slot.hasher.hash(key_id, secret);
  }
}

}  // namespace keyledger::server
