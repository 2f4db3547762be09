// Sign-in, sign-out, the current session, and password changes.
#include <boost/asio/post.hpp>

#include "core/text.h"
#include "server/api/api.h"
#include "server/api/commit_answers.h"
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

}  // namespace

void Api::login(ExchangePtr exchange, Respond respond) {
  auto json = body(*exchange, respond, {"user", "password"});
  if (!json) return;
  auto user_id = required_string(*json, "user");
  auto password = required_string(*json, "password");
  if (!user_id.is_ok()) return respond(status_response(*exchange, user_id.status()));
  if (!password.is_ok()) return respond(status_response(*exchange, password.status()));
  auto user = deps_.projection.user(*user_id);
  const std::string stored = user ? user->password_hash : dummy_password_hash_;
  if (sign_in_locked(*user_id, user ? &*user : nullptr)) return respond(locked_response(*exchange));
  if (const auto wait = sign_in_failures_.retry_after_seconds(exchange->client_ip); wait > 0) {
    HttpResponse response = error_response(*exchange, 429, "rate_limited", "too many failures");
    response.set(http::field::retry_after, std::to_string(wait));
    return respond(std::move(response));
  }
  // A name no user could have (core's user id rules, public knowledge) is
  // refused at once: neither counted towards a lock nor worth a hash.
  if (!validate_user_id(*user_id).is_ok()) {
    sign_in_failures_.record_failure(exchange->client_ip);
    return respond(error_response(*exchange, 401, "invalid_credentials", "invalid credentials"));
  }
  // scrypt takes tens of milliseconds: never on an I/O thread.
  post_password_job(
      exchange, respond,
      [this, exchange, respond, stored, user_id = *user_id, password = *password] {
        const bool password_ok = check_password(password, stored);
        // Re-read after the slow check: the user may have been locked, disabled
        // or given a new password meanwhile, and the old copy must not count.
        auto user = deps_.projection.user(user_id);
        const UserRecord* record = user ? &*user : nullptr;
        if (sign_in_locked(user_id, record)) return respond(locked_response(*exchange));
        const bool accepted =
            user && password_ok && !user->disabled && user->password_hash == stored;
        if (!accepted) {
          sign_in_failures_.record_failure(exchange->client_ip);
          // A wrong password counts towards a lock whether or not a user has
          // the name, so the lock says nothing about who exists.
          if (!password_ok) return record_failed_password(exchange, user_id, record, respond, 401);
          return respond(
              error_response(*exchange, 401, "invalid_credentials", "invalid credentials"));
        }
        deps_.sign_ins.record_success(user_id);
        std::string csrf_token;
        const std::string session_id = deps_.sessions.create(user_id, csrf_token);
        exchange->user = user_id;
        HttpResponse response =
            json_response(*exchange, 200,
                          {{"user", user_id},
                           {"privilege", privilege_name(user->privilege)},
                           {"csrf_token", csrf_token},
                           {"password_change_required", user->must_change_password}});
        response.set(http::field::set_cookie, session_cookie(session_id, exchange->secure, false));
        respond(std::move(response));
      });
}

bool Api::check_password(const std::string& password, const std::string& stored) {
  deps_.metrics.observe_password_check();
  return PasswordHasher::verify(password, stored);
}

bool Api::sign_in_locked(const std::string& name, const UserRecord* user) const {
  if (deps_.sign_ins.locked_until(name) != 0) return true;
  return user && user->is_locked_at(deps_.clock.now_ns());
}

HttpResponse Api::locked_response(Exchange& exchange) const {
  // The same for every name and every kind of lock: when it ends would tell
  // a lock an administrator set from one that ends by itself, and so a
  // user's name from one nobody holds.
  return error_response(exchange, 423, "user_locked", "the user is locked");
}

