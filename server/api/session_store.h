// Signed-in web sessions, held in memory only (a restart signs everyone
// out). A session id and its CSRF token are 256-bit random values; the
// session id travels only in an HttpOnly cookie.
#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/clock.h"
#include "core/random.h"

namespace keyledger::server {

struct WebSession {
  std::string user_id;
  std::string csrf_token;
  TimeNs expires_at_ns = 0;
};

// When a limit is reached, the session dropped is the least recently used
// one (the closest to expiring): of the user signing in when that user has
// too many, else of all. So one person signing in over and over ends only
// their own older sessions, never somebody else's.
struct SessionLimits {
  std::chrono::seconds idle_lifetime{std::chrono::hours(8)};
  std::size_t max_sessions = 100'000;
  std::size_t max_sessions_per_user = 32;
};

// Thread-safe.
class SessionStore {
 public:
  SessionStore(const Clock& clock, RandomSource& random, SessionLimits limits = {})
      : clock_(clock), random_(random), limits_(limits) {}

  // Creates a session; returns its id.
  std::string create(const std::string& user_id, std::string& csrf_token);
  // The live session with this id, extending its lifetime.
  std::optional<WebSession> find(const std::string& session_id);
  void erase(const std::string& session_id);
  // Signs a user out everywhere (disabled, password changed).
  void erase_user(const std::string& user_id, const std::string& except_session_id = {});

 private:
  using Sessions = std::unordered_map<std::string, WebSession>;

  std::string random_token();
  void drop_expired_locked(TimeNs now);
  void remove_locked(Sessions::iterator session);
  // Of `ids` (all live), the one that expires first.
  Sessions::iterator least_recently_used_locked(const std::vector<std::string>& ids);

  const Clock& clock_;
  RandomSource& random_;
  SessionLimits limits_;
  std::mutex mutex_;
  Sessions sessions_;
  // Each user's session ids, for the per-user limit and for signing a
  // user out without scanning every session.
  std::unordered_map<std::string, std::vector<std::string>> ids_by_user_;
};

}  // namespace keyledger::server
