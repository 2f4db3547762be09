#include "server/api/sign_in_guard.h"

namespace keyledger::server {

SignInGuard::SignInGuard(const Clock& clock, SignInPolicy policy, std::size_t max_names)
    : clock_(clock), policy_(policy), max_names_(max_names) {}

TimeNs SignInGuard::locked_until(const std::string& name) {
  const TimeNs now = clock_.now_ns();
  std::lock_guard lock(mutex_);
  auto it = entries_.find(name);
  if (it == entries_.end() || it->second.locked_until_ns <= now) return 0;
  return it->second.locked_until_ns;
}

std::optional<TimeNs> SignInGuard::record_failure(const std::string& name,
                                                  std::optional<LockHistory> user_history) {
  const TimeNs now = clock_.now_ns();
  std::lock_guard lock(mutex_);
  if (!entries_.contains(name)) make_room(now);
  Entry& entry = entries_[name];
  std::erase_if(entry.failures,
                [&](TimeNs failed) { return now - failed >= policy_.failure_window_ns; });
  entry.failures.push_back(now);
  if (entry.failures.size() < policy_.max_consecutive_failures) return std::nullopt;
  entry.failures.clear();
  const LockHistory previous = user_history.value_or(entry.history);
  const TimeNs duration = next_lockout_duration(previous, now, policy_.lockout);
  entry.locked_until_ns = now + duration;
  entry.history = LockHistory{duration, entry.locked_until_ns};
  return duration;
}

void SignInGuard::record_success(const std::string& name) {
  std::lock_guard lock(mutex_);
  if (auto it = entries_.find(name); it != entries_.end()) it->second.failures.clear();
}

void SignInGuard::unblock(const std::string& name) {
  std::lock_guard lock(mutex_);
  entries_.erase(name);
}

void SignInGuard::make_room(TimeNs now) {
  if (entries_.size() < max_names_) return;
  // First the names with nothing left to remember: not locked, and a last
  // lock too long ago to double.
  const TimeNs cap = policy_.lockout.max_ns;
  std::erase_if(entries_, [&](const auto& item) {
    const Entry& entry = item.second;
    return entry.locked_until_ns <= now && now - entry.history.until_ns >= cap;
  });
  if (entries_.size() < max_names_) return;
  std::erase_if(entries_, [now](const auto& item) { return item.second.locked_until_ns <= now; });
  // Every name is locked: forget them all rather than refuse to count. The
  // users among them stay locked by their UserLocked events.
  if (entries_.size() >= max_names_) entries_.clear();
}

}  // namespace keyledger::server
