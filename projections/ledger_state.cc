#include "projections/ledger_state.h"

#include <algorithm>
#include <utility>

namespace keyledger::projections {
namespace {

struct Folder {
  MutableLedger& state;
  const Event& event;

  template <typename Change>
  void update_user(const std::string& user_id, Change change) {
    if (UserRecord* user = state.edit_user(user_id)) change(*user);
  }
  template <typename Change>
  void update_key(const std::string& key_id, Change change) {
    if (KeyRecord* key = state.edit_key(key_id)) change(*key);
  }

  void operator()(const UserCreated& e) {
    if (state.find_user(e.user_id) != nullptr) return;
    state.put_user(
        UserRecord{e.user_id, e.privilege, false, false, e.password_hash, event.time_ns});
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
    update_user(e.user_id, [&](UserRecord& u) { u.password_hash = e.password_hash; });
  }
  void operator()(const UserLocked& e) {
    update_user(e.user_id, [](UserRecord& u) { u.locked = true; });
  }
  void operator()(const UserUnlocked& e) {
    update_user(e.user_id, [](UserRecord& u) { u.locked = false; });
  }
  void operator()(const KeyCreated& e) {
    if (state.find_key(e.key_id) != nullptr || state.find_user(e.owner) == nullptr) return;
    KeyRecord key;
    key.key_id = e.key_id;
    key.owner = e.owner;
    key.name = e.name;
    key.secret_hash = e.secret_hash;
    key.created_at_ns = event.time_ns;
    key.created_seq = event.seq;
    state.put_key(std::move(key));
  }
  void operator()(const KeyRenamed& e) {
    update_key(e.key_id, [&](KeyRecord& k) { k.name = e.name; });
  }
  void operator()(const KeyDeleted& e) {
    // Through put_key, not edit_key: the state drops the key from its owner's
    // live list when it sees the deletion.
    const KeyRecord* key = state.find_key(e.key_id);
    if (key == nullptr) return;
    KeyRecord deleted = *key;
    deleted.deleted = true;
    deleted.deleted_at_ns = event.time_ns;
    state.put_key(std::move(deleted));
  }
  void operator()(const KeyUsed& e) {
    // Uses may be persisted out of order (flushes race verifications); the
    // newest use wins.
    const KeyRecord* key = state.find_key(e.key_id);
    if (key == nullptr || e.used_at_ns < key->last_used_at_ns) return;
    update_key(e.key_id, [&](KeyRecord& k) {
      k.last_used_ip = e.client_ip;
      k.last_used_at_ns = e.used_at_ns;
    });
  }
};

}  // namespace

void apply_event(MutableLedger& state, const Event& event) {
  std::visit(Folder{state, event}, event.payload);
}

LedgerState::LedgerState() : key_table_(std::make_unique<KeyTable>()) {}

LedgerState::LedgerState(const LedgerState& other)
    : users_(other.users_),
      key_table_(std::make_unique<KeyTable>()),
      live_keys_by_owner_(other.live_keys_by_owner_) {
  key_table_->keys.reserve(other.keys().size());
  key_table_->keys.insert(other.keys().begin(), other.keys().end());
}

// The moved-from state is left empty and usable.
LedgerState::LedgerState(LedgerState&& other) noexcept
    : users_(std::move(other.users_)),
      key_table_(std::exchange(other.key_table_, std::make_unique<KeyTable>())),
      live_keys_by_owner_(std::move(other.live_keys_by_owner_)) {}

LedgerState& LedgerState::operator=(const LedgerState& other) {
  if (this != &other) *this = LedgerState(other);
  return *this;
}

LedgerState& LedgerState::operator=(LedgerState&& other) noexcept {
  if (this == &other) return *this;
  users_ = std::move(other.users_);
  key_table_ = std::exchange(other.key_table_, std::make_unique<KeyTable>());
  live_keys_by_owner_ = std::move(other.live_keys_by_owner_);
  return *this;
}

LedgerState::~LedgerState() = default;

const UserRecord* LedgerState::find_user(std::string_view user_id) const {
  auto it = users_.find(user_id);
  return it == users_.end() ? nullptr : &it->second;
}

const KeyRecord* LedgerState::find_key(std::string_view key_id) const {
  auto it = key_table_->keys.find(key_id);
  return it == key_table_->keys.end() ? nullptr : &it->second;
}

UserRecord* LedgerState::edit_user(std::string_view user_id) {
  auto it = users_.find(user_id);
  return it == users_.end() ? nullptr : &it->second;
}

KeyRecord* LedgerState::edit_key(std::string_view key_id) {
  auto it = key_table_->keys.find(key_id);
  return it == key_table_->keys.end() ? nullptr : &it->second;
}

void LedgerState::put_user(UserRecord user) {
  std::string id = user.user_id;
  users_.insert_or_assign(std::move(id), std::move(user));
}

void LedgerState::put_key(KeyRecord key) {
  // One probe of the table, whether the key is new or not: at a million
  // keys each probe is a cache miss or two.
  auto [it, added] = key_table_->keys.try_emplace(key.key_id);
  if (added) {
    if (!key.deleted) live_keys_by_owner_[key.owner].push_back(key.key_id);
  } else if (key.deleted && !it->second.deleted) {
    forget_live_key(key.owner, key.key_id);
  }
  it->second = std::move(key);
}

const KeyRecord* LedgerState::add_unlisted_key(KeyRecord key) {
  std::string id = key.key_id;
  auto [it, added] = key_table_->keys.try_emplace(std::move(id), std::move(key));
  return added ? &it->second : nullptr;
}

void LedgerState::set_live_key_ids(std::string owner, std::vector<std::string> key_ids) {
  live_keys_by_owner_.insert_or_assign(std::move(owner), std::move(key_ids));
}

// Deleted keys leave the owner's list so that listing stays as cheap as the
// number of live keys, however many were deleted over the years.
void LedgerState::forget_live_key(const std::string& owner, const std::string& key_id) {
  auto owner_it = live_keys_by_owner_.find(owner);
  if (owner_it == live_keys_by_owner_.end()) return;
  auto& ids = owner_it->second;
  ids.erase(std::remove(ids.begin(), ids.end(), key_id), ids.end());
  if (ids.empty()) live_keys_by_owner_.erase(owner_it);
}

const std::vector<std::string>& LedgerState::live_key_ids_of(std::string_view owner) const {
  static const std::vector<std::string> kNone;
  auto it = live_keys_by_owner_.find(owner);
  return it == live_keys_by_owner_.end() ? kNone : it->second;
}

}  // namespace keyledger::projections
