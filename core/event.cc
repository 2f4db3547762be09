#include "core/event.h"

#include "core/privileges.h"

namespace keyledger {

std::string_view privilege_name(Privilege privilege) { return privilege_codes(privilege).name; }

std::optional<Privilege> parse_privilege(std::string_view name) {
  for (const PrivilegeCodes& codes : kPrivileges)
    if (codes.name == name) return codes.privilege;
  return std::nullopt;
}

namespace {
struct TypeName {
  std::string_view operator()(const UserCreated&) const { return "user_created"; }
  std::string_view operator()(const UserPrivilegeChanged&) const {
    return "user_privilege_changed";
  }
  std::string_view operator()(const UserDisabled&) const { return "user_disabled"; }
  std::string_view operator()(const UserEnabled&) const { return "user_enabled"; }
  std::string_view operator()(const PasswordChanged&) const { return "user_password_changed"; }
  std::string_view operator()(const KeyCreated&) const { return "key_created"; }
  std::string_view operator()(const KeyRenamed&) const { return "key_renamed"; }
  std::string_view operator()(const KeyDeleted&) const { return "key_deleted"; }
  std::string_view operator()(const KeyUsed&) const { return "key_used"; }
  std::string_view operator()(const UserLocked&) const { return "user_locked"; }
  std::string_view operator()(const UserUnlocked&) const { return "user_unlocked"; }
};
}  // namespace

std::string_view event_type_name(const EventPayload& payload) {
  return std::visit(TypeName{}, payload);
}

}  // namespace keyledger
