// The audit trail as flat rows: who did what to which key or user, when and
// from where. Shared by the server's /v1/audit and key history and by the
// `keyledger audit` and `export` tools. Rows never hold secrets: no secret
// hashes, no password hashes.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/event.h"
#include "core/event_log.h"
#include "core/status.h"

namespace keyledger::projections {

struct AuditRow {
  std::uint64_t seq = 0;
  TimeNs time_ns = 0;
  std::string actor;
  std::string actor_ip;
  std::string request_id;
  std::string action;     // "created", "renamed", "deleted", "used", "user-created", …
  std::string key_id;     // key events
  std::string owner;      // key events: the key's owner; user events: the user
  std::string name;       // created / renamed: the key's name
  std::string privilege;  // user-created / user-privilege-changed
  std::string client_ip;  // used
  TimeNs used_at_ns = 0;  // used
  std::string reason;     // deleted / user-locked
};

// The audit action of a payload: key events are "created", "renamed",
// "deleted", "used"; user events are "user-created", "user-privilege-changed",
// "user-disabled", "user-enabled", "user-password-changed", "user-locked",
// "user-unlocked".
std::string audit_action(const EventPayload& payload);

// `owner_of` names the owner of a key id for events that carry only the id.
AuditRow to_audit_row(const Event& event,
                      const std::function<std::string(const std::string&)>& owner_of);

struct AuditFilter {
  std::optional<std::string> key_id;
  std::optional<std::string> owner;
  std::optional<std::string> actor;
  std::set<std::string> actions;  // empty: all except "used" unless include_use
  bool include_use = false;
  std::optional<TimeNs> since_ns;  // inclusive
  std::optional<TimeNs> until_ns;  // exclusive
  bool matches(const AuditRow& row) const;
};

// Every valid action name, for validating filters.
const std::vector<std::string>& audit_actions();

// Reads the log from `after_seq` + 1 and calls `visit` for each row that
// passes `filter`, until it returns false. Owners of keys created before
// `after_seq` come from `owner_of_known` (e.g. the projection).
Status scan_audit(const EventLog& log, std::uint64_t after_seq, const AuditFilter& filter,
                  const std::function<std::string(const std::string&)>& owner_of_known,
                  const std::function<bool(const AuditRow&)>& visit);

}  // namespace keyledger::projections
