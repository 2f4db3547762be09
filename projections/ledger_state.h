// The current state folded from the log: users, keys, and keys by owner.
// apply_event() is THE fold (state + event → state), shared by the live
// server, replay, verification and followers.
#pragma once

#include <memory>
#include <memory_resource>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/event.h"
#include "core/huge_page_memory.h"
#include "core/records.h"

namespace keyledger::projections {

class StoredKeyLoader;

// Hash and equality that accept std::string_view, so lookups do not copy.
struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view text) const {
    return std::hash<std::string_view>{}(text);
  }
};
template <typename Value>
using StringMap = std::unordered_map<std::string, Value, StringHash, std::equal_to<>>;
// The same over a given memory resource.
template <typename Value>
using PmrStringMap = std::pmr::unordered_map<std::string, Value, StringHash, std::equal_to<>>;

// State the fold can read and write; implemented by LedgerState and by the
// writer's staging overlay.
class MutableLedger : public LedgerView {
 public:
  virtual void put_user(UserRecord user) = 0;
  virtual void put_key(KeyRecord key) = 0;
  // A record to change in place, or nullptr when there is none. Valid until
  // the next put or edit.
  virtual UserRecord* edit_user(std::string_view user_id) = 0;
  virtual KeyRecord* edit_key(std::string_view key_id) = 0;
};

// Folds one event into `state`. Events that name a missing user or key
// (impossible for logs this code wrote) change nothing.
void apply_event(MutableLedger& state, const Event& event);

// A plain, single-threaded state.
class LedgerState final : public MutableLedger {
 public:
  LedgerState();
  LedgerState(const LedgerState& other);
  LedgerState(LedgerState&& other) noexcept;
  LedgerState& operator=(const LedgerState& other);
  LedgerState& operator=(LedgerState&& other) noexcept;
  ~LedgerState() override;

  const UserRecord* find_user(std::string_view user_id) const override;
  const KeyRecord* find_key(std::string_view key_id) const override;
  void put_user(UserRecord user) override;
  void put_key(KeyRecord key) override;
  UserRecord* edit_user(std::string_view user_id) override;
  KeyRecord* edit_key(std::string_view key_id) override;

  const StringMap<UserRecord>& users() const { return users_; }
  const PmrStringMap<KeyRecord>& keys() const { return key_table_->keys; }
  // Makes room for `count` keys in all (loading a stored projection).
  void reserve_keys(std::size_t count) { key_table_->keys.reserve(count); }
  // Ids of the live (not deleted) keys owned by `owner`, oldest first.
  const std::vector<std::string>& live_key_ids_of(std::string_view owner) const;

  bool operator==(const LedgerState& other) const {
    return users_ == other.users_ && keys() == other.keys();
  }

 private:
  // StoredKeyLoader fills a fresh state's keys in stored (key id) order and
  // sets the owner lists once at the end, which is cheaper than put_key in
  // creation order (that needs every record sorted first).
  friend class StoredKeyLoader;
  // Adds `key` without listing it under its owner; nullptr if the id is
  // taken. The record stays at the returned address until it is erased.
  const KeyRecord* add_unlisted_key(KeyRecord key);
  void set_live_key_ids(std::string owner, std::vector<std::string> key_ids);

  void forget_live_key(const std::string& owner, const std::string& key_id);

  // The key table with its own huge-page pool, behind a pointer so that
  // moving a state moves the table and its memory together (a pool-backed
  // map cannot be moved or swapped to another pool). Verification reads the
  // VerificationIndex, not this table, but replay's fold and the writer look
  // keys up here at random: with 4 KiB pages replay ran at half the speed
  // (docs/BENCHMARKS.md, section 5), for ~38 bytes per key saved.
  struct KeyTable {
    HugePagePool memory;
    PmrStringMap<KeyRecord> keys{memory.resource()};
  };

  StringMap<UserRecord> users_;
  std::unique_ptr<KeyTable> key_table_;  // never null, also after a move
  StringMap<std::vector<std::string>> live_keys_by_owner_;
};

}  // namespace keyledger::projections
