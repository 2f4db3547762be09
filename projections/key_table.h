// The keys of a LedgerState, packed: one 128-byte record per key in 2 MiB
// chunks of huge pages, found through an open-addressed table of 8-byte
// entries. A std::unordered_map of KeyRecords cost ~320 bytes per key (five
// std::strings of 32 bytes each, a node, its bucket and the id again in the
// owner's list) and a heap allocation per key; here ids and names are
// 24-byte strings that keep up to 22 characters inline, owners are interned
// (a 4-byte index), and a last-use address that is canonical IPv4 text is a
// 4-byte number (core/ipv4_text.h), so the table returns exactly the
// KeyRecord it was given. Keys are never removed (a deleted key stays, marked
// deleted), so a key's position is stable for the table's life.
//
// Records are copied in and out as KeyRecords: nothing outside holds a
// pointer into the table (key_id()'s view lasts only until the next add or
// replace). Not thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/huge_page_memory.h"
#include "core/records.h"
#include "projections/string_map.h"

namespace keyledger::projections {

class KeyTable {
 public:
  using Position = std::uint32_t;
  using OwnerIndex = std::uint32_t;

  KeyTable() = default;
  KeyTable(const KeyTable& other);
  KeyTable(KeyTable&& other) noexcept;
  KeyTable& operator=(const KeyTable& other);
  KeyTable& operator=(KeyTable&& other) noexcept;
  ~KeyTable();

  std::size_t size() const { return size_; }
  // Makes room for `keys` keys in all, so loading does not grow the lookup
  // table again and again.
  void reserve(std::size_t keys);

  std::optional<Position> find(std::string_view key_id) const;
  // Adds `key`; nothing (and no change) if its id is taken.
  std::optional<Position> add(const KeyRecord& key);
  // Overwrites the key at `position` with `key`, which must have its id.
  void replace(Position position, const KeyRecord& key);
  KeyRecord get(Position position) const;

  // Single fields, for callers that need no whole record. The id's view is
  // valid until the next add or replace (the first chunk moves as it grows).
  std::string_view key_id(Position position) const;
  std::uint64_t created_seq(Position position) const;
  bool deleted(Position position) const;
  OwnerIndex owner(Position position) const;

  // Owners are numbered in the order they first own a key.
  std::optional<OwnerIndex> find_owner(std::string_view user_id) const;
  const std::string& owner_name(OwnerIndex owner) const { return owners_[owner]; }
  std::size_t owner_count() const { return owners_.size(); }

 private:
  struct Record;
  struct Entry {
    std::uint32_t position_plus_one = 0;  // 0: empty
    std::uint32_t hash = 0;
  };
  // 16384 records of 128 bytes: one 2 MiB huge page per chunk.
  static constexpr std::size_t kChunkShift = 14;
  static constexpr std::size_t kChunkRecords = std::size_t{1} << kChunkShift;

  Record& record(Position position) const;
  std::size_t chunk_capacity(std::size_t chunk) const;
  void grow_first_chunk_to(std::size_t capacity);
  // Room for the record at position size_, not yet constructed.
  Record* slot_for_next();
  // Sets every field of `record` from `key` except the owner.
  void write(Record& record, const KeyRecord& key, Position position);
  OwnerIndex intern_owner(std::string_view user_id);
  // The entry holding `key_id`, or the empty entry where it would go.
  Entry& probe(std::string_view key_id, std::uint32_t hash) const;
  void grow_entries_to(std::size_t capacity);
  void release();
  void take(KeyTable& other) noexcept;

  HugePageResource pages_;  // stateless: any instance frees what another took
  std::vector<Record*> chunks_;
  std::size_t first_chunk_capacity_ = 0;
  std::size_t size_ = 0;
  Entry* entries_ = nullptr;
  std::size_t entry_capacity_ = 0;
  std::vector<std::string> owners_;
  StringMap<OwnerIndex> owner_by_id_;
  // Last-use addresses that are not canonical IPv4 text (IPv6 clients).
  std::unordered_map<Position, std::string> other_addresses_;
};

}  // namespace keyledger::projections
