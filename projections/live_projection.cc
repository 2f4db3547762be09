#include "projections/live_projection.h"

#include <mutex>

#include "projections/record_codec.h"
#include "projections/stored_projection.h"

namespace keyledger::projections {

LiveProjection::LiveProjection(LedgerState initial) : state_(std::move(initial)) {
  index_.reserve(state_.key_count());
  for (const auto& [id, user] : state_.users()) index_.put_user(user);
  state_.for_each_key([this](const KeyRecord& key) { index_.put_key(key); });
}

StatusOr<std::unique_ptr<LiveProjection>> LiveProjection::load(const EventLog& log) {
  auto state = load_stored_state(log);
  if (!state.is_ok()) return state.status();
  return std::make_unique<LiveProjection>(std::move(state).value());
}

std::optional<UserRecord> LiveProjection::user(std::string_view user_id) const {
  std::shared_lock lock(mutex_);
  const UserRecord* user = state_.find_user(user_id);
  return user ? std::optional<UserRecord>(*user) : std::nullopt;
}

std::optional<KeyRecord> LiveProjection::key(std::string_view key_id) const {
  std::shared_lock lock(mutex_);
  return state_.find_key(key_id);
}

std::vector<KeyRecord> LiveProjection::live_keys_of(std::string_view owner) const {
  std::shared_lock lock(mutex_);
  return state_.live_keys_of(owner);
}

std::vector<UserRecord> LiveProjection::users() const {
  std::shared_lock lock(mutex_);
  std::vector<UserRecord> out;
  for (const auto& [id, user] : state_.users()) out.push_back(user);
  std::sort(out.begin(), out.end(),
            [](const UserRecord& a, const UserRecord& b) { return a.user_id < b.user_id; });
  return out;
}

std::optional<VerificationView> LiveProjection::verification(std::string_view key_id) const {
  std::shared_lock lock(mutex_);
  return index_.view(key_id);
}

SecretCheck LiveProjection::check_secret(std::string_view key_id, const Hash256& presented,
                                         std::optional<std::uint32_t> ipv4, TimeNs at_ns) const {
  // Shared: the use cells are atomic, and the table cannot move under a reader.
  std::shared_lock lock(mutex_);
  return index_.check(key_id, presented, ipv4, at_ns);
}

bool LiveProjection::touch_use(std::string_view key_id, std::uint32_t ipv4, TimeNs at_ns) {
  // Shared: the cells are atomic, and the table cannot move under a reader.
  std::shared_lock lock(mutex_);
  UseCell* cell = index_.use_of(key_id);
  return cell != nullptr && cell->touch(ipv4, at_ns);
}

void LiveProjection::replace_use(std::string_view key_id, const KeyUse& use) {
  std::shared_lock lock(mutex_);
  if (UseCell* cell = index_.use_of(key_id)) cell->replace_if_newer(use);
}

std::optional<KeyUse> LiveProjection::newest_use(std::string_view key_id) const {
  std::shared_lock lock(mutex_);
  const UseCell* cell = index_.use_of(key_id);
  return cell ? std::optional<KeyUse>(cell->use()) : std::nullopt;
}

void LiveProjection::take_unpersisted_uses(
    const std::function<void(std::string_view, const KeyUse&)>& take) {
  std::shared_lock lock(mutex_);
  index_.for_each_live_use([&](std::string_view key_id, UseCell& cell) {
    if (auto use = cell.take_unpersisted()) take(key_id, *use);
  });
}

void LiveProjection::mark_use_unpersisted(std::string_view key_id) {
  std::shared_lock lock(mutex_);
  if (UseCell* cell = index_.use_of(key_id)) cell->mark_unpersisted();
}

void LiveProjection::read(const std::function<void(const LedgerState&)>& read) const {
  std::shared_lock lock(mutex_);
  read(state_);
}

LedgerState LiveProjection::snapshot() const {
  std::shared_lock lock(mutex_);
  return state_;
}

// The writer thread is the only one that changes state_, so it may read it
// without the lock; concurrent readers only read.
std::vector<RecordChange> LiveProjection::staged_changes() const {
  std::vector<RecordChange> changes;
  for (const auto& [id, user] : staging_.users()) append_user_records(user, changes);
  for (const auto& [id, key] : staging_.keys())
    append_key_records(key, /*new_key=*/!state_.find_key(id), changes);
  return changes;
}

void LiveProjection::publish() {
  // New keys go in creation order so each owner's list stays oldest first.
  std::vector<const KeyRecord*> keys;
  for (const auto& [id, key] : staging_.keys()) keys.push_back(&key);
  std::sort(keys.begin(), keys.end(),
            [](const KeyRecord* a, const KeyRecord* b) { return a->created_seq < b->created_seq; });
  {
    std::unique_lock lock(mutex_);
    for (const auto& [id, user] : staging_.users()) {
      state_.put_user(user);
      index_.put_user(user);
    }
    for (const KeyRecord* key : keys) {
      state_.put_key(*key);
      index_.put_key(*key);
    }
  }
  staging_.clear();
}

void LiveProjection::discard() { staging_.clear(); }

const UserRecord* LiveProjection::Staging::find_user(std::string_view user_id) const {
  auto it = users_.find(user_id);
  return it != users_.end() ? &it->second : base_.find_user(user_id);
}

std::optional<KeyRecord> LiveProjection::Staging::find_key(std::string_view key_id) const {
  auto it = keys_.find(key_id);
  return it != keys_.end() ? it->second : base_.find_key(key_id);
}

UserRecord* LiveProjection::Staging::edit_user(std::string_view user_id) {
  if (auto it = users_.find(user_id); it != users_.end()) return &it->second;
  const UserRecord* published = base_.find_user(user_id);
  if (published == nullptr) return nullptr;
  return &users_.emplace(published->user_id, *published).first->second;
}

void LiveProjection::Staging::put_user(UserRecord user) {
  std::string id = user.user_id;
  users_.insert_or_assign(std::move(id), std::move(user));
}

void LiveProjection::Staging::put_key(const KeyRecord& key) {
  keys_.insert_or_assign(key.key_id, key);
}

bool LiveProjection::Staging::add_key(const KeyRecord& key) {
  if (find_key(key.key_id)) return false;
  keys_.emplace(key.key_id, key);
  return true;
}

bool LiveProjection::Staging::change_key(std::string_view key_id,
                                         const std::function<void(KeyRecord&)>& change) {
  auto it = keys_.find(key_id);
  if (it == keys_.end()) {
    std::optional<KeyRecord> published = base_.find_key(key_id);
    if (!published) return false;
    it = keys_.emplace(published->key_id, std::move(*published)).first;
  }
  const std::string owner = it->second.owner;
  change(it->second);
  require_same_identity(it->second, key_id, owner);
  return true;
}

}  // namespace keyledger::projections
