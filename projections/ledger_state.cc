#include "projections/ledger_state.h"

#include <algorithm>
#include <functional>
#include <stdexcept>
#include <utility>

#include "core/lockout.h"

namespace keyledger::projections {
namespace {

struct Folder {
  MutableLedger& state;
  const Event& event;

  template <typename Change>
  void update_user(const std::string& user_id, Change change) {
    if (UserRecord* user = state.edit_user(user_id)) change(*user);
  }
  void update_key(const std::string& key_id, const std::function<void(KeyRecord&)>& change) {
    state.change_key(key_id, change);
  }

  void operator()(const UserCreated& e) {
    if (state.find_user(e.user_id) != nullptr) return;
    state.put_user(UserRecord{e.user_id, e.privilege, false, false, e.password_hash, event.time_ns,
                              e.must_change_password});
  }
  void operator()(const UserPrivilegeChanged& e) {
    update_user(e.user_id, [&](UserRecord& u) { u.privilege = e.privilege; });
  }
  void operator()(const UserDisabled& e) {
    update_user(e.user_id, [](UserRecord& u) { u.disabled = true; });
  }
  void operator()(const UserEnabled& e) {
    update_user(e.user_id, [](UserRecord& u) { u.disabled = false; });
  }
  void operator()(const PasswordChanged& e) {
    update_user(e.user_id, [&](UserRecord& u) {
      u.password_hash = e.password_hash;
      u.must_change_password = e.must_change_password;
    });
  }
  void operator()(const UserLocked& e) {
    // A lock for failed sign-ins from before locks ended by themselves is
    // read as today's first lock (core/lockout.h).
    const TimeNs lockout =
        e.lockout_ns == 0 && e.reason == kTooManyFailedSignIns ? kLegacyLockoutNs : e.lockout_ns;
    update_user(e.user_id, [&](UserRecord& u) {
      u.locked = true;
      u.locked_until_ns = lockout == 0 ? 0 : event.time_ns + lockout;
      if (lockout != 0) u.lockout_ns = lockout;
    });
  }
  void operator()(const UserUnlocked& e) {
    update_user(e.user_id, [](UserRecord& u) {
      u.locked = false;
      u.locked_until_ns = 0;
      u.lockout_ns = 0;
    });
  }
  void operator()(const KeyCreated& e) {
    if (state.find_user(e.owner) == nullptr) return;
    state.add_key(KeyRecord{.key_id = e.key_id,
                            .owner = e.owner,
                            .name = e.name,
                            .secret_hash = e.secret_hash,
                            .created_at_ns = event.time_ns,
                            .created_seq = event.seq,
                            .last_used_ip = {}});  // never used yet
    // (A key of that id already, which cannot happen, stays as it is.)
  }
  void operator()(const KeyRenamed& e) {
    update_key(e.key_id, [&](KeyRecord& k) { k.name = e.name; });
  }
  void operator()(const KeyDeleted& e) {
    // The state drops the key from its owner's live list when it sees the
    // deletion.
    update_key(e.key_id, [&](KeyRecord& k) {
      k.deleted = true;
      k.deleted_at_ns = event.time_ns;
    });
  }
  void operator()(const KeyUsed& e) {
    // Uses may be persisted out of order (flushes race verifications); the
    // newest use wins.
    update_key(e.key_id, [&](KeyRecord& k) {
      if (e.used_at_ns < k.last_used_at_ns) return;
      k.last_used_ip = e.client_ip;
      k.last_used_at_ns = e.used_at_ns;
    });
  }
};

}  // namespace

void apply_event(MutableLedger& state, const Event& event) {
  std::visit(Folder{state, event}, event.payload);
}

void require_same_identity(const KeyRecord& changed, std::string_view key_id,
                           std::string_view owner) {
  if (changed.key_id != key_id || changed.owner != owner)
    throw std::logic_error("change_key: the id and owner of a key cannot change");
}

const UserRecord* LedgerState::find_user(std::string_view user_id) const {
  auto it = users_.find(user_id);
  return it == users_.end() ? nullptr : &it->second;
}

UserRecord* LedgerState::edit_user(std::string_view user_id) {
  auto it = users_.find(user_id);
  return it == users_.end() ? nullptr : &it->second;
}

void LedgerState::put_user(UserRecord user) {
  std::string id = user.user_id;
  users_.insert_or_assign(std::move(id), std::move(user));
}

std::optional<KeyRecord> LedgerState::find_key(std::string_view key_id) const {
  auto position = keys_.find(key_id);
  if (!position) return std::nullopt;
  return keys_.get(*position);
}

void LedgerState::put_key(const KeyRecord& key) {
  if (add_key(key)) return;
  const KeyTable::Position position = *keys_.find(key.key_id);
  const bool was_live = !keys_.deleted(position);
  const KeyTable::OwnerIndex old_owner = keys_.owner(position);
  keys_.replace(position, key);
  relist(position, was_live, old_owner);
}

bool LedgerState::add_key(const KeyRecord& key) {
  const auto position = keys_.add(key);
  if (!position) return false;
  if (!key.deleted) list_live_key(keys_.owner(*position), *position);
  return true;
}

bool LedgerState::change_key(std::string_view key_id,
                             const std::function<void(KeyRecord&)>& change) {
  const auto position = keys_.find(key_id);
  if (!position) return false;
  KeyRecord key = keys_.get(*position);
  const bool was_live = !key.deleted;
  const std::string owner = key.owner;
  change(key);
  require_same_identity(key, key_id, owner);
  keys_.replace(*position, key);
  relist(*position, was_live, keys_.owner(*position));
  return true;
}

// After the key at `position` was replaced: the fold only ever deletes a
// live key, but a whole record put may also bring a key back or hand it to
// another owner.
void LedgerState::relist(KeyTable::Position position, bool was_live,
                         KeyTable::OwnerIndex old_owner) {
  const bool live = !keys_.deleted(position);
  const KeyTable::OwnerIndex owner = keys_.owner(position);
  const bool moved = owner != old_owner;
  if (was_live && (!live || moved)) forget_live_key(old_owner, position);
  if (live && (!was_live || moved)) list_live_key(owner, position);
}

std::vector<KeyTable::Position>& LedgerState::live_list(KeyTable::OwnerIndex owner) {
  if (owner >= live_keys_by_owner_.size()) live_keys_by_owner_.resize(owner + 1);
  return live_keys_by_owner_[owner];
}

// Keeps the owner's list oldest first. New keys come in creation order, so
// this appends, save for a key put back out of order.
void LedgerState::list_live_key(KeyTable::OwnerIndex owner, KeyTable::Position key) {
  auto& keys = live_list(owner);
  const std::uint64_t seq = keys_.created_seq(key);
  if (keys.empty() || keys_.created_seq(keys.back()) <= seq) {
    keys.push_back(key);
    return;
  }
  auto at = std::upper_bound(
      keys.begin(), keys.end(), seq,
      [this](std::uint64_t s, KeyTable::Position p) { return s < keys_.created_seq(p); });
  keys.insert(at, key);
}

std::optional<KeyTable::Position> LedgerState::add_unlisted_key(const KeyRecord& key) {
  return keys_.add(key);
}

void LedgerState::set_live_keys(KeyTable::OwnerIndex owner, std::vector<KeyTable::Position> keys) {
  live_list(owner) = std::move(keys);
}

void LedgerState::forget_live_key(KeyTable::OwnerIndex owner, KeyTable::Position key) {
  if (owner >= live_keys_by_owner_.size()) return;
  auto& keys = live_keys_by_owner_[owner];
  keys.erase(std::remove(keys.begin(), keys.end(), key), keys.end());
  if (keys.empty()) keys.shrink_to_fit();
}

void LedgerState::for_each_key(const std::function<void(const KeyRecord&)>& visit) const {
  for (KeyTable::Position position = 0; position < keys_.size(); ++position)
    visit(keys_.get(position));
}

const std::vector<KeyTable::Position>& LedgerState::live_positions_of(
    std::string_view owner) const {
  static const std::vector<KeyTable::Position> kNone;
  auto index = keys_.find_owner(owner);
  return index && *index < live_keys_by_owner_.size() ? live_keys_by_owner_[*index] : kNone;
}

std::vector<KeyRecord> LedgerState::live_keys_of(std::string_view owner) const {
  std::vector<KeyRecord> out;
  for (KeyTable::Position position : live_positions_of(owner)) out.push_back(keys_.get(position));
  return out;
}

std::vector<std::string> LedgerState::live_key_ids_of(std::string_view owner) const {
  std::vector<std::string> out;
  for (KeyTable::Position position : live_positions_of(owner))
    out.emplace_back(keys_.key_id(position));
  return out;
}

bool LedgerState::operator==(const LedgerState& other) const {
  if (users_ != other.users_ || keys_.size() != other.keys_.size()) return false;
  for (KeyTable::Position position = 0; position < keys_.size(); ++position) {
    KeyRecord key = keys_.get(position);
    if (other.find_key(key.key_id) != key) return false;
  }
  return true;
}

}  // namespace keyledger::projections
