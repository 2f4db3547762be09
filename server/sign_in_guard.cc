#include "server/sign_in_guard.h"

namespace keyledger::server {

bool SignInGuard::record_failure(const std::string& user_id) {
  std::lock_guard lock(mutex_);
  if (failures_.size() >= max_users_ && !failures_.count(user_id)) failures_.clear();
  unsigned& count = failures_[user_id];
  ++count;
  if (count < max_failures_) return false;
  failures_.erase(user_id);
  blocked_.insert(user_id);
  return true;
}

bool SignInGuard::is_blocked(const std::string& user_id) {
  std::lock_guard lock(mutex_);
  return blocked_.count(user_id) > 0;
}

void SignInGuard::unblock(const std::string& user_id) {
  std::lock_guard lock(mutex_);
  blocked_.erase(user_id);
  failures_.erase(user_id);
}

void SignInGuard::record_success(const std::string& user_id) {
  std::lock_guard lock(mutex_);
  failures_.erase(user_id);
}

}  // namespace keyledger::server
