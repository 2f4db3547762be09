// What verifying a presented key reads, packed so that a verification
// touches one cache line: an open-addressed table (linear probing) of
// 64-byte slots, each holding the key id, the keyed secret hash, the owner
// (an index into a small owner table), whether the key is deleted, and the
// key's newest use seen in memory. A lookup in the projection's key table
// (projections/key_table.h) costs two cache misses (entry, then a 128-byte
// record) and its owner's name another; verification, the hottest path,
// reads this one line instead (docs/BENCHMARKS.md, section 1).
//
// Not thread-safe by itself: LiveProjection guards it with its lock. The
// use cells are atomic so that verifiers holding only the shared lock may
// record uses in them.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/hash.h"
#include "core/huge_page_memory.h"
#include "core/records.h"
#include "projections/ledger_state.h"

namespace keyledger::projections {

// A use of a key: when, and from which address. Only canonical IPv4 text is
// kept as a number (core/ipv4_text.h); any other address leaves `ipv4`
// empty, and the server's last-use tracker keeps such uses itself.
struct KeyUse {
  std::optional<std::uint32_t> ipv4;
  TimeNs at_ns = 0;
};

// The newest use of one key known in memory, and whether it is newer than
// what the log holds ("unpersisted"). Lock-free, for many verifiers at once.
class UseCell {
 public:
  // Records a use at `at_ns` from `ipv4` when that is the cell's address
  // (the common case: a client keeps its address), marking the cell
  // unpersisted; false, changing nothing, when the address differs.
  bool touch(std::uint32_t ipv4, TimeNs at_ns);
  // Replaces the cell's use, as persisted, when `use` is at least as new.
  // Not atomic as a whole: a racing touch() of the old address may leave
  // its time beside the new address or be overwritten by an older time, and
  // a racing flush may pair the old address with the new time. Within the
  // microseconds of such a race, last use is a summary, not an audit record.
  void replace_if_newer(const KeyUse& use);
  KeyUse use() const;
  // Clears the unpersisted mark; the use it covered, if it was set.
  std::optional<KeyUse> take_unpersisted();
  // Sets the mark again (after a failed attempt to persist).
  void mark_unpersisted();

  // For moving slots when the table grows (under the exclusive lock).
  void copy_from(const UseCell& other);

 private:
  static constexpr std::uint64_t kHasAddress = 1ull << 33;
  static constexpr std::uint64_t kUnpersisted = 1ull << 32;
  // IPv4 address in the low 32 bits, then the two flags above.
  std::atomic<std::uint64_t> address_{0};
  std::atomic<TimeNs> at_ns_{0};
};

// What a verification learns of a key, copied out under the lock.
struct VerificationView {
  Hash256 secret_hash{};
  // The key is not deleted, and its owner exists and is enabled.
  bool usable = false;
  std::string owner;
  Privilege owner_privilege = Privilege::kUser;
};

// What check() found: whether a presented secret verifies, and for whom.
struct SecretCheck {
  // The key exists, the secret matches its hash, and the key is usable.
  bool verified = false;
  // The use was recorded in the key's cell (UseCell::touch); when false
  // after a verified check, the caller records it another way.
  bool use_touched = false;
  std::string owner;  // when verified
  Privilege owner_privilege = Privilege::kUser;
};

class VerificationIndex {
 public:
  VerificationIndex() = default;
  VerificationIndex(const VerificationIndex&) = delete;
  VerificationIndex& operator=(const VerificationIndex&) = delete;
  ~VerificationIndex();

  // Makes room for `keys` keys in all and some more, so neither loading nor
  // the first new keys after it grow the table. Growing copies every slot
  // under the projection's exclusive lock: verifications wait for it (about
  // a tenth of a second at a million keys).
  void reserve(std::size_t keys);
  // Adds or updates the owner entry of `user`.
  void put_user(const UserRecord& user);
  // Adds or updates `key` (secret hash, owner, deleted); its persisted last
  // use replaces the cell's use if newer. Keys whose id is not a well-formed
  // key id length are left out: no token can name them.
  void put_key(const KeyRecord& key);

  std::optional<VerificationView> view(std::string_view key_id) const;
  // A whole verification in one lookup: compares `presented` with the key's
  // secret hash in constant time (whatever the key's state, so timing tells
  // nothing of it) and, when the key verifies and `ipv4` is set, touches its
  // use cell with (`ipv4`, `at_ns`). view() followed by use_of() looked the
  // key up twice, under the projection's lock twice.
  SecretCheck check(std::string_view key_id, const Hash256& presented,
                    std::optional<std::uint32_t> ipv4, TimeNs at_ns) const;
  // Starts loading the cache lines where a lookup of `key_id` looks first, so the
  // caller can hash the presented secret meanwhile and the lookup after it
  // finds them in cache (with a million keys presented in random order
  // it misses otherwise: docs/BENCHMARKS.md, section 1). Needs no lock: it
  // reads only the table's address and size, mirrored in atomics for this,
  // and prefetching a stale address is harmless (a prefetch never faults).
  void prefetch(std::string_view key_id) const noexcept;
  // The use cell of a key that is not deleted; nullptr otherwise.
  UseCell* use_of(std::string_view key_id) const;
  // Calls `visit` with the id and use cell of every key that is not deleted.
  void for_each_live_use(const std::function<void(std::string_view, UseCell&)>& visit) const;

  std::size_t size() const { return size_; }
  std::size_t capacity() const { return capacity_; }

 private:
  struct Owner {
    std::string user_id;
    bool exists = false;  // a key may name an owner not (yet) in the state
    bool disabled = false;
    Privilege privilege = Privilege::kUser;
  };
  struct alignas(64) Slot;

  Slot* find(std::string_view key_id) const;
  // The key is not deleted and its owner exists and is enabled (view() and
  // check() answer the same).
  bool usable(const Slot& slot) const;
  // The slot for a new key id, in a table with room for it.
  Slot& claim(std::string_view key_id);
  void grow_to(std::size_t capacity);
  std::uint32_t owner_index(std::string_view user_id);

  HugePageResource pages_;
  Slot* slots_ = nullptr;
  std::size_t capacity_ = 0;
  // slots_ and capacity_ for prefetch(), which runs without the lock. They
  // may be read from two different tables during a grow_to: only a wasted
  // prefetch, since they are used as numbers, never dereferenced.
  std::atomic<std::uintptr_t> prefetch_base_{0};
  std::atomic<std::size_t> prefetch_capacity_{0};
  std::size_t size_ = 0;
  std::vector<Owner> owners_;
  StringMap<std::uint32_t> owner_by_id_;
};

}  // namespace keyledger::projections
