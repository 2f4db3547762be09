#include "projections/audit.h"

#include <algorithm>
#include <limits>
#include <unordered_map>
#include <utility>

#include "core/event_reader.h"
#include "core/text.h"

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

// Every payload type's name, in the order of EventPayload's alternatives.
template <std::size_t... kIndex>
std::vector<std::string> all_type_names(std::index_sequence<kIndex...>) {
  return {std::string(event_type_name(EventPayload(std::in_place_index<kIndex>)))...};
}

// The current name for an older spelling of an action; other text as is.
std::string current_spelling(std::string_view name) {
  std::string text(name);
  std::replace(text.begin(), text.end(), '-', '_');
  if (text == "created" || text == "renamed" || text == "deleted" || text == "used")
    return "key_" + text;
  if (text == "password_changed") return "user_password_changed";
  return text;
}

// Adds the actions `item` names to `actions`; false when it names none.
bool add_actions(std::string_view item, std::set<std::string>& actions) {
  const std::string name = current_spelling(item);
  const auto& known = audit_actions();
  if (name == "key_*" || name == "user_*") {
    const std::string prefix = name.substr(0, name.size() - 1);
    for (const auto& action : known)
      if (action.rfind(prefix, 0) == 0) actions.insert(action);
    return true;
  }
  if (std::find(known.begin(), known.end(), name) == known.end()) return false;
  actions.insert(name);
  return true;
}

}  // namespace

std::string audit_action(const EventPayload& payload) {
  return std::string(event_type_name(payload));
}

const std::vector<std::string>& audit_actions() {
  static const std::vector<std::string> kActions = [] {
    auto names = all_type_names(std::make_index_sequence<std::variant_size_v<EventPayload>>());
    std::sort(names.begin(), names.end());
    return names;
  }();
  return kActions;
}

StatusOr<std::set<std::string>> parse_audit_actions(std::string_view list) {
  std::set<std::string> actions;
  if (list.empty()) return actions;
  for (const std::string_view item : split(list, ",")) {
    if (item.empty())
      return invalid_argument(Reason::kInvalidParameter,
                              "empty action in the list '" + std::string(list) + "'", "action");
    if (!add_actions(item, actions))
      return invalid_argument(Reason::kInvalidParameter,
                              "unknown action '" + std::string(item) + "'", "action");
  }
  return actions;
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
    if (row.action == kKeyUsedAction && !include_use) return false;
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
  // No event comes after the largest seq (and after_seq + 1 would wrap to
  // the first one).
  if (after_seq == std::numeric_limits<std::uint64_t>::max()) return Status::ok();
  FirstDamage damage;
  KEYLEDGER_RETURN_IF_ERROR(
      EventReader(log, damage).read(after_seq + 1, [&](const Event& event, std::string_view) {
        if (auto* created = std::get_if<KeyCreated>(&event.payload))
          owners.emplace(created->key_id, created->owner);
        AuditRow row = to_audit_row(event, owner_of);
        if (!filter.matches(row)) return true;
        return visit(row);
      }));
  return damage.status();
}

}  // namespace keyledger::projections
