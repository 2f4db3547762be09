// Loads the stored keys table into a fresh LedgerState and checks the stored
// owner index against it. At a million keys, sorting the records into
// creation order before inserting them, and looking every index entry up in
// the key table, each cost about as much as reading the keys; this does
// neither. Keys go into the table in stored order while each owner's keys
// are collected in key-id order; the owner index (sorted by owner, then key
// id) is then matched against those lists front to back, and each owner's
// live keys are listed oldest first once at the end.
#pragma once

#include <cstdint>
#include <memory_resource>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/huge_page_memory.h"
#include "core/records.h"
#include "projections/ledger_state.h"

namespace keyledger::projections {

class StoredKeyLoader {
 public:
  // `state` must hold no keys yet and outlive the loader. `expected_keys`
  // (0 if unknown) sizes the key table once: growing a table of a million
  // keys rehashes it again and again.
  StoredKeyLoader(LedgerState& state, std::size_t expected_keys);

  // Adds one decoded record. False if a key of that id is loaded already.
  // Ascending key-id order (the keys table's own order) is cheapest; any
  // other order costs a sort before the index is matched.
  bool add(const KeyRecord& key);

  // Matches the next owner-index entry. Entries must come in the index's
  // order (owner, then key id, byte-wise). False if the entry names no
  // loaded key of that owner, or one already matched.
  bool match_index_entry(std::string_view owner, std::string_view key_id);

  // True when every loaded key has been matched by an index entry.
  bool index_complete() const { return matched_ == loaded_; }

  // Lists each owner's live keys in the state, oldest first (as the fold
  // lists them). Call once, after the last add.
  void finish();

 private:
  struct LoadedKey {
    std::uint64_t created_seq;
    KeyTable::Position position;  // in the state's key table
  };
  struct OwnerKeys {
    explicit OwnerKeys(std::pmr::memory_resource* scratch) : keys(scratch) {}
    std::pmr::vector<LoadedKey> keys;  // in key-id order until finish()
    std::size_t matched = 0;           // keys[0, matched) are matched
  };

  void sort_by_key_id();
  std::string_view key_id(const LoadedKey& key) const;

  LedgerState& state_;
  // The owners' lists live only while loading. From mapped blocks, so that
  // all of it goes back to the system with the loader: freed to the heap,
  // interleaved with the state's own allocations, most of it stayed
  // resident (+16 B per key at a million keys).
  HugePageResource pages_;
  std::pmr::monotonic_buffer_resource scratch_{HugePageResource::kMapThreshold, &pages_};
  std::vector<OwnerKeys> owners_;  // by the key table's owner index
  std::optional<KeyTable::Position> last_added_;
  bool ascending_ = true;  // every add so far came in key-id order
  std::size_t loaded_ = 0;
  std::size_t matched_ = 0;
  // The owner of the previous index entry, which the next one usually
  // shares (the index is grouped by owner).
  std::string current_owner_;
  std::optional<std::size_t> current_;  // its index in owners_
};

}  // namespace keyledger::projections
