#include "projections/key_table.h"

#include <boost/container/string.hpp>
#include <functional>
#include <memory>
#include <new>
#include <stdexcept>
#include <utility>

#include "core/ipv4_text.h"

namespace keyledger::projections {
namespace {

// boost's string keeps up to 22 characters inline in 24 bytes (std::string:
// 15 in 32), which covers key ids (12), typical names and every IPv4 text.
using SmallText = boost::container::string;

std::string_view view_of(const SmallText& text) { return {text.data(), text.size()}; }

std::uint32_t hash_of(std::string_view key_id) {
  const std::uint64_t full = std::hash<std::string_view>{}(key_id);
  return static_cast<std::uint32_t>(full ^ (full >> 32));
}

// Where a hash's probe starts in a table of `capacity` entries: the hash
// scaled to the table, so any capacity works and growing needs no ids.
std::size_t home_of(std::uint32_t hash, std::size_t capacity) {
  return static_cast<std::size_t>((std::uint64_t{hash} * capacity) >> 32);
}

enum class AddressKind : std::uint8_t { kNone, kIpv4, kOther };

// The lookup table stays at most 70% full: probes stay short, and at 8 bytes
// an entry the headroom costs ~4 bytes per key.
constexpr std::size_t kMaxLoadPercent = 70;
constexpr std::size_t kFirstChunkRecords = 64;

}  // namespace

struct KeyTable::Record {
  SmallText key_id;
  SmallText name;
  Hash256 secret_hash{};
  TimeNs created_at_ns = 0;
  TimeNs deleted_at_ns = 0;
  TimeNs last_used_at_ns = 0;
  std::uint64_t created_seq = 0;
  OwnerIndex owner = 0;
  std::uint32_t last_used_ipv4 = 0;
  AddressKind address = AddressKind::kNone;
  bool deleted = false;
};

namespace {

// The fields a Record and a KeyRecord share under one name, copied either
// way: write() and get() differ only in the owner (interned) and the
// last-use address (packed).
template <typename From, typename To>
void copy_shared_fields(const From& from, To& to) {
  to.key_id.assign(from.key_id.data(), from.key_id.size());
  to.name.assign(from.name.data(), from.name.size());
  to.secret_hash = from.secret_hash;
  to.created_at_ns = from.created_at_ns;
  to.deleted_at_ns = from.deleted_at_ns;
  to.last_used_at_ns = from.last_used_at_ns;
  to.created_seq = from.created_seq;
  to.deleted = from.deleted;
}

}  // namespace

// An exact copy: the same positions and owner indexes, which the owner
// lists of a copied LedgerState refer to.
// Delegates first, so that the destructor frees what a throw leaves behind.
KeyTable::KeyTable(const KeyTable& other) : KeyTable() {
  owners_ = other.owners_;
  owner_by_id_ = other.owner_by_id_;
  other_addresses_ = other.other_addresses_;
  if (other.entry_capacity_ > 0) {
    entries_ =
        static_cast<Entry*>(pages_.allocate(other.entry_capacity_ * sizeof(Entry), alignof(Entry)));
    std::uninitialized_copy_n(other.entries_, other.entry_capacity_, entries_);
    entry_capacity_ = other.entry_capacity_;
  }
  chunks_.reserve(other.chunks_.size());
  for (std::size_t chunk = 0; chunk < other.chunks_.size(); ++chunk) {
    // chunks_ has room (reserved above): push_back cannot throw and lose it.
    chunks_.push_back(static_cast<Record*>(
        pages_.allocate(other.chunk_capacity(chunk) * sizeof(Record), alignof(Record))));
    if (chunk == 0) first_chunk_capacity_ = other.first_chunk_capacity_;
  }
  for (; size_ < other.size_; ++size_) {
    const auto position = static_cast<Position>(size_);
    new (&record(position)) Record(other.record(position));
  }
}

KeyTable::KeyTable(KeyTable&& other) noexcept { take(other); }

KeyTable& KeyTable::operator=(const KeyTable& other) {
  if (this != &other) *this = KeyTable(other);
  return *this;
}

KeyTable& KeyTable::operator=(KeyTable&& other) noexcept {
  if (this == &other) return *this;
  release();
  take(other);
  return *this;
}

// Takes everything `other` holds, leaving it empty and usable; this table
// must hold nothing.
void KeyTable::take(KeyTable& other) noexcept {
  chunks_ = std::exchange(other.chunks_, {});
  first_chunk_capacity_ = std::exchange(other.first_chunk_capacity_, 0);
  size_ = std::exchange(other.size_, 0);
  entries_ = std::exchange(other.entries_, nullptr);
  entry_capacity_ = std::exchange(other.entry_capacity_, 0);
  owners_ = std::exchange(other.owners_, {});
  owner_by_id_ = std::exchange(other.owner_by_id_, {});
  other_addresses_ = std::exchange(other.other_addresses_, {});
}

KeyTable::~KeyTable() {
  static_assert(sizeof(Record) == 128, "a chunk is meant to fill one 2 MiB huge page");
  release();
}

void KeyTable::release() {
  for (Position position = 0; position < size_; ++position) record(position).~Record();
  for (std::size_t chunk = 0; chunk < chunks_.size(); ++chunk)
    pages_.deallocate(chunks_[chunk], chunk_capacity(chunk) * sizeof(Record), alignof(Record));
  if (entries_ != nullptr)
    pages_.deallocate(entries_, entry_capacity_ * sizeof(Entry), alignof(Entry));
  chunks_.clear();
  first_chunk_capacity_ = 0;
  size_ = 0;
  entries_ = nullptr;
  entry_capacity_ = 0;
  owners_.clear();
  owner_by_id_.clear();
  other_addresses_.clear();
}

std::size_t KeyTable::chunk_capacity(std::size_t chunk) const {
  return chunk == 0 ? first_chunk_capacity_ : kChunkRecords;
}

KeyTable::Record& KeyTable::record(Position position) const {
  return chunks_[position >> kChunkShift][position & (kChunkRecords - 1)];
}

void KeyTable::reserve(std::size_t keys) {
  const std::size_t entries = keys * 100 / kMaxLoadPercent + 1;
  if (entries > entry_capacity_) grow_entries_to(entries);
  chunks_.reserve((keys >> kChunkShift) + 1);
  if (size_ == 0 && first_chunk_capacity_ < std::min(keys, kChunkRecords))
    grow_first_chunk_to(std::min(keys, kChunkRecords));
}

void KeyTable::grow_first_chunk_to(std::size_t capacity) {
  auto* grown = static_cast<Record*>(pages_.allocate(capacity * sizeof(Record), alignof(Record)));
  if (!chunks_.empty()) {
    Record* old = chunks_[0];
    for (std::size_t i = 0; i < size_; ++i) {
      new (&grown[i]) Record(std::move(old[i]));
      old[i].~Record();
    }
    pages_.deallocate(old, first_chunk_capacity_ * sizeof(Record), alignof(Record));
    chunks_[0] = grown;
  } else {
    chunks_.push_back(grown);
  }
  first_chunk_capacity_ = capacity;
}

// Room for the record at position size_: the first chunk grows by doubling
// (a small state costs kilobytes, not a huge page), later chunks are whole.
KeyTable::Record* KeyTable::slot_for_next() {
  const std::size_t chunk = size_ >> kChunkShift;
  if (chunk == 0) {
    if (size_ == first_chunk_capacity_)
      grow_first_chunk_to(std::max(kFirstChunkRecords, std::min(2 * size_, kChunkRecords)));
  } else if (chunk == chunks_.size()) {
    chunks_.reserve(chunks_.size() + 1);  // so push_back cannot throw and lose the chunk
    chunks_.push_back(
        static_cast<Record*>(pages_.allocate(kChunkRecords * sizeof(Record), alignof(Record))));
  }
  return &record(static_cast<Position>(size_));
}

void KeyTable::grow_entries_to(std::size_t capacity) {
  auto* grown = static_cast<Entry*>(pages_.allocate(capacity * sizeof(Entry), alignof(Entry)));
  std::uninitialized_value_construct_n(grown, capacity);
  for (std::size_t i = 0; i < entry_capacity_; ++i) {
    const Entry& entry = entries_[i];
    if (entry.position_plus_one == 0) continue;
    std::size_t at = home_of(entry.hash, capacity);
    while (grown[at].position_plus_one != 0)
      if (++at == capacity) at = 0;
    grown[at] = entry;
  }
  if (entries_ != nullptr)
    pages_.deallocate(entries_, entry_capacity_ * sizeof(Entry), alignof(Entry));
  entries_ = grown;
  entry_capacity_ = capacity;
}

KeyTable::Entry& KeyTable::probe(std::string_view key_id, std::uint32_t hash) const {
  std::size_t at = home_of(hash, entry_capacity_);
  for (;;) {
    Entry& entry = entries_[at];
    if (entry.position_plus_one == 0) return entry;
    if (entry.hash == hash && view_of(record(entry.position_plus_one - 1).key_id) == key_id)
      return entry;
    if (++at == entry_capacity_) at = 0;
  }
}

std::optional<KeyTable::Position> KeyTable::find(std::string_view key_id) const {
  if (size_ == 0) return std::nullopt;
  const Entry& entry = probe(key_id, hash_of(key_id));
  if (entry.position_plus_one == 0) return std::nullopt;
  return entry.position_plus_one - 1;
}

std::optional<KeyTable::Position> KeyTable::add(const KeyRecord& key) {
  if (size_ >= UINT32_MAX - 1) throw std::length_error("key table: too many keys");
  if ((size_ + 1) * 100 > entry_capacity_ * kMaxLoadPercent)
    grow_entries_to(std::max<std::size_t>(16, entry_capacity_ * 2));
  const std::uint32_t hash = hash_of(key.key_id);
  Entry& entry = probe(key.key_id, hash);
  if (entry.position_plus_one != 0) return std::nullopt;
  const auto position = static_cast<Position>(size_);
  const OwnerIndex owner = intern_owner(key.owner);
  // Counted and findable only once fully written: if writing throws, the
  // table is as it was (but for an interned owner).
  Record* record = new (slot_for_next()) Record;
  try {
    record->owner = owner;
    write(*record, key, position);
  } catch (...) {
    other_addresses_.erase(position);
    record->~Record();
    throw;
  }
  ++size_;
  entry = Entry{position + 1, hash};
  return position;
}

void KeyTable::replace(Position position, const KeyRecord& key) {
  Record& replaced = record(position);
  // Usually the same owner: a string comparison instead of a hash lookup.
  if (owners_[replaced.owner] != key.owner) replaced.owner = intern_owner(key.owner);
  write(replaced, key, position);
}

void KeyTable::write(Record& record, const KeyRecord& key, Position position) {
  copy_shared_fields(key, record);
  const bool used = !key.last_used_ip.empty();
  const std::optional<std::uint32_t> ipv4 =
      used ? parse_canonical_ipv4(key.last_used_ip) : std::nullopt;
  if (used && !ipv4) {
    other_addresses_.insert_or_assign(position, key.last_used_ip);  // first: it may throw
    record.address = AddressKind::kOther;
    return;
  }
  if (record.address == AddressKind::kOther) other_addresses_.erase(position);
  record.address = ipv4 ? AddressKind::kIpv4 : AddressKind::kNone;
  record.last_used_ipv4 = ipv4.value_or(0);
}

KeyRecord KeyTable::get(Position position) const {
  const Record& r = record(position);
  KeyRecord key;
  copy_shared_fields(r, key);
  key.owner = owners_[r.owner];
  switch (r.address) {
    case AddressKind::kNone:
      break;
    case AddressKind::kIpv4:
      key.last_used_ip = format_ipv4(r.last_used_ipv4);
      break;
    case AddressKind::kOther:
      key.last_used_ip = other_addresses_.at(position);
      break;
  }
  return key;
}

std::string_view KeyTable::key_id(Position position) const {
  return view_of(record(position).key_id);
}
std::uint64_t KeyTable::created_seq(Position position) const {
  return record(position).created_seq;
}
bool KeyTable::deleted(Position position) const { return record(position).deleted; }
KeyTable::OwnerIndex KeyTable::owner(Position position) const { return record(position).owner; }

std::optional<KeyTable::OwnerIndex> KeyTable::find_owner(std::string_view user_id) const {
  auto it = owner_by_id_.find(user_id);
  if (it == owner_by_id_.end()) return std::nullopt;
  return it->second;
}

KeyTable::OwnerIndex KeyTable::intern_owner(std::string_view user_id) {
  // Consecutive records usually share an owner (loading, a user's batch).
  if (!owners_.empty() && owners_.back() == user_id)
    return static_cast<OwnerIndex>(owners_.size() - 1);
  if (auto found = owner_by_id_.find(user_id); found != owner_by_id_.end()) return found->second;
  const auto index = static_cast<OwnerIndex>(owners_.size());
  owners_.emplace_back(user_id);
  owner_by_id_.emplace(owners_.back(), index);
  return index;
}

}  // namespace keyledger::projections