void Api::record_failed_password(const ExchangePtr& exchange, const std::string& user_id,
                                 const UserRecord* user, const Respond& respond, unsigned status) {
  std::optional<LockHistory> history;
  if (user) history = LockHistory{user->lockout_ns, user->locked_until_ns};
  const std::optional<TimeNs> lockout = deps_.sign_ins.record_failure(user_id, history);
  if (!lockout) {
    if (status == 401)
      return respond(error_response(*exchange, 401, "invalid_credentials", "invalid credentials"));
    return respond(error_response(*exchange, 400, "wrong_password", "wrong password",
                                  {{"field", "current_password"}}));
  }
  // The limit is reached, and the guard holds the lock from now on: the
  // answer does not wait for the ledger, so a user's name is answered as
  // soon as one nobody holds. A user's lock is also recorded in the ledger
  // (for the audit, and for a restart); should that fail, the guard's lock
  // still holds for its whole length.
  if (user)
    deps_.writer.submit(
        LockUser{user_id, kTooManyFailedSignIns, *lockout},
        EventOrigin{std::string(kSystemActor), exchange->client_ip, exchange->request_id},
        [user_id, &log = deps_.daemon_log](StatusOr<writer::CommittedEvent> result) {
          if (!result.is_ok() && !result.status().is(Reason::kUnchanged))
            log.warn("recording a sign-in lock failed",
                     {{"user", user_id}, {"error", result.status().to_string()}});
        });
  respond(locked_response(*exchange));
}

void Api::logout(ExchangePtr exchange, Respond respond) {
  auto caller = require(*exchange, respond);
  if (!caller) return;
  const std::string session_id = cookie_value(exchange->request, kSessionCookie);
  if (caller->via_session) deps_.sessions.erase(session_id);
  HttpResponse response = empty_response(*exchange, 204);
  response.set(http::field::set_cookie, session_cookie("", exchange->secure, true));
  respond(std::move(response));
}

void Api::session(ExchangePtr exchange, Respond respond) {
  auto caller = require(*exchange, respond);
  if (!caller) return;
  Json out = {{"user", caller->user_id},
              {"privilege", privilege_name(caller->privilege)},
              {"password_change_required", caller->must_change_password}};
  if (caller->via_session) {
    auto session = deps_.sessions.find(cookie_value(exchange->request, kSessionCookie));
    if (session) out["csrf_token"] = session->csrf_token;
  }
  respond(json_response(*exchange, 200, out));
}

void Api::change_password(ExchangePtr exchange, Respond respond) {
  auto caller = require(*exchange, respond);
  if (!caller) return;
  auto json = body(*exchange, respond, {"current_password", "new_password"});
  if (!json) return;
  auto current = required_string(*json, "current_password");
  auto next = required_string(*json, "new_password");
  if (!current.is_ok()) return respond(status_response(*exchange, current.status()));
  if (!next.is_ok()) return respond(status_response(*exchange, next.status()));
  auto user = deps_.projection.user(caller->user_id);
  if (!user) return respond(error_response(*exchange, 401, "invalid_credentials", "invalid"));
  if (Status valid = validate_password_change(*current, *next, user->must_change_password);
      !valid.is_ok())
    return respond(status_response(*exchange, valid));
  // Guessing the current password counts like failed sign-ins, so a leaked
  // API key cannot be used to brute-force the password.
  if (sign_in_locked(caller->user_id, &*user)) return respond(locked_response(*exchange));
  post_password_job(
      exchange, respond,
      [this, exchange, respond, caller = *caller, user = *user, current = *current, next = *next] {
        if (!check_password(current, user.password_hash))
          return record_failed_password(exchange, caller.user_id, &user, respond, 400);
        auto hash = deps_.password_hasher.hash(next);
        if (!hash.is_ok()) return respond(status_response(*exchange, hash.status()));
        const std::string keep =
            caller.via_session ? cookie_value(exchange->request, kSessionCookie) : "";
        submit(exchange, caller, ChangePassword{caller.user_id, *hash, false, caller.user_id},
               respond, [this, exchange, caller, keep](const writer::CommittedEvent&) {
                 deps_.sessions.erase_user(caller.user_id, keep);
                 deps_.initial_password.password_chosen(caller.user_id);
                 return empty_response(*exchange, 204);
               });
      });
}

}  // namespace keyledger::server
