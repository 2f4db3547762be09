// Signing in and out, the current session, and choosing a new password:
// POST /v1/login, POST /v1/logout, GET /v1/session, POST /v1/password.
// Wrong passwords count towards a lock of the name (SignInGuard) whether or
// not a user holds it, and cost the same scrypt work either way, so that
// neither the answer nor its time says which users exist.
#pragma once

#include <functional>
#include <string>

#include "core/clock.h"
#include "server/api/account_services.h"
#include "server/api/answer.h"
#include "server/api/authenticator.h"
#include "server/api/commit_answers.h"
#include "server/api/ledger_ports.h"
#include "server/api/password_work.h"
#include "server/api/session_store.h"
#include "server/api/sign_in_guard.h"
#include "server/verify/rate_limiter.h"

namespace keyledger::server {

struct SessionOptions {
  // Checked when a sign-in names no user, so that answering takes as long
  // as for a real user and does not reveal which users exist.
  std::string dummy_password_hash;
  // Failed sign-ins per client IP, on top of the per-name lock.
  unsigned max_failed_sign_ins_per_ip_per_minute = 30;
  // Called once a user has chosen their own password (after the commit):
  // the first admin's one-time password file goes (first_admin.h).
  std::function<void(const std::string& user_id)> on_password_chosen;
};

// Thread-safe; what it is given outlives it.
class SessionHandlers {
 public:
  SessionHandlers(SessionOptions options, const AccountServices& accounts);

  void login(const ExchangePtr& exchange, const Reply& reply);
  void logout(const ExchangePtr& exchange, const Reply& reply);
  void session(const ExchangePtr& exchange, const Reply& reply);
  void change_password(const ExchangePtr& exchange, const Reply& reply);

 private:
  // The part of a sign-in that runs on the blocking pool, after the hash.
  void finish_login(const ExchangePtr& exchange, const Reply& reply, const std::string& user_id,
                    const std::string& stored_hash, bool password_ok);
  // The part of a password change that runs on the blocking pool.
  void finish_password_change(const ExchangePtr& exchange, const Reply& reply, const Caller& caller,
                              const UserRecord& user, const std::string& current,
                              const std::string& next);
  // Counts a wrong password for the name `user_id` (`user` is its user, or
  // null when nobody holds it); answers `wrong` or, at the limit, locks
  // the name and answers 423.
  void record_failed_password(const ExchangePtr& exchange, const std::string& user_id,
                              const UserRecord* user, const Reply& reply, ApiError wrong);
  // Whether `name` may not sign in now: locked in the ledger (`user`) or in
  // the sign-in guard's memory.
  bool sign_in_locked(const std::string& name, const UserRecord* user);

  const SessionOptions options_;
  const AccountServices accounts_;
  FailureRateLimiter failures_per_client_;
};

}  // namespace keyledger::server
