// Password work (scrypt, tens of milliseconds a hash) for the handlers that
// need it: it runs on the blocking pool, never on an I/O thread, and no
// more than a bounded amount of it waits at once, so a flood of sign-ins
// cannot queue up minutes of hashing in front of real ones.
#pragma once

#include <functional>
#include <string>

#include "core/password_hasher.h"
#include "server/api/answer.h"
#include "server/api/bounded_work.h"
#include "server/api/observers.h"

namespace keyledger::server {

// Thread-safe; what it is given outlives it.
class PasswordWork {
 public:
  static constexpr int kMaxQueuedJobs = 32;

  PasswordWork(BlockingWork& pool, const PasswordHasher& hasher, PasswordCheckCounter& checks)
      : work_(pool, kMaxQueuedJobs), hasher_(hasher), checks_(checks) {}

  // Runs `job` on the pool, unless kMaxQueuedJobs are queued or running
  // already: then replies 503 server_busy (Retry-After: 1) and returns false.
  bool post(const Reply& reply, std::function<void()> job) {
    return work_.post(reply, std::move(job));
  }
  // scrypt's check of a presented password, counted
  // (keyledger_password_checks_total) so tests can see that a name nobody
  // holds costs the same work as a user's.
  bool check(const std::string& password, const std::string& stored);
  StatusOr<std::string> hash(const std::string& password) const { return hasher_.hash(password); }

 private:
  BoundedWork work_;
  const PasswordHasher& hasher_;
  PasswordCheckCounter& checks_;
};

}  // namespace keyledger::server
