#include "server/api/user_handlers.h"

#include "core/password_hasher.h"
#include "core/text.h"
#include "server/api/request_bodies.h"
#include "server/http/json_body.h"

namespace keyledger::server {
namespace {

// `now` says whether a lock that ends by itself has ended.
Json user_json(const UserRecord& user, TimeNs now) {
  const bool locked = user.is_locked_at(now);
  return {{"user", user.user_id},
          {"privilege", privilege_name(user.privilege)},
          {"disabled", user.disabled},
          {"locked", locked},
          {"locked_until", locked && user.locked_until_ns != 0 ? Json(rfc3339(user.locked_until_ns))
                                                               : Json(nullptr)},
          {"password_change_required", user.must_change_password},
          {"created_at", rfc3339(user.created_at_ns)}};
}

// The privilege named in the body's `privilege`, when there is one.
std::optional<std::optional<Privilege>> privilege_field(const std::optional<std::string>& text,
                                                        const Reply& reply) {
  if (!text) return std::optional<Privilege>();
  auto privilege = parse_privilege(*text);
  if (!privilege) {
    reply(ApiError::kInvalidPrivilege);
    return std::nullopt;
  }
  return privilege;
}

// The body of PATCH /v1/users/{id}, checked; replies on a bad one.
std::optional<UserUpdate> read_user_update(const Exchange& exchange, const Reply& reply) {
  auto json = read_json_body(exchange, reply, {"privilege", "disabled", "locked", "password"});
  if (!json) return std::nullopt;
  auto privilege_text = optional_string(*json, "privilege");
  auto disabled = optional_bool(*json, "disabled");
  auto locked = optional_bool(*json, "locked");
  auto password = optional_string(*json, "password");
  for (const Status* status :
       {&privilege_text.status(), &disabled.status(), &locked.status(), &password.status()}) {
    if (status->is_ok()) continue;
    reply(*status);
    return std::nullopt;
  }
  if (*password) {
    if (Status valid = validate_password(**password); !valid.is_ok()) {
      reply(valid);
      return std::nullopt;
    }
  }
  auto privilege = privilege_field(*privilege_text, reply);
  if (!privilege) return std::nullopt;
  return UserUpdate{*privilege, *disabled, *locked, *password};
}

}  // namespace

std::vector<Command> user_changes(const UserUpdate& update, const UserRecord& user,
                                  const std::string& by) {
  const std::string& user_id = user.user_id;
  std::vector<Command> commands;
  if (update.privilege && *update.privilege != user.privilege)
    commands.push_back(ChangePrivilege{user_id, *update.privilege, by});
  if (update.disabled && *update.disabled != user.disabled)
    commands.push_back(*update.disabled ? Command(DisableUser{user_id, by})
                                        : Command(EnableUser{user_id}));
  const std::optional<bool> lock = update.locked     ? update.locked
                                   : update.password ? std::optional(false)
                                                     : std::nullopt;
  // An administrator's lock lasts until one unlocks; a lock for failed
  // sign-ins that has not ended yet is made so.
  if (lock && *lock && !(user.locked && user.locked_until_ns == 0))
    commands.push_back(LockUser{user_id, "locked by an administrator", 0, by});
  // Unlocking a lock that has ended already still records the unlock: it
  // forgets the lock, so the next one starts again from --lockout.
  if (lock && !*lock && user.locked) commands.push_back(UnlockUser{user_id});
  return commands;
}

Answer UserHandlers::user_answer(const std::string& user_id, bool created) const {
  auto user = accounts_.users.user(user_id);
  Json body = user ? user_json(*user, accounts_.clock.now_ns()) : Json::object();
  return created ? Answer::created(std::move(body)) : Answer::ok(std::move(body));
}

void UserHandlers::create_user(const ExchangePtr& exchange, const Reply& reply) {
  auto caller = accounts_.auth.require(*exchange, reply, Privilege::kAdmin);
  if (!caller) return;
  auto json = read_json_body(*exchange, reply, {"user", "password", "privilege"});
  if (!json) return;
  auto user_id = required_string(*json, "user");
  auto password = required_string(*json, "password");
  auto privilege_text = optional_string(*json, "privilege");
  for (const Status* status : {&user_id.status(), &password.status(), &privilege_text.status()})
    if (!status->is_ok()) return reply(*status);
  auto privilege = parse_privilege(privilege_text->value_or("user"));
  if (!privilege) return reply(ApiError::kInvalidPrivilege);
  Status valid = validate_user_id(*user_id);
  if (valid.is_ok()) valid = validate_password(*password);
  if (!valid.is_ok()) return reply(valid);
  accounts_.passwords.post(reply, [this, exchange, reply, by = caller->user_id, user_id = *user_id,
                                   password = *password, privilege = *privilege] {
    auto hash = accounts_.passwords.hash(password);
    if (!hash.is_ok()) return reply(hash.status());
    accounts_.commands.submit(CreateUser{user_id, privilege, *hash}, origin_of(*exchange, by),
                              accounts_.answers.reply_on_connection_thread(
                                  exchange, reply, [this, user_id](const CommittedEvent&) {
                                    return user_answer(user_id, true);
                                  }));
  });
}

void UserHandlers::list_users(const ExchangePtr& exchange, const Reply& reply) {
  auto caller = accounts_.auth.require(*exchange, reply, Privilege::kAdmin);
  if (!caller) return;
  Json users = Json::array();
  const TimeNs now = accounts_.clock.now_ns();
  for (const auto& user : accounts_.users.users()) users.push_back(user_json(user, now));
  reply(Answer::ok({{"users", std::move(users)}}));
}

void UserHandlers::update_user(const ExchangePtr& exchange, const Reply& reply) {
  auto caller = accounts_.auth.require(*exchange, reply, Privilege::kAdmin);
  if (!caller) return;
  auto update = read_user_update(*exchange, reply);
  if (!update) return;
  const auto user = accounts_.users.user(exchange->path_params[0]);
  if (!user) return reply(ApiError::kUserNotFound);
  if (update->password) return update_with_password(exchange, reply, caller->user_id, *update);
  commit_update(exchange, reply, caller->user_id, *update,
                user_changes(*update, *user, caller->user_id));
}

void UserHandlers::update_with_password(const ExchangePtr& exchange, const Reply& reply,
                                        const std::string& by, const UserUpdate& update) {
  accounts_.passwords.post(reply, [this, exchange, reply, by, update] {
    auto hash = accounts_.passwords.hash(*update.password);
    if (!hash.is_ok()) return reply(hash.status());
    const std::string& user_id = exchange->path_params[0];
    auto user = accounts_.users.user(user_id);
    if (!user) return reply(ApiError::kUserNotFound);
    std::vector<Command> commands = user_changes(update, *user, by);
    // Given by someone else: one-time, like the first admin's.
    commands.push_back(ChangePassword{user_id, *hash, true, by});
    commit_update(exchange, reply, by, update, std::move(commands));
  });
}

void UserHandlers::commit_update(const ExchangePtr& exchange, const Reply& reply,
                                 const std::string& by, const UserUpdate& update,
                                 std::vector<Command> changes) {
  // What the change does beyond the ledger, once it has taken effect (a
  // refused or failed change must leave sessions and sign-in blocks alone):
  // a disabled user, or one given a new password, is signed out everywhere;
  // unlocking or a new password also lifts the sign-in guard's count of
  // failed passwords (guesses at the old one).
  const bool sign_out = update.disabled.value_or(false) || update.password;
  const bool unblock =
      (update.locked && !*update.locked) || (update.password && !update.locked.value_or(false));
  auto answer = [this, user_id = exchange->path_params[0], sign_out, unblock] {
    if (sign_out) accounts_.sessions.erase_user(user_id);
    if (unblock) accounts_.sign_ins.unblock(user_id);
    return user_answer(user_id, false);
  };
  if (changes.empty()) return reply(answer());
  accounts_.commands.submit_all(
      std::move(changes), origin_of(*exchange, by),
      accounts_.answers.reply_on_connection_thread(
          exchange, reply, [answer](const CommittedEvent&) { return answer(); }));
}

}  // namespace keyledger::server
