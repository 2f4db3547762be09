#include "server/session_store.h"

#include <array>

#include "core/hash.h"

namespace keyledger::server {

std::string SessionStore::random_token() {
  std::array<std::uint8_t, 32> bytes;
  random_.fill(bytes);
  return to_hex(bytes);
}

std::string SessionStore::create(const std::string& user_id, std::string& csrf_token) {
  std::string id = random_token();
  csrf_token = random_token();
  const TimeNs now = clock_.now_ns();
  std::lock_guard lock(mutex_);
  if (sessions_.size() >= limits_.max_sessions) drop_expired_locked(now);
  if (sessions_.size() >= limits_.max_sessions) sessions_.erase(sessions_.begin());
  sessions_[id] = WebSession{user_id, csrf_token,
                             now + std::chrono::nanoseconds(limits_.idle_lifetime).count()};
  return id;
}

std::optional<WebSession> SessionStore::find(const std::string& session_id) {
  const TimeNs now = clock_.now_ns();
  std::lock_guard lock(mutex_);
  auto it = sessions_.find(session_id);
  if (it == sessions_.end()) return std::nullopt;
  if (it->second.expires_at_ns <= now) {
    sessions_.erase(it);
    return std::nullopt;
  }
  it->second.expires_at_ns = now + std::chrono::nanoseconds(limits_.idle_lifetime).count();
  return it->second;
}

void SessionStore::erase(const std::string& session_id) {
  std::lock_guard lock(mutex_);
  sessions_.erase(session_id);
}

void SessionStore::erase_user(const std::string& user_id, const std::string& except_session_id) {
  std::lock_guard lock(mutex_);
  std::erase_if(sessions_, [&](const auto& entry) {
    return entry.second.user_id == user_id && entry.first != except_session_id;
  });
}

void SessionStore::drop_expired_locked(TimeNs now) {
  std::erase_if(sessions_, [&](const auto& entry) { return entry.second.expires_at_ns <= now; });
}

}  // namespace keyledger::server
