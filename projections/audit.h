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
#include <string_view>
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
  std::string action;     // the event's type name: "key_created", "user_locked", …
  std::string key_id;     // key events
  std::string owner;      // key events: the key's owner; user events: the user
  std::string name;       // created / renamed: the key's name
  std::string privilege;  // user_created / user_privilege_changed
  std::string client_ip;  // key_used
  TimeNs used_at_ns = 0;  // key_used
  std::string reason;     // key_deleted / user_locked
};

// The audit action of a payload: its type name (core/event.h
// event_type_name), the one vocabulary of every output: "key_created",
// "key_renamed", "key_deleted", "key_used", "user_created", …
std::string audit_action(const EventPayload& payload);

// The action of a recorded key use, left out of the audit unless asked for.
inline constexpr std::string_view kKeyUsedAction = "key_used";

// `owner_of` names the owner of a key id for events that carry only the id.
AuditRow to_audit_row(const Event& event,
                      const std::function<std::string(const std::string&)>& owner_of);

struct AuditFilter {
  std::optional<std::string> key_id;
  std::optional<std::string> owner;
  std::optional<std::string> actor;
  std::set<std::string> actions;  // empty: all except key_used unless include_use
  bool include_use = false;
  std::optional<TimeNs> since_ns;  // inclusive
  std::optional<TimeNs> until_ns;  // exclusive
  bool matches(const AuditRow& row) const;
};

// Every action name, sorted (so key_* before user_*).
const std::vector<std::string>& audit_actions();

// Reads a comma-separated list of actions for AuditFilter::actions. Each
// item is a name from audit_actions(), or "key_*" / "user_*" for every key
// or user action. Older spellings are accepted on input only: "created",
// "renamed", "deleted", "used", hyphens for underscores ("user-locked",
// "user-*") and "password_changed". An empty list is an empty set (no
// filter); an empty or unknown item is invalid_argument
// ("invalid_parameter", field "action") naming it.
StatusOr<std::set<std::string>> parse_audit_actions(std::string_view list);

// Reads the log from `after_seq` + 1 and calls `visit` for each row that
// passes `filter`, until it returns false. Owners of keys created before
// `after_seq` come from `owner_of_known` (e.g. the projection). The first
// damaged event (core/event_reader.h: undecodable, stored under another
// seq, or missing) ends the scan with kCorruption naming it; the log's own
// read errors are returned as they are.
Status scan_audit(const EventLog& log, std::uint64_t after_seq, const AuditFilter& filter,
                  const std::function<std::string(const std::string&)>& owner_of_known,
                  const std::function<bool(const AuditRow&)>& visit);

}  // namespace keyledger::projections
