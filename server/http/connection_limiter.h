// Caps on open connections, over all ports of one keyledgerd and per client
// IP address, so that a flood of connections (or one client holding many
// idle ones) runs out of its own slots before the process runs out of file
// descriptors and memory that everyone else needs.
//
// A connection holds a ConnectionSlot for as long as it is open; the slot
// gives its place back when destroyed. Thread-safe; the limiter must outlive
// every slot it handed out.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "server/http/trusted_peers.h"

namespace keyledger::server {

struct ConnectionLimits {
  std::size_t max_total = 10'000;    // all connections, every port
  std::size_t max_per_client = 512;  // connections from one IP address
  // Addresses only the total cap applies to: trusted proxies, which carry
  // many clients' connections from one address.
  TrustedPeers exempt_from_per_client;
};

class ConnectionLimiter;

// One open connection's place. Move-only; an empty slot (refused, or moved
// from) holds nothing.
class ConnectionSlot {
 public:
  ConnectionSlot() = default;
  ConnectionSlot(ConnectionSlot&& other) noexcept;
  ConnectionSlot& operator=(ConnectionSlot&& other) noexcept;
  ConnectionSlot(const ConnectionSlot&) = delete;
  ConnectionSlot& operator=(const ConnectionSlot&) = delete;
  ~ConnectionSlot();

  explicit operator bool() const { return limiter_ != nullptr; }
  // Gives the place back now instead of at destruction.
  void release();

 private:
  friend class ConnectionLimiter;
  ConnectionSlot(ConnectionLimiter* limiter, std::string client)
      : limiter_(limiter), client_(std::move(client)) {}

  ConnectionLimiter* limiter_ = nullptr;
  std::string client_;
};

class ConnectionLimiter {
 public:
  explicit ConnectionLimiter(ConnectionLimits limits) : limits_(std::move(limits)) {}
  ConnectionLimiter(const ConnectionLimiter&) = delete;
  ConnectionLimiter& operator=(const ConnectionLimiter&) = delete;

  enum class Refusal { kNone, kTotal, kPerClient };

  // A slot for a new connection from `client` (an IP address), or an empty
  // slot when either cap is reached; `refusal` then says which. A refusal
  // is counted.
  ConnectionSlot try_acquire(const std::string& client, Refusal* refusal = nullptr);

  std::size_t open() const;
  std::size_t open_from(const std::string& client) const;
  std::uint64_t refused() const { return refused_.load(std::memory_order_relaxed); }
  const ConnectionLimits& limits() const { return limits_; }

 private:
  friend class ConnectionSlot;
  void release(const std::string& client);

  const ConnectionLimits limits_;
  mutable std::mutex mutex_;
  std::size_t open_ = 0;
  // Only clients with at least one open connection, so the map is bounded
  // by max_total.
  std::unordered_map<std::string, std::size_t> open_by_client_;
  std::atomic<std::uint64_t> refused_{0};
};

}  // namespace keyledger::server
