// Commands: what a caller asks the ledger to do. A command is decided
// against the current state (decide.h) into exactly one event or an error;
// deciding never changes anything.
#pragma once

#include <string>
#include <variant>

#include "core/clock.h"
#include "core/event.h"
#include "core/hash.h"

namespace keyledger {

struct CreateUser {
  std::string user_id;
  Privilege privilege = Privilege::kUser;
  std::string password_hash;  // from PasswordHasher; never the password
  bool must_change_password = false;
};
// `by`, in the commands an administrator gives about a user, is the user
// who asks (empty: the system). An administrator cannot take their own
// access away (demote, disable or lock themselves) or give themselves a
// one-time password: they could leave nobody to undo it, and one's own
// password changes with the current one (POST /v1/password), not by reset.
struct ChangePrivilege {
  std::string user_id;
  Privilege privilege = Privilege::kUser;
  std::string by = {};
};
struct DisableUser {
  std::string user_id;
  std::string by = {};
};
struct EnableUser {
  std::string user_id;
};
struct ChangePassword {
  std::string user_id;
  std::string password_hash;
  bool must_change_password = false;
  std::string by = {};
};
// A lock that ends by itself `lockout_ns` after it commits (core/lockout.h
// says how long), or with 0 one that lasts until an administrator unlocks.
struct LockUser {
  std::string user_id;
  std::string reason;
  TimeNs lockout_ns = 0;
  std::string by = {};
};
struct UnlockUser {
  std::string user_id;
};
struct CreateKey {
  std::string key_id;
  std::string owner;
  std::string name;  // as entered; decide trims and validates it
  Hash256 secret_hash{};
};
// `owner` is the user asking: a key that is not theirs is reported as not
// found, so its existence is never revealed.
struct RenameKey {
  std::string key_id;
  std::string owner;
  std::string name;
};
struct DeleteKey {
  std::string key_id;
  std::string owner;
  std::string reason;
};
struct RecordKeyUse {
  std::string key_id;
  std::string client_ip;
  TimeNs used_at_ns = 0;
};

using Command = std::variant<CreateUser, ChangePrivilege, DisableUser, EnableUser, ChangePassword,
                             LockUser, UnlockUser, CreateKey, RenameKey, DeleteKey, RecordKeyUse>;

}  // namespace keyledger
