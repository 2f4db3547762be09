// The ledger's events as plain C++ values. The Cap'n Proto schema in
// events.capnp is the stored form; event_codec.h converts between the two.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "core/clock.h"
#include "core/hash.h"

namespace keyledger {

enum class Privilege { kUser, kAuditor, kAdmin };

std::string_view privilege_name(Privilege privilege);
// "user", "auditor", "admin"; nullopt otherwise.
std::optional<Privilege> parse_privilege(std::string_view name);

struct UserCreated {
  std::string user_id;
  Privilege privilege = Privilege::kUser;
  std::string password_hash;
  // A one-time password (the first admin's, from the first start):
  // the user must choose another before doing anything else.
  bool must_change_password = false;
  bool operator==(const UserCreated&) const = default;
};
struct UserPrivilegeChanged {
  std::string user_id;
  Privilege privilege = Privilege::kUser;
  bool operator==(const UserPrivilegeChanged&) const = default;
};
struct UserDisabled {
  std::string user_id;
  bool operator==(const UserDisabled&) const = default;
};
struct UserEnabled {
  std::string user_id;
  bool operator==(const UserEnabled&) const = default;
};
struct PasswordChanged {
  std::string user_id;
  std::string password_hash;
  // Set by an administrator for a user who could not sign in: one-time.
  bool must_change_password = false;
  bool operator==(const PasswordChanged&) const = default;
};
struct KeyCreated {
  std::string key_id;
  std::string owner;
  std::string name;
  Hash256 secret_hash{};
  bool operator==(const KeyCreated&) const = default;
};
struct KeyRenamed {
  std::string key_id;
  std::string name;
  bool operator==(const KeyRenamed&) const = default;
};
struct KeyDeleted {
  std::string key_id;
  std::string reason;
  bool operator==(const KeyDeleted&) const = default;
};
struct KeyUsed {
  std::string key_id;
  std::string client_ip;
  TimeNs used_at_ns = 0;
  bool operator==(const KeyUsed&) const = default;
};
struct UserLocked {
  std::string user_id;
  std::string reason;
  // How long after the event's time the lock ends by itself; 0: when an
  // administrator unlocks (see core/lockout.h for old events).
  TimeNs lockout_ns = 0;
  bool operator==(const UserLocked&) const = default;
};
struct UserUnlocked {
  std::string user_id;
  bool operator==(const UserUnlocked&) const = default;
};

using EventPayload =
    std::variant<UserCreated, UserPrivilegeChanged, UserDisabled, UserEnabled, PasswordChanged,
                 KeyCreated, KeyRenamed, KeyDeleted, KeyUsed, UserLocked, UserUnlocked>;

// Stable lower-case name of a payload type: "key_…" for key events,
// "user_…" for user events, e.g. "key_created", "user_password_changed".
// The one vocabulary of every output: audit actions (CLI and HTTP), export
// types, stats.
std::string_view event_type_name(const EventPayload& payload);

inline constexpr std::string_view kSystemActor = "system";

// Who caused an event and from where.
struct EventOrigin {
  std::string actor{kSystemActor};
  std::string actor_ip;
  std::string request_id;
  bool operator==(const EventOrigin&) const = default;
};

struct Event {
  std::uint64_t seq = 0;
  TimeNs time_ns = 0;
  EventOrigin origin;
  Hash256 prev_hash{};
  EventPayload payload;
  bool operator==(const Event&) const = default;
};

}  // namespace keyledger
