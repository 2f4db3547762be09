// The current state folded from the log: users, keys, and keys by owner.
// apply_event() is THE fold (state + event → state), shared by the live
// server, replay, verification and followers.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/event.h"
#include "core/records.h"
#include "projections/key_table.h"
#include "projections/string_map.h"

namespace keyledger::projections {

class StoredKeyLoader;

// State the fold can read and write; implemented by LedgerState and by the
// writer's staging overlay.
class MutableLedger : public LedgerView {
 public:
  virtual void put_user(UserRecord user) = 0;
  // Adds `key`, or replaces the key of its id.
  virtual void put_key(const KeyRecord& key) = 0;
  // Adds `key` unless a key of its id exists; false, changing nothing, then.
  virtual bool add_key(const KeyRecord& key) = 0;
  // Lets `change` edit the key of `key_id` and keeps the result; false when
  // there is no such key. `change` must not alter the id or the owner.
  // (One lookup, where find_key and put_key take two: replay's fold does
  // this for most events.)
  virtual bool change_key(std::string_view key_id,
                          const std::function<void(KeyRecord&)>& change) = 0;
  // A record to change in place, or nullptr when there is none. Valid until
  // the next put or edit. (Keys have no such call: the state keeps them
  // packed, not as KeyRecords; change_key edits a copy and keeps it.)
  virtual UserRecord* edit_user(std::string_view user_id) = 0;
};

// MutableLedger::change_key's rule, for every implementation: throws
// std::logic_error if `changed` no longer has `key_id` and `owner`. A
// changed id would leave a lookup entry stale, a changed owner the owner
// lists: a bug in the caller, never something to store.
void require_same_identity(const KeyRecord& changed, std::string_view key_id,
                           std::string_view owner);

// Folds one event into `state`. Events that name a missing user or key
// (impossible for logs this code wrote) change nothing.
void apply_event(MutableLedger& state, const Event& event);

// A plain, single-threaded state.
class LedgerState final : public MutableLedger {
 public:
  const UserRecord* find_user(std::string_view user_id) const override;
  std::optional<KeyRecord> find_key(std::string_view key_id) const override;
  void put_user(UserRecord user) override;
  void put_key(const KeyRecord& key) override;
  bool add_key(const KeyRecord& key) override;
  bool change_key(std::string_view key_id, const std::function<void(KeyRecord&)>& change) override;
  UserRecord* edit_user(std::string_view user_id) override;

  const StringMap<UserRecord>& users() const { return users_; }
  std::size_t key_count() const { return keys_.size(); }
  // Calls `visit` with every key, live and deleted, in no particular order.
  void for_each_key(const std::function<void(const KeyRecord&)>& visit) const;
  // Makes room for `count` keys in all (loading a stored projection).
  void reserve_keys(std::size_t count) { keys_.reserve(count); }
  // The live (not deleted) keys owned by `owner`, oldest first.
  std::vector<KeyRecord> live_keys_of(std::string_view owner) const;
  // Their ids only.
  std::vector<std::string> live_key_ids_of(std::string_view owner) const;

  // The same users and keys (the order keys were added in does not count).
  bool operator==(const LedgerState& other) const;

 private:
  // StoredKeyLoader fills a fresh state's keys in stored (key id) order and
  // sets the owner lists once at the end, which is cheaper than put_key in
  // creation order (that needs every record sorted first).
  friend class StoredKeyLoader;
  // Adds `key` without listing it under its owner; nothing if the id is
  // taken.
  std::optional<KeyTable::Position> add_unlisted_key(const KeyRecord& key);
  void set_live_keys(KeyTable::OwnerIndex owner, std::vector<KeyTable::Position> keys);
  const KeyTable& key_table() const { return keys_; }

  const std::vector<KeyTable::Position>& live_positions_of(std::string_view owner) const;
  std::vector<KeyTable::Position>& live_list(KeyTable::OwnerIndex owner);
  void relist(KeyTable::Position position, bool was_live, KeyTable::OwnerIndex old_owner);
  void list_live_key(KeyTable::OwnerIndex owner, KeyTable::Position key);
  void forget_live_key(KeyTable::OwnerIndex owner, KeyTable::Position key);

  StringMap<UserRecord> users_;
  KeyTable keys_;
  // Positions of each owner's live keys in keys_, oldest first, by owner
  // index; a deleted key leaves its owner's list, so listing costs as much
  // as the live keys however many were deleted over the years.
  std::vector<std::vector<KeyTable::Position>> live_keys_by_owner_;
};

}  // namespace keyledger::projections
