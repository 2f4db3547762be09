// Counts failed sign-ins per name and locks a name that fails too often in
// a row, for a while (core/lockout.h): the product's rule is a lock after
// 10 failed sign-ins in a row, and a lock that ends by itself keeps an
// attacker from locking anyone out for good.
//
// Every name is counted alike, whether a user holds it or not, so a lock
// reveals nothing about which users exist. For a user, the caller also
// records the lock as a UserLocked event (the ledger's copy, which
// survives a restart and shows in the audit); the guard's own copy closes
// the gap until that commits, and is the only copy for other names.
//
// Thread-safe. Callers count only names that could be a user's
// (validate_user_id), so an entry is small. Memory is bounded by
// `max_names`: past it, names with nothing to remember are forgotten first,
// then the counts of names that are not locked; a guesser spraying names
// can only reset counts, never lock anyone sooner. A restart forgets what
// the guard holds: the locks and lock history of names no user holds (a
// user's are in the ledger).
#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/clock.h"
#include "core/lockout.h"

namespace keyledger::server {

struct SignInPolicy {
  unsigned max_consecutive_failures = 10;
  // Failures older than this no longer count towards the limit.
  TimeNs failure_window_ns = 15LL * 60 * 1'000'000'000;
  LockoutPolicy lockout;
};

class SignInGuard {
 public:
  SignInGuard(const Clock& clock, SignInPolicy policy, std::size_t max_names = 100'000);

  // When the guard's own lock of `name` ends; 0 when it holds none now.
  TimeNs locked_until(const std::string& name);
  // Counts a failed sign-in of `name`. When it is the last the limit allows,
  // locks the name from now and returns the lock's length: doubled from
  // `user_history` (the user's last lock, from the ledger) when the name is
  // a user's, else from what the guard remembers of the name.
  std::optional<TimeNs> record_failure(const std::string& name,
                                       std::optional<LockHistory> user_history);
  // A successful sign-in: its failures stop counting.
  void record_success(const std::string& name);
  // An administrator unlocked the user: no lock, no failures, no history.
  void unblock(const std::string& name);

  const SignInPolicy& policy() const { return policy_; }

 private:
  struct Entry {
    std::vector<TimeNs> failures;  // times of the failures still counting, oldest first
    TimeNs locked_until_ns = 0;
    LockHistory history;  // this name's last lock, for names no user holds
  };
  // Makes room for one more name; mutex_ held.
  void make_room(TimeNs now);

  const Clock& clock_;
  SignInPolicy policy_;
  std::size_t max_names_;
  std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace keyledger::server
