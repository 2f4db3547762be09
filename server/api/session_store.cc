#include "server/api/session_store.h"

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
  if (auto mine = ids_by_user_.find(user_id);
      mine != ids_by_user_.end() && mine->second.size() >= limits_.max_sessions_per_user) {
    if (auto oldest = least_recently_used_locked(mine->second); oldest != sessions_.end())
      remove_locked(oldest);
  }
  if (sessions_.size() >= limits_.max_sessions) drop_expired_locked(now);
  if (sessions_.size() >= limits_.max_sessions) {
    auto oldest = sessions_.begin();
    for (auto it = sessions_.begin(); it != sessions_.end(); ++it)
      if (it->second.expires_at_ns < oldest->second.expires_at_ns) oldest = it;
    remove_locked(oldest);
  }
  sessions_[id] = WebSession{user_id, csrf_token,
                             now + std::chrono::nanoseconds(limits_.idle_lifetime).count()};
  ids_by_user_[user_id].push_back(id);
  return id;
}

std::optional<WebSession> SessionStore::find(const std::string& session_id) {
  const TimeNs now = clock_.now_ns();
  std::lock_guard lock(mutex_);
  auto it = sessions_.find(session_id);
  if (it == sessions_.end()) return std::nullopt;
  if (it->second.expires_at_ns <= now) {
    remove_locked(it);
    return std::nullopt;
  }
  it->second.expires_at_ns = now + std::chrono::nanoseconds(limits_.idle_lifetime).count();
  return it->second;
}

void SessionStore::erase(const std::string& session_id) {
  std::lock_guard lock(mutex_);
  if (auto it = sessions_.find(session_id); it != sessions_.end()) remove_locked(it);
}

void SessionStore::erase_user(const std::string& user_id, const std::string& except_session_id) {
  std::lock_guard lock(mutex_);
  auto mine = ids_by_user_.find(user_id);
  if (mine == ids_by_user_.end()) return;
  std::vector<std::string> kept;
  for (const auto& id : mine->second) {
    if (id == except_session_id)
      kept.push_back(id);
    else
      sessions_.erase(id);
  }
  if (kept.empty())
    ids_by_user_.erase(mine);
  else
    mine->second = std::move(kept);
}

void SessionStore::drop_expired_locked(TimeNs now) {
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    auto next = std::next(it);
    if (it->second.expires_at_ns <= now) remove_locked(it);
    it = next;
  }
}

void SessionStore::remove_locked(Sessions::iterator session) {
  auto mine = ids_by_user_.find(session->second.user_id);
  if (mine != ids_by_user_.end()) {
    std::erase(mine->second, session->first);
    if (mine->second.empty()) ids_by_user_.erase(mine);
  }
  sessions_.erase(session);
}

SessionStore::Sessions::iterator SessionStore::least_recently_used_locked(
    const std::vector<std::string>& ids) {
  auto oldest = sessions_.end();
  for (const auto& id : ids) {
    auto it = sessions_.find(id);
    if (it != sessions_.end() &&
        (oldest == sessions_.end() || it->second.expires_at_ns < oldest->second.expires_at_ns))
      oldest = it;
  }
  return oldest;
}

}  // namespace keyledger::server
