// Administration of users (admin) and the audit trail (auditor or admin).
#include <boost/asio/post.hpp>
#include <charconv>

#include "core/text.h"
#include "projections/audit.h"
#include "server/api/api.h"
#include "server/api/commit_answers.h"
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

// Absent values are null, as in `keyledger audit`'s JSON.
Json text_or_null(const std::string& text) { return text.empty() ? Json(nullptr) : Json(text); }

Json audit_row_json(const projections::AuditRow& row) {
  Json out = {{"seq", row.seq},
              {"time", rfc3339(row.time_ns)},
              {"action", row.action},
              {"actor", row.actor},
              {"actor_ip", text_or_null(row.actor_ip)},
              {"request_id", text_or_null(row.request_id)}};
  if (!row.key_id.empty()) out["key_id"] = row.key_id;
  if (!row.owner.empty()) out[row.key_id.empty() ? "user" : "owner"] = row.owner;
  if (!row.name.empty()) out["name"] = row.name;
  if (!row.privilege.empty()) out["privilege"] = row.privilege;
  if (!row.reason.empty()) out["reason"] = row.reason;
  if (row.action == projections::kKeyUsedAction) {
    out["client_ip"] = row.client_ip;
    out["used_at"] = rfc3339(row.used_at_ns);
  }
  return out;
}

StatusOr<std::uint64_t> parse_unsigned(const std::string& text, const std::string& field) {
  std::uint64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size())
    return invalid_argument("invalid_parameter", "'" + field + "' must be a whole number", field);
  return value;
}

}  // namespace

void Api::create_user(ExchangePtr exchange, Respond respond) {
  auto caller = require(*exchange, respond, Privilege::kAdmin);
  if (!caller) return;
  auto json = body(*exchange, respond, {"user", "password", "privilege"});
  if (!json) return;
  auto user_id = required_string(*json, "user");
  auto password = required_string(*json, "password");
  auto privilege_text = optional_string(*json, "privilege");
  for (const Status* status : {&user_id.status(), &password.status(), &privilege_text.status()})
    if (!status->is_ok()) return respond(status_response(*exchange, *status));
  auto privilege = parse_privilege(privilege_text->value_or("user"));
  if (!privilege)
    return respond(error_response(*exchange, 400, "invalid_privilege", "bad privilege",
                                  {{"field", "privilege"}}));
  Status valid = validate_user_id(*user_id);
  if (valid.is_ok()) valid = validate_password(*password);
  if (!valid.is_ok()) return respond(status_response(*exchange, valid));
  post_password_job(exchange, respond,
                    [this, exchange, respond, caller = *caller, user_id = *user_id,
                     password = *password, privilege = *privilege] {
                      auto hash = deps_.password_hasher.hash(password);
                      if (!hash.is_ok()) return respond(status_response(*exchange, hash.status()));
                      submit(exchange, caller, CreateUser{user_id, privilege, *hash}, respond,
                             [this, exchange, user_id](const writer::CommittedEvent&) {
                               auto user = deps_.projection.user(user_id);
                               return json_response(
                                   *exchange, 201,
                                   user ? user_json(*user, deps_.clock.now_ns()) : Json::object());
                             });
                    });
}

