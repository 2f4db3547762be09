#include "projections/verification_index.h"

#include <array>
#include <cstring>
#include <new>

#include "core/ipv4_text.h"
#include "core/token.h"

namespace keyledger::projections {

bool UseCell::touch(std::uint32_t ipv4, TimeNs at_ns) {
  const std::uint64_t word = address_.load(std::memory_order_relaxed);
  if ((word & kHasAddress) == 0 || static_cast<std::uint32_t>(word) != ipv4) return false;
  TimeNs seen = at_ns_.load(std::memory_order_relaxed);
  while (seen < at_ns && !at_ns_.compare_exchange_weak(seen, at_ns)) {
  }
  // The mark is read again after the time is stored (both sequentially
  // consistent, as in take_unpersisted): if a flush cleared it before
  // reading the time, this use is marked for the next flush, never lost.
  if ((address_.load() & kUnpersisted) == 0) address_.fetch_or(kUnpersisted);
  return true;
}

void UseCell::replace_if_newer(const KeyUse& use) {
  if (use.at_ns < at_ns_.load()) return;
  address_.store(use.ipv4 ? kHasAddress | *use.ipv4 : 0);
  at_ns_.store(use.at_ns);
}

KeyUse UseCell::use() const {
  const std::uint64_t word = address_.load();
  KeyUse use;
  if ((word & kHasAddress) != 0) use.ipv4 = static_cast<std::uint32_t>(word);
  use.at_ns = at_ns_.load();
  return use;
}

std::optional<KeyUse> UseCell::take_unpersisted() {
  if ((address_.load(std::memory_order_relaxed) & kUnpersisted) == 0) return std::nullopt;
  const std::uint64_t word = address_.fetch_and(~kUnpersisted);
  if ((word & kUnpersisted) == 0) return std::nullopt;
  KeyUse use;
  if ((word & kHasAddress) != 0) use.ipv4 = static_cast<std::uint32_t>(word);
  use.at_ns = at_ns_.load();
  return use;
}

void UseCell::mark_unpersisted() { address_.fetch_or(kUnpersisted); }

void UseCell::copy_from(const UseCell& other) {
  address_.store(other.address_.load(std::memory_order_relaxed), std::memory_order_relaxed);
  at_ns_.store(other.at_ns_.load(std::memory_order_relaxed), std::memory_order_relaxed);
}

struct alignas(64) VerificationIndex::Slot {
  std::array<char, kKeyIdLength> key_id{};  // all zero: the slot is free
  std::uint32_t owner = 0;
  Hash256 secret_hash{};
  UseCell use;
  bool deleted() const { return (owner & kDeletedBit) != 0; }
  std::uint32_t owner_index() const { return owner & ~kDeletedBit; }
  static constexpr std::uint32_t kDeletedBit = 1u << 31;
};

namespace {

// At most this full, so probes stay short: 1.25 slots per key.
constexpr std::size_t kMaxLoadPercent = 80;

std::size_t capacity_for(std::size_t keys) { return keys * 100 / kMaxLoadPercent + 1; }

// Key ids are random base62 text chosen by the server, so mixing their 12
// bytes is enough; a lookup of a chosen id still ends at the first free
// slot, and the table is never fuller than kMaxLoadPercent.
std::uint64_t hash_key_id(std::string_view key_id) {
  std::uint64_t head = 0;
  std::uint32_t tail = 0;
  std::memcpy(&head, key_id.data(), 8);
  std::memcpy(&tail, key_id.data() + 8, 4);
  std::uint64_t h = (head ^ (static_cast<std::uint64_t>(tail) << 29)) * 0x9e3779b97f4a7c15ull;
  h ^= h >> 32;
  return h * 0xd6e8feb86659fd93ull;
}

// Maps a 64-bit hash onto [0, capacity) without a division.
std::size_t home_of(std::uint64_t hash, std::size_t capacity) {
  return static_cast<std::size_t>((static_cast<unsigned __int128>(hash) * capacity) >> 64);
}

bool holds(const std::array<char, kKeyIdLength>& stored, std::string_view key_id) {
  return std::memcmp(stored.data(), key_id.data(), kKeyIdLength) == 0;
}

}  // namespace

VerificationIndex::~VerificationIndex() {
  if (slots_ != nullptr) pages_.deallocate(slots_, capacity_ * sizeof(Slot), alignof(Slot));
}

void VerificationIndex::reserve(std::size_t keys) {
  // An eighth more: a restarted server grows only after that many new keys.
  const std::size_t capacity = capacity_for(keys + keys / 8);
  if (capacity > capacity_) grow_to(capacity);
}

void VerificationIndex::grow_to(std::size_t capacity) {
  // Key id, owner, hash and use fill exactly one cache line (the deleted
  // flag rides in the owner index's top bit to make it fit).
  static_assert(sizeof(Slot) == 64);
  auto* fresh = static_cast<Slot*>(pages_.allocate(capacity * sizeof(Slot), alignof(Slot)));
  for (std::size_t i = 0; i < capacity; ++i) new (&fresh[i]) Slot();
  Slot* old = slots_;
  const std::size_t old_capacity = capacity_;
  slots_ = fresh;
  capacity_ = capacity;
  prefetch_base_.store(reinterpret_cast<std::uintptr_t>(fresh), std::memory_order_relaxed);
  prefetch_capacity_.store(capacity, std::memory_order_relaxed);
  for (std::size_t i = 0; i < old_capacity; ++i) {
    const Slot& from = old[i];
    if (from.key_id[0] == 0) continue;
    Slot& to = claim(std::string_view(from.key_id.data(), kKeyIdLength));
    to.owner = from.owner;
    to.secret_hash = from.secret_hash;
    to.use.copy_from(from.use);
  }
  if (old != nullptr) pages_.deallocate(old, old_capacity * sizeof(Slot), alignof(Slot));
}

VerificationIndex::Slot* VerificationIndex::find(std::string_view key_id) const {
  if (key_id.size() != kKeyIdLength || capacity_ == 0) return nullptr;
  for (std::size_t i = home_of(hash_key_id(key_id), capacity_);;) {
    Slot& slot = slots_[i];
    if (slot.key_id[0] == 0) return nullptr;
    if (holds(slot.key_id, key_id)) return &slot;
    i = i + 1 == capacity_ ? 0 : i + 1;
  }
}

void VerificationIndex::prefetch(std::string_view key_id) const noexcept {
  if (key_id.size() != kKeyIdLength) return;
  const std::uintptr_t base = prefetch_base_.load(std::memory_order_relaxed);
  const std::size_t capacity = prefetch_capacity_.load(std::memory_order_relaxed);
  if (base == 0 || capacity == 0) return;
  // Integer arithmetic: the address may lie outside any live table.
  // The home slot and the two after it: with linear probing at 70-80% load
  // a key lies on average more than one slot past its home, and each slot
  // is a cache line of its own. Fetching one line left most lookups with a
  // miss; three took verification from 48% to 52% of raw HMAC in the
  // in-process benchmark (docs/BENCHMARKS.md, section 1). Past the table's
  // end the prefetch is wasted, never wrong.
  const std::uintptr_t home = base + home_of(hash_key_id(key_id), capacity) * sizeof(Slot);
  for (std::uintptr_t line = home; line < home + 3 * sizeof(Slot); line += sizeof(Slot))
    __builtin_prefetch(reinterpret_cast<const void*>(line));
}

VerificationIndex::Slot& VerificationIndex::claim(std::string_view key_id) {
  for (std::size_t i = home_of(hash_key_id(key_id), capacity_);;) {
    Slot& slot = slots_[i];
    if (slot.key_id[0] == 0) {
      std::memcpy(slot.key_id.data(), key_id.data(), kKeyIdLength);
      return slot;
    }
    i = i + 1 == capacity_ ? 0 : i + 1;
  }
}

std::uint32_t VerificationIndex::owner_index(std::string_view user_id) {
  if (auto it = owner_by_id_.find(user_id); it != owner_by_id_.end()) return it->second;
  const auto index = static_cast<std::uint32_t>(owners_.size());
  owners_.push_back(Owner{std::string(user_id)});
  owner_by_id_.emplace(std::string(user_id), index);
  return index;
}

void VerificationIndex::put_user(const UserRecord& user) {
  Owner& owner = owners_[owner_index(user.user_id)];
  owner.exists = true;
  owner.disabled = user.disabled;
  owner.privilege = user.privilege;
}

void VerificationIndex::put_key(const KeyRecord& key) {
  if (key.key_id.size() != kKeyIdLength || key.key_id[0] == 0) return;
  Slot* slot = find(key.key_id);
  if (slot == nullptr) {
    if ((size_ + 1) * 100 > capacity_ * kMaxLoadPercent)
      grow_to(std::max(capacity_for(size_ + 1), capacity_ + capacity_ / 2));
    slot = &claim(key.key_id);
    ++size_;
  }
  slot->owner = owner_index(key.owner) | (key.deleted ? Slot::kDeletedBit : 0);
  slot->secret_hash = key.secret_hash;
  if (key.last_used_at_ns != 0)
    slot->use.replace_if_newer(KeyUse{parse_canonical_ipv4(key.last_used_ip), key.last_used_at_ns});
}

bool VerificationIndex::usable(const Slot& slot) const {
  const Owner& owner = owners_[slot.owner_index()];
  return !slot.deleted() && owner.exists && !owner.disabled;
}

std::optional<VerificationView> VerificationIndex::view(std::string_view key_id) const {
  const Slot* slot = find(key_id);
  if (slot == nullptr) return std::nullopt;
  const Owner& owner = owners_[slot->owner_index()];
  VerificationView view;
  view.secret_hash = slot->secret_hash;
  view.usable = usable(*slot);
  view.owner = owner.user_id;
  view.owner_privilege = owner.privilege;
  return view;
}

SecretCheck VerificationIndex::check(std::string_view key_id, const Hash256& presented,
                                     std::optional<std::uint32_t> ipv4, TimeNs at_ns) const {
  SecretCheck result;
  Slot* slot = find(key_id);
  if (slot == nullptr) return result;
  const Owner& owner = owners_[slot->owner_index()];
  const bool matches = constant_time_equal(presented, slot->secret_hash);
  result.verified = matches && usable(*slot);
  if (!result.verified) return result;
  result.use_touched = ipv4 && slot->use.touch(*ipv4, at_ns);
  result.owner = owner.user_id;
  result.owner_privilege = owner.privilege;
  return result;
}

UseCell* VerificationIndex::use_of(std::string_view key_id) const {
  Slot* slot = find(key_id);
  return slot == nullptr || slot->deleted() ? nullptr : &slot->use;
}

void VerificationIndex::for_each_live_use(
    const std::function<void(std::string_view, UseCell&)>& visit) const {
  for (std::size_t i = 0; i < capacity_; ++i) {
    Slot& slot = slots_[i];
    if (slot.key_id[0] != 0 && !slot.deleted())
      visit(std::string_view(slot.key_id.data(), kKeyIdLength), slot.use);
  }
}

}  // namespace keyledger::projections
