#include "projections/audit.h"

#include <unordered_map>

#include "core/event_codec.h"

namespace keyledger::projections {
namespace {

struct RowFiller {
  AuditRow& row;
  const std::function<std::string(const std::string&)>& owner_of;

  void operator()(const UserCreated& e) {
    row.owner = e.user_id;
    row.privilege = privilege_name(e.privilege);
  }
  void operator()(const UserPrivilegeChanged& e) {
    row.owner = e.user_id;
    row.privilege = privilege_name(e.privilege);
  }
  void operator()(const UserDisabled& e) { row.owner = e.user_id; }
  void operator()(const UserEnabled& e) { row.owner = e.user_id; }
  void operator()(const PasswordChanged& e) { row.owner = e.user_id; }
  void operator()(const UserLocked& e) {
    row.owner = e.user_id;
    row.reason = e.reason;
  }
  void operator()(const UserUnlocked& e) { row.owner = e.user_id; }
  void operator()(const KeyCreated& e) {
    row.key_id = e.key_id;
    row.owner = e.owner;
    row.name = e.name;
  }
  void operator()(const KeyRenamed& e) {
    row.key_id = e.key_id;
    row.owner = owner_of(e.key_id);
    row.name = e.name;
  }
  void operator()(const KeyDeleted& e) {
    row.key_id = e.key_id;
    row.owner = owner_of(e.key_id);
    row.reason = e.reason;
  }
  void operator()(const KeyUsed& e) {
    row.key_id = e.key_id;
    row.owner = owner_of(e.key_id);
    row.client_ip = e.client_ip;
    row.used_at_ns = e.used_at_ns;
  }
};

struct ActionName {
  std::string operator()(const UserCreated&) const { return "user-created"; }
  std::string operator()(const UserPrivilegeChanged&) const { return "user-privilege-changed"; }
  std::string operator()(const UserDisabled&) const { return "user-disabled"; }
  std::string operator()(const UserEnabled&) const { return "user-enabled"; }
  std::string operator()(const PasswordChanged&) const { return "user-password-changed"; }
  std::string operator()(const UserLocked&) const { return "user-locked"; }
  std::string operator()(const UserUnlocked&) const { return "user-unlocked"; }
  std::string operator()(const KeyCreated&) const { return "created"; }
  std::string operator()(const KeyRenamed&) const { return "renamed"; }
  std::string operator()(const KeyDeleted&) const { return "deleted"; }
  std::string operator()(const KeyUsed&) const { return "used"; }
};

}  // namespace

std::string audit_action(const EventPayload& payload) { return std::visit(ActionName{}, payload); }

const std::vector<std::string>& audit_actions() {
  static const std::vector<std::string> kActions = {
      "created",       "renamed",      "deleted",
      "used",          "user-created", "user-privilege-changed",
      "user-disabled", "user-enabled", "user-password-changed",
      "user-locked",   "user-unlocked"};
  return kActions;
}

AuditRow to_audit_row(const Event& event,
                      const std::function<std::string(const std::string&)>& owner_of) {
  AuditRow row;
  row.seq = event.seq;
  row.time_ns = event.time_ns;
  row.actor = event.origin.actor;
  row.actor_ip = event.origin.actor_ip;
  row.request_id = event.origin.request_id;
  row.action = audit_action(event.payload);
  std::visit(RowFiller{row, owner_of}, event.payload);
  return row;
}

bool AuditFilter::matches(const AuditRow& row) const {
  if (key_id && row.key_id != *key_id) return false;
  if (owner && row.owner != *owner) return false;
  if (actor && row.actor != *actor) return false;
  if (actions.empty()) {
    if (row.action == "used" && !include_use) return false;
  } else if (!actions.count(row.action)) {
    return false;
  }
  if (since_ns && row.time_ns < *since_ns) return false;
  if (until_ns && row.time_ns >= *until_ns) return false;
  return true;
}

Status scan_audit(const EventLog& log, std::uint64_t after_seq, const AuditFilter& filter,
                  const std::function<std::string(const std::string&)>& owner_of_known,
                  const std::function<bool(const AuditRow&)>& visit) {
  std::unordered_map<std::string, std::string> owners;  // keys created during the scan
  auto owner_of = [&](const std::string& key_id) {
    auto it = owners.find(key_id);
    return it != owners.end() ? it->second : owner_of_known(key_id);
  };
  Status failure = Status::ok();
  KEYLEDGER_RETURN_IF_ERROR(
      log.read_events(after_seq + 1, [&](std::uint64_t seq, std::string_view bytes) {
        auto event = decode_event(bytes);
        if (!event.is_ok()) {
          failure =
              corruption("undecodable_event", "event " + std::to_string(seq) + " does not decode");
          return false;
        }
        if (auto* created = std::get_if<KeyCreated>(&event->payload))
          owners.emplace(created->key_id, created->owner);
        AuditRow row = to_audit_row(*event, owner_of);
        if (!filter.matches(row)) return true;
        return visit(row);
      }));
  return failure;
}

}  // namespace keyledger::projections