void Api::update_user(ExchangePtr exchange, Respond respond) {
  auto caller = require(*exchange, respond, Privilege::kAdmin);
  if (!caller) return;
  auto json = body(*exchange, respond, {"privilege", "disabled", "locked", "password"});
  if (!json) return;
  auto privilege_text = optional_string(*json, "privilege");
  auto disabled = optional_bool(*json, "disabled");
  auto locked = optional_bool(*json, "locked");
  auto password = optional_string(*json, "password");
  for (const Status* status :
       {&privilege_text.status(), &disabled.status(), &locked.status(), &password.status()})
    if (!status->is_ok()) return respond(status_response(*exchange, *status));
  if (*password) {
    if (Status valid = validate_password(**password); !valid.is_ok())
      return respond(
          error_response(*exchange, 400, valid.reason(), valid.message(), {{"field", "password"}}));
  }
  std::optional<Privilege> privilege;
  if (*privilege_text) {
    privilege = parse_privilege(**privilege_text);
    if (!privilege)
      return respond(error_response(*exchange, 400, "invalid_privilege", "bad privilege",
                                    {{"field", "privilege"}}));
  }
  const std::string user_id = exchange->path_params[0];
  // What an administrator may not do to themselves is decided with the
  // commands (core/commands.h): each carries who asks.
  const auto user = deps_.projection.user(user_id);
  if (!user) return respond(error_response(*exchange, 404, "user_not_found", "no such user"));
  // The commands that bring the user from its current state to the one
  // asked for: fields already so are left out (deciding them would be
  // "unchanged"). A new password also unlocks, unless a lock is asked for:
  // a user locked by failed sign-ins is who needs one.
  auto changes_from = [user_id, privilege, disabled = *disabled, locked = *locked,
                       resetting = password->has_value(),
                       by = caller->user_id](const UserRecord& user) {
    std::vector<Command> commands;
    if (privilege && *privilege != user.privilege)
      commands.push_back(ChangePrivilege{user_id, *privilege, by});
    if (disabled && *disabled != user.disabled)
      commands.push_back(*disabled ? Command(DisableUser{user_id, by})
                                   : Command(EnableUser{user_id}));
    const std::optional<bool> lock = locked      ? locked
                                     : resetting ? std::optional(false)
                                                 : std::nullopt;
    // An administrator's lock lasts until one unlocks; a lock for failed
    // sign-ins that has not ended yet is made so.
    if (lock && *lock && !(user.locked && user.locked_until_ns == 0))
      commands.push_back(LockUser{user_id, "locked by an administrator", 0, by});
    // Unlocking a lock that has ended already still records the unlock: it
    // forgets the lock, so the next one starts again from --lockout.
    if (lock && !*lock && user.locked) commands.push_back(UnlockUser{user_id});
    return commands;
  };
  // What the change does beyond the ledger, once it has taken effect (a
  // refused or failed change must leave sessions and sign-in blocks alone):
  // a disabled user, or one given a new password, is signed out everywhere;
  // unlocking or a new password also lifts the sign-in guard's count of
  // failed passwords (guesses at the old one).
  const bool sign_out = (*disabled && **disabled) || *password;
  const bool unblock = (*locked && !**locked) || (*password && !(*locked && **locked));
  auto answer = [this, exchange, user_id, sign_out, unblock] {
    if (sign_out) deps_.sessions.erase_user(user_id);
    if (unblock) deps_.sign_ins.unblock(user_id);
    auto current = deps_.projection.user(user_id);
    return json_response(*exchange, 200,
                         current ? user_json(*current, deps_.clock.now_ns()) : Json::object());
  };
  // All of the changes in one commit, or none of them (GroupCommitWriter::submit_all).
  auto commit = [this, exchange, respond, answer,
                 origin = EventOrigin{caller->user_id, exchange->client_ip, exchange->request_id}](
                    std::vector<Command> changes) {
    if (changes.empty()) return respond(answer());
    deps_.writer.submit_all(
        std::move(changes), origin,
        answer_on_connection_thread(exchange, [=](StatusOr<writer::CommittedEvent> result) {
          respond(result.is_ok() ? answer() : status_response(*exchange, result.status()));
        }));
  };
  if (!*password) return commit(changes_from(*user));
  // A new password is hashed off the I/O threads (scrypt, tens of
  // milliseconds), then committed with the other changes, worked out again
  // from the user as it is then.
  post_password_job(
      exchange, respond,
      [this, exchange, respond, commit, changes_from, user_id, by = caller->user_id,
       new_password = **password] {
        auto hash = deps_.password_hasher.hash(new_password);
        if (!hash.is_ok()) return respond(status_response(*exchange, hash.status()));
        auto user = deps_.projection.user(user_id);
        if (!user) return respond(error_response(*exchange, 404, "user_not_found", "no such user"));
        std::vector<Command> commands = changes_from(*user);
        // Given by someone else: one-time, like the first admin's.
        commands.push_back(ChangePassword{user_id, *hash, true, by});
        commit(std::move(commands));
      });
}

void Api::list_users(ExchangePtr exchange, Respond respond) {
  auto caller = require(*exchange, respond, Privilege::kAdmin);
  if (!caller) return;
  Json users = Json::array();
  const TimeNs now = deps_.clock.now_ns();
  for (const auto& user : deps_.projection.users()) users.push_back(user_json(user, now));
  respond(json_response(*exchange, 200, {{"users", std::move(users)}}));
}

void Api::audit(ExchangePtr exchange, Respond respond) {
  auto caller = require(*exchange, respond, Privilege::kAuditor);
  if (!caller) return;
  projections::AuditFilter filter;
  std::uint64_t after_seq = 0, limit = 100;
  for (const auto& [name, value] : exchange->query) {
    Status problem = Status::ok();
    if (name == "key") {
      filter.key_id = value;
    } else if (name == "user") {
      filter.owner = value;
    } else if (name == "actor") {
      filter.actor = value;
    } else if (name == "action") {
      auto actions = projections::parse_audit_actions(value);
      if (actions.is_ok())
        filter.actions = std::move(*actions);
      else
        problem = actions.status();
    } else if (name == "since" || name == "until") {
      auto time = parse_time(value);
      if (!time)
        problem = invalid_argument("invalid_parameter", "'" + name + "' must be RFC 3339 or a date",
                                   name);
      else
        (name == "since" ? filter.since_ns : filter.until_ns) = *time;
    } else if (name == "after_seq" || name == "limit") {
      auto number = parse_unsigned(value, name);
      if (!number.is_ok())
        problem = number.status();
      else
        (name == "limit" ? limit : after_seq) = *number;
    } else if (name == "include_use") {
      filter.include_use = value == "true" || value == "1";
    } else {
      problem = invalid_argument("invalid_parameter", "unknown parameter '" + name + "'", name);
    }
    if (!problem.is_ok()) return respond(status_response(*exchange, problem));
  }
  if (limit < 1 || limit > 1000)
    return respond(status_response(
        *exchange, invalid_argument("invalid_parameter", "'limit' must be 1 to 1000", "limit")));
  Json rows = Json::array();
  std::uint64_t last_seq = 0;
  bool more = false;
  Status scanned = projections::scan_audit(
      deps_.log, after_seq, filter,
      [this](const std::string& key_id) {
        auto key = deps_.projection.key(key_id);
        return key ? key->owner : std::string();
      },
      [&](const projections::AuditRow& row) {
        if (rows.size() == limit) {
          more = true;
          return false;
        }
        rows.push_back(audit_row_json(row));
        last_seq = row.seq;
        return true;
      });
  if (!scanned.is_ok()) return respond(status_response(*exchange, scanned));
  respond(json_response(
      *exchange, 200,
      {{"events", std::move(rows)}, {"next_after_seq", more ? Json(last_seq) : Json(nullptr)}}));
}

}  // namespace keyledger::server
