#include "server/api/session_handlers.h"

#include "core/lockout.h"
#include "core/text.h"
#include "server/api/request_bodies.h"
#include "server/http/json_body.h"

namespace keyledger::server {
namespace {

std::string session_cookie(const std::string& value, bool secure, bool expire) {
  std::string cookie =
      std::string(kSessionCookie) + "=" + value + "; Path=/; HttpOnly; SameSite=Strict";
  if (secure) cookie += "; Secure";
  if (expire) cookie += "; Max-Age=0";
  return cookie;
}

// Two required string fields of a body, or the error replied.
std::optional<std::pair<std::string, std::string>> two_strings(const ExchangePtr& exchange,
                                                               const Reply& reply,
                                                               const std::string& first,
                                                               const std::string& second) {
  auto json = read_json_body(*exchange, reply, {first, second});
  if (!json) return std::nullopt;
  auto a = required_string(*json, first);
  auto b = required_string(*json, second);
  for (const Status* status : {&a.status(), &b.status()}) {
    if (status->is_ok()) continue;
    reply(*status);
    return std::nullopt;
  }
  return std::pair{std::move(a).value(), std::move(b).value()};
}

}  // namespace

SessionHandlers::SessionHandlers(SessionOptions options, const AccountServices& accounts)
    : options_(std::move(options)),
      accounts_(accounts),
      failures_per_client_(accounts.clock, options_.max_failed_sign_ins_per_ip_per_minute) {}

bool SessionHandlers::sign_in_locked(const std::string& name, const UserRecord* user) {
  if (accounts_.sign_ins.locked_until(name) != 0) return true;
  return user && user->is_locked_at(accounts_.clock.now_ns());
}

// A lock answers the same for every name and every kind of lock
// (ApiError::kUserLocked, without when it ends): when it ends would tell a
// lock an administrator set from one that ends by itself, and so a user's
// name from one nobody holds.
void SessionHandlers::login(const ExchangePtr& exchange, const Reply& reply) {
  auto fields = two_strings(exchange, reply, "user", "password");
  if (!fields) return;
  auto& [user_id, password] = *fields;
  auto user = accounts_.users.user(user_id);
  const std::string stored = user ? user->password_hash : options_.dummy_password_hash;
  if (sign_in_locked(user_id, user ? &*user : nullptr)) return reply(ApiError::kUserLocked);
  if (const auto wait = failures_per_client_.retry_after_seconds(exchange->client_ip); wait > 0)
    return reply(Answer(ApiError::kSignInRateLimited)
                     .with_header(http::field::retry_after, std::to_string(wait)));
  // A name no user could have (core's user id rules, public knowledge) is
  // refused at once: neither counted towards a lock nor worth a hash.
  if (!validate_user_id(user_id).is_ok()) {
    failures_per_client_.record_failure(exchange->client_ip);
    return reply(ApiError::kInvalidCredentials);
  }
  // scrypt takes tens of milliseconds: never on an I/O thread.
  accounts_.passwords.post(
      reply, [this, exchange, reply, stored, user_id = user_id, password = password] {
        finish_login(exchange, reply, user_id, stored, accounts_.passwords.check(password, stored));
      });
}

void SessionHandlers::finish_login(const ExchangePtr& exchange, const Reply& reply,
                                   const std::string& user_id, const std::string& stored_hash,
                                   bool password_ok) {
  // Re-read after the slow check: the user may have been locked, disabled
  // or given a new password meanwhile, and the old copy must not count.
  auto user = accounts_.users.user(user_id);
  const UserRecord* record = user ? &*user : nullptr;
  if (sign_in_locked(user_id, record)) return reply(ApiError::kUserLocked);
  if (!user || !password_ok || user->disabled || user->password_hash != stored_hash) {
    failures_per_client_.record_failure(exchange->client_ip);
    // A wrong password counts towards a lock whether or not a user has
    // the name, so the lock says nothing about who exists.
    if (!password_ok)
      return record_failed_password(exchange, user_id, record, reply,
                                    ApiError::kInvalidCredentials);
    return reply(ApiError::kInvalidCredentials);
  }
  accounts_.sign_ins.record_success(user_id);
  std::string csrf_token;
  const std::string session_id = accounts_.sessions.create(user_id, csrf_token);
  exchange->user = user_id;
  reply(Answer::ok({{"user", user_id},
                    {"privilege", privilege_name(user->privilege)},
                    {"csrf_token", csrf_token},
                    {"password_change_required", user->must_change_password}})
            .with_header(http::field::set_cookie,
                         session_cookie(session_id, exchange->secure, false)));
}

void SessionHandlers::record_failed_password(const ExchangePtr& exchange,
                                             const std::string& user_id, const UserRecord* user,
                                             const Reply& reply, ApiError wrong) {
  std::optional<LockHistory> history;
  if (user) history = LockHistory{user->lockout_ns, user->locked_until_ns};
  const std::optional<TimeNs> lockout = accounts_.sign_ins.record_failure(user_id, history);
  if (!lockout) return reply(wrong);
  // The limit is reached, and the guard holds the lock from now on: the
  // answer does not wait for the ledger, so a user's name is answered as
  // soon as one nobody holds. A user's lock is also recorded in the ledger
  // (for the audit, and for a restart); should that fail, the guard's lock
  // still holds for its whole length.
  if (user)
    accounts_.commands.submit(
        LockUser{user_id, kTooManyFailedSignIns, *lockout},
        origin_of(*exchange, std::string(kSystemActor)),
        accounts_.answers.log_failure("recording a sign-in lock failed", {{"user", user_id}}));
  reply(ApiError::kUserLocked);
}

void SessionHandlers::logout(const ExchangePtr& exchange, const Reply& reply) {
  auto caller = accounts_.auth.require(*exchange, reply);
  if (!caller) return;
  if (caller->via_session)
    accounts_.sessions.erase(cookie_value(exchange->request, kSessionCookie));
  reply(Answer::no_content().with_header(http::field::set_cookie,
                                         session_cookie("", exchange->secure, true)));
}

void SessionHandlers::session(const ExchangePtr& exchange, const Reply& reply) {
  auto caller = accounts_.auth.require(*exchange, reply);
  if (!caller) return;
  Json out = {{"user", caller->user_id},
              {"privilege", privilege_name(caller->privilege)},
              {"password_change_required", caller->must_change_password}};
  if (caller->via_session) {
    auto session = accounts_.sessions.find(cookie_value(exchange->request, kSessionCookie));
    if (session) out["csrf_token"] = session->csrf_token;
  }
  reply(Answer::ok(std::move(out)));
}

void SessionHandlers::change_password(const ExchangePtr& exchange, const Reply& reply) {
  auto caller = accounts_.auth.require(*exchange, reply);
  if (!caller) return;
  auto fields = two_strings(exchange, reply, "current_password", "new_password");
  if (!fields) return;
  auto& [current, next] = *fields;
  auto user = accounts_.users.user(caller->user_id);
  if (!user) return reply(ApiError::kInvalidCredentials);
  if (Status valid = validate_password_change(current, next, user->must_change_password);
      !valid.is_ok())
    return reply(valid);
  // Guessing the current password counts like failed sign-ins, so a leaked
  // API key cannot be used to brute-force the password.
  if (sign_in_locked(caller->user_id, &*user)) return reply(ApiError::kUserLocked);
  accounts_.passwords.post(reply, [this, exchange, reply, caller = *caller, user = *user,
                                   current = current, next = next] {
    finish_password_change(exchange, reply, caller, user, current, next);
  });
}

void SessionHandlers::finish_password_change(const ExchangePtr& exchange, const Reply& reply,
                                             const Caller& caller, const UserRecord& user,
                                             const std::string& current, const std::string& next) {
  if (!accounts_.passwords.check(current, user.password_hash))
    return record_failed_password(exchange, caller.user_id, &user, reply, ApiError::kWrongPassword);
  auto hash = accounts_.passwords.hash(next);
  if (!hash.is_ok()) return reply(hash.status());
  // Signed out everywhere but here.
  const std::string keep =
      caller.via_session ? cookie_value(exchange->request, kSessionCookie) : "";
  auto answer = [this, user_id = caller.user_id, keep](const CommittedEvent&) {
    accounts_.sessions.erase_user(user_id, keep);
    if (options_.on_password_chosen) options_.on_password_chosen(user_id);
    return Answer::no_content();
  };
  accounts_.commands.submit(
      ChangePassword{caller.user_id, *hash, false, caller.user_id},
      origin_of(*exchange, caller.user_id),
      accounts_.answers.reply_on_connection_thread(exchange, reply, std::move(answer)));
}

}  // namespace keyledger::server
