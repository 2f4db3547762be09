#include "server/http/connection_limiter.h"

#include <utility>

namespace keyledger::server {

ConnectionSlot::ConnectionSlot(ConnectionSlot&& other) noexcept
    : limiter_(std::exchange(other.limiter_, nullptr)), client_(std::move(other.client_)) {}

ConnectionSlot& ConnectionSlot::operator=(ConnectionSlot&& other) noexcept {
  if (this != &other) {
    release();
    limiter_ = std::exchange(other.limiter_, nullptr);
    client_ = std::move(other.client_);
  }
  return *this;
}

ConnectionSlot::~ConnectionSlot() { release(); }

void ConnectionSlot::release() {
  if (limiter_) std::exchange(limiter_, nullptr)->release(client_);
}

ConnectionSlot ConnectionLimiter::try_acquire(const std::string& client, Refusal* refusal) {
  Refusal outcome = Refusal::kNone;
  {
    std::lock_guard lock(mutex_);
    auto it = open_by_client_.find(client);
    const std::size_t from_client = it == open_by_client_.end() ? 0 : it->second;
    if (open_ >= limits_.max_total) {
      outcome = Refusal::kTotal;
    } else if (from_client >= limits_.max_per_client &&
               !limits_.exempt_from_per_client.contains(client)) {
      outcome = Refusal::kPerClient;
    } else {
      ++open_;
      if (it == open_by_client_.end())
        open_by_client_.emplace(client, 1);
      else
        ++it->second;
    }
  }
  if (refusal) *refusal = outcome;
  if (outcome != Refusal::kNone) {
    refused_.fetch_add(1, std::memory_order_relaxed);
    return {};
  }
  return ConnectionSlot(this, client);
}

std::size_t ConnectionLimiter::open() const {
  std::lock_guard lock(mutex_);
  return open_;
}

std::size_t ConnectionLimiter::open_from(const std::string& client) const {
  std::lock_guard lock(mutex_);
  auto it = open_by_client_.find(client);
  return it == open_by_client_.end() ? 0 : it->second;
}

void ConnectionLimiter::release(const std::string& client) {
  std::lock_guard lock(mutex_);
  --open_;
  auto it = open_by_client_.find(client);
  if (--it->second == 0) open_by_client_.erase(it);
}

}  // namespace keyledger::server
