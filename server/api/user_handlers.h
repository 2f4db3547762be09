// Administration of users (admin only): POST /v1/users, GET /v1/users,
// PATCH /v1/users/{id}. What an administrator may not do to themselves is
// decided with the commands (core/commands.h): each carries who asks.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/commands.h"
#include "server/api/account_services.h"
#include "server/api/answer.h"
#include "server/api/authenticator.h"
#include "server/api/commit_answers.h"
#include "server/api/ledger_ports.h"
#include "server/api/password_work.h"
#include "server/api/session_store.h"
#include "server/api/sign_in_guard.h"

namespace keyledger::server {

// What PATCH /v1/users/{id} asks for; an absent field is left as it is.
struct UserUpdate {
  std::optional<Privilege> privilege;
  std::optional<bool> disabled;
  std::optional<bool> locked;
  std::optional<std::string> password;  // a one-time password given by the admin
};

// The commands that bring `user` from its current state to the one `update`
// asks for, on behalf of `by`: fields already so are left out (deciding
// them would be "unchanged"). A new password also unlocks, unless a lock
// is asked for: a user locked by failed sign-ins is who needs one. The
// password itself is not among them (it is hashed first).
std::vector<Command> user_changes(const UserUpdate& update, const UserRecord& user,
                                  const std::string& by);

// Thread-safe; what it is given outlives it.
class UserHandlers {
 public:
  explicit UserHandlers(const AccountServices& accounts) : accounts_(accounts) {}

  void create_user(const ExchangePtr& exchange, const Reply& reply);
  void list_users(const ExchangePtr& exchange, const Reply& reply);
  void update_user(const ExchangePtr& exchange, const Reply& reply);

 private:
  // The user as the API shows it now: 201 when just `created`, else 200.
  Answer user_answer(const std::string& user_id, bool created) const;
  // Hashes the new password (on the blocking pool), then commits it with
  // the other changes, worked out again from the user as it is then.
  void update_with_password(const ExchangePtr& exchange, const Reply& reply, const std::string& by,
                            const UserUpdate& update);
  // Commits `changes` (all or none), then does what the update does beyond
  // the ledger and answers with the user.
  void commit_update(const ExchangePtr& exchange, const Reply& reply, const std::string& by,
                     const UserUpdate& update, std::vector<Command> changes);

  const AccountServices accounts_;
};

}  // namespace keyledger::server
