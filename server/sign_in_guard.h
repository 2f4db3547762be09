// Counts consecutive failed sign-ins per user. After the limit the caller
// locks the user (a UserLocked event; an admin unlocks). A success resets
// the count. In memory: a restart forgets partial counts, never a lock
// (the lock is an event; this only closes the gap until it commits).
#pragma once

#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>

namespace keyledger::server {

class SignInGuard {
 public:
  explicit SignInGuard(unsigned max_consecutive_failures, std::size_t max_users = 100'000)
      : max_failures_(max_consecutive_failures), max_users_(max_users) {}

  // Records a failure; true when this failure reaches the limit. From then
  // on the user is blocked in memory at once, before the UserLocked event
  // commits, so sign-ins racing with the lock cannot slip through.
  bool record_failure(const std::string& user_id);
  void record_success(const std::string& user_id);
  bool is_blocked(const std::string& user_id);
  // An administrator unlocked the user.
  void unblock(const std::string& user_id);

 private:
  unsigned max_failures_;
  std::size_t max_users_;
  std::mutex mutex_;
  std::unordered_map<std::string, unsigned> failures_;
  std::unordered_set<std::string> blocked_;
};

}  // namespace keyledger::server
