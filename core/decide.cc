#include "core/decide.h"

#include "core/lockout.h"
#include "core/password_hasher.h"
#include "core/text.h"
#include "core/token.h"

namespace keyledger {
namespace {

Status user_not_found(std::string_view user_id) {
  return not_found(Reason::kUserNotFound, "no user '" + std::string(user_id) + "'");
}

Status key_not_found() { return not_found(Reason::kKeyNotFound, "no such key"); }

StatusOr<const UserRecord*> existing_user(const LedgerView& view, std::string_view user_id) {
  const UserRecord* user = view.find_user(user_id);
  if (user == nullptr) return user_not_found(user_id);
  return user;
}

// A live key owned by `owner`; anything else looks like a missing key.
StatusOr<KeyRecord> owned_live_key(const LedgerView& view, std::string_view key_id,
                                   std::string_view owner) {
  std::optional<KeyRecord> key = view.find_key(key_id);
  if (!key || key->deleted || key->owner != owner) return key_not_found();
  return std::move(*key);
}

Status validate_password_hash(std::string_view hash) {
  if (!PasswordHasher::is_well_formed(hash))
    return invalid_argument(Reason::kInvalidPasswordHash, "not an encoded scrypt hash", "password");
  return Status::ok();
}

Status validate_reason(std::string_view reason) {
  if (reason.size() > kMaxReasonLength || !is_valid_utf8(reason) || has_control_characters(reason))
    return invalid_argument(Reason::kInvalidReason, "the reason must be short, printable UTF-8",
                            "reason");
  return Status::ok();
}

// An administrator's change that would take their own access away (see
// core/commands.h); `field` names what they asked.
Status cannot_change_self(std::string_view field) {
  return Status(StatusCode::kFailedPrecondition, Reason::kCannotChangeSelf,
                "an administrator cannot change this about themselves", std::string(field));
}

struct Decider {
  const LedgerView& view;

  StatusOr<EventPayload> operator()(const CreateUser& c) const {
    KEYLEDGER_RETURN_IF_ERROR(validate_user_id(c.user_id));
    KEYLEDGER_RETURN_IF_ERROR(validate_password_hash(c.password_hash));
    if (view.find_user(c.user_id) != nullptr)
      return already_exists(Reason::kUserExists, "the user '" + c.user_id + "' exists already",
                            "user");
    return EventPayload{
        UserCreated{c.user_id, c.privilege, c.password_hash, c.must_change_password}};
  }

  StatusOr<EventPayload> operator()(const ChangePrivilege& c) const {
    auto user = existing_user(view, c.user_id);
    if (!user.is_ok()) return user.status();
    if (c.by == c.user_id && c.privilege != Privilege::kAdmin)
      return cannot_change_self("privilege");
    if ((*user)->privilege == c.privilege)
      return failed_precondition(Reason::kUnchanged, "the user has that privilege already");
    return EventPayload{UserPrivilegeChanged{c.user_id, c.privilege}};
  }

  StatusOr<EventPayload> operator()(const DisableUser& c) const {
    auto user = existing_user(view, c.user_id);
    if (!user.is_ok()) return user.status();
    if (c.by == c.user_id) return cannot_change_self("disabled");
    if ((*user)->disabled)
      return failed_precondition(Reason::kUnchanged, "the user is disabled already");
    return EventPayload{UserDisabled{c.user_id}};
  }

  StatusOr<EventPayload> operator()(const EnableUser& c) const {
    auto user = existing_user(view, c.user_id);
    if (!user.is_ok()) return user.status();
    if (!(*user)->disabled)
      return failed_precondition(Reason::kUnchanged, "the user is enabled already");
    return EventPayload{UserEnabled{c.user_id}};
  }

  StatusOr<EventPayload> operator()(const ChangePassword& c) const {
    auto user = existing_user(view, c.user_id);
    if (!user.is_ok()) return user.status();
    if (c.by == c.user_id && c.must_change_password) return cannot_change_self("password");
    KEYLEDGER_RETURN_IF_ERROR(validate_password_hash(c.password_hash));
    return EventPayload{PasswordChanged{c.user_id, c.password_hash, c.must_change_password}};
  }

  StatusOr<EventPayload> operator()(const LockUser& c) const {
    auto user = existing_user(view, c.user_id);
    if (!user.is_ok()) return user.status();
    if (c.by == c.user_id) return cannot_change_self("locked");
    KEYLEDGER_RETURN_IF_ERROR(validate_reason(c.reason));
    if (c.lockout_ns < 0)
      return invalid_argument(Reason::kInvalidLockout, "a lock cannot end before it begins");
    // The fold reads such an event as one from before locks had a length.
    if (c.lockout_ns == 0 && c.reason == kTooManyFailedSignIns)
      return invalid_argument(Reason::kInvalidLockout, "a lock for failed sign-ins has a length");
    // Only a lock without an end is final; one that ends by itself may have
    // ended already (deciding knows no clock), and may be renewed or made
    // permanent.
    if ((*user)->locked && (*user)->locked_until_ns == 0)
      return failed_precondition(Reason::kUnchanged, "the user is locked already");
    return EventPayload{UserLocked{c.user_id, c.reason, c.lockout_ns}};
  }

  StatusOr<EventPayload> operator()(const UnlockUser& c) const {
    auto user = existing_user(view, c.user_id);
    if (!user.is_ok()) return user.status();
    if (!(*user)->locked) return failed_precondition(Reason::kUnchanged, "the user is not locked");
    return EventPayload{UserUnlocked{c.user_id}};
  }

  StatusOr<EventPayload> operator()(const CreateKey& c) const {
    if (!is_valid_key_id(c.key_id))
      return invalid_argument(Reason::kInvalidKeyId, "a key id is 12 base62 characters", "id");
    auto name = normalize_key_name(c.name);
    if (!name.is_ok()) return name.status();
    auto owner = existing_user(view, c.owner);
    if (!owner.is_ok()) return owner.status();
    if ((*owner)->disabled)
      return failed_precondition(Reason::kUserDisabled, "a disabled user cannot create keys");
    if (view.find_key(c.key_id))
      return already_exists(Reason::kKeyExists, "a key with this id exists already", "id");
    return EventPayload{KeyCreated{c.key_id, c.owner, std::move(name).value(), c.secret_hash}};
  }

  StatusOr<EventPayload> operator()(const RenameKey& c) const {
    auto key = owned_live_key(view, c.key_id, c.owner);
    if (!key.is_ok()) return key.status();
    auto name = normalize_key_name(c.name);
    if (!name.is_ok()) return name.status();
    return EventPayload{KeyRenamed{c.key_id, std::move(name).value()}};
  }

  StatusOr<EventPayload> operator()(const DeleteKey& c) const {
    auto key = owned_live_key(view, c.key_id, c.owner);
    if (!key.is_ok()) return key.status();
    KEYLEDGER_RETURN_IF_ERROR(validate_reason(c.reason));
    return EventPayload{KeyDeleted{c.key_id, c.reason}};
  }

  StatusOr<EventPayload> operator()(const RecordKeyUse& c) const {
    const std::optional<KeyRecord> key = view.find_key(c.key_id);
    if (!key || key->deleted) return key_not_found();
    if (!is_valid_ip_address(c.client_ip))
      return invalid_argument(Reason::kInvalidIp, "not an IP address", "client_ip");
    return EventPayload{KeyUsed{c.key_id, c.client_ip, c.used_at_ns}};
  }
};

}  // namespace

StatusOr<EventPayload> decide(const LedgerView& view, const Command& command) {
  return std::visit(Decider{view}, command);
}

}  // namespace keyledger
