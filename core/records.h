// The current state of one user and one key: what the projection folds the
// log into, and what commands are decided against.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/event.h"
#include "core/hash.h"

namespace keyledger {

struct UserRecord {
  std::string user_id;
  Privilege privilege = Privilege::kUser;
  // A lock that has ended by itself keeps `locked` set: read it through
  // is_locked_at().
  bool disabled = false;
  bool locked = false;
  std::string password_hash;
  TimeNs created_at_ns = 0;
  // The password is one-time (UserCreated, PasswordChanged): until the user
  // chooses another, they may do nothing else.
  bool must_change_password = false;
  // When the lock ends by itself; 0 while locked: when an admin unlocks.
  TimeNs locked_until_ns = 0;
  // The length of the last lock that ends by itself (0: none since the last
  // unlock), from which the next one doubles (core/lockout.h).
  TimeNs lockout_ns = 0;

  bool is_locked_at(TimeNs now) const {
    return locked && (locked_until_ns == 0 || now < locked_until_ns);
  }
  bool operator==(const UserRecord&) const = default;
};

struct KeyRecord {
  std::string key_id;
  std::string owner;
  std::string name;
  Hash256 secret_hash{};
  TimeNs created_at_ns = 0;
  std::uint64_t created_seq = 0;  // orders an owner's keys
  bool deleted = false;
  TimeNs deleted_at_ns = 0;
  std::string last_used_ip;  // empty: never used
  TimeNs last_used_at_ns = 0;
  bool operator==(const KeyRecord&) const = default;
};

// Read-only access to the current state, declared here so that deciding a
// command needs nothing but core; projections implement it. Returned user
// pointers stay valid until the state is next changed; keys are returned as
// copies (the state keeps them packed, projections/key_table.h).
class LedgerView {
 public:
  virtual ~LedgerView() = default;
  virtual const UserRecord* find_user(std::string_view user_id) const = 0;
  virtual std::optional<KeyRecord> find_key(std::string_view key_id) const = 0;
};

}  // namespace keyledger
