// The in-memory current state that the server reads and the single writer
// updates. Readers take a shared lock for the length of one lookup; the
// writer stages a whole batch privately (readers do not see it and do not
// wait for it) and takes the exclusive lock only to publish a batch that is
// already durable, which costs microseconds, never an fsync.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <vector>

#include "core/event_log.h"
#include "projections/ledger_state.h"
#include "projections/verification_index.h"

namespace keyledger::projections {

class LiveProjection final {
 public:
  explicit LiveProjection(LedgerState initial = {});

  // Loads the persisted projection of `log`.
  static StatusOr<std::unique_ptr<LiveProjection>> load(const EventLog& log);

  // Readers. Thread-safe; copies out so no lock outlives the call.
  std::optional<UserRecord> user(std::string_view user_id) const;
  std::optional<KeyRecord> key(std::string_view key_id) const;
  // The live (not deleted) keys of `owner`, oldest first.
  std::vector<KeyRecord> live_keys_of(std::string_view owner) const;
  std::vector<UserRecord> users() const;

  // What a presented key is checked against, read from the packed
  // verification index (one cache line per key); for inspection, since
  // verification itself goes through check_secret.
  std::optional<VerificationView> verification(std::string_view key_id) const;
  // VerificationIndex::check under the shared lock: verification's one
  // lookup, comparing the presented secret hash and touching the use.
  SecretCheck check_secret(std::string_view key_id, const Hash256& presented,
                           std::optional<std::uint32_t> ipv4, TimeNs at_ns) const;
  // Starts fetching the index lines where check_secret(key_id) will look,
  // without the lock, so the caller can hash meanwhile (VerificationIndex).
  void prefetch_verification(std::string_view key_id) const noexcept { index_.prefetch(key_id); }
  // The newest use of each live key, kept in memory beside its
  // verification data for the server's last-use tracker. Thread-safe.
  //   touch_use: records a use from `ipv4` when that is the address of the
  //     key's newest use (marking it unpersisted); false when it is not, or
  //     the key is not live: the caller's slower path takes over.
  //   replace_use: sets the newest use after a use from another address.
  //   take_unpersisted_uses: clears the unpersisted marks, calling `take`
  //     with each use they covered.
  bool touch_use(std::string_view key_id, std::uint32_t ipv4, TimeNs at_ns);
  void replace_use(std::string_view key_id, const KeyUse& use);
  std::optional<KeyUse> newest_use(std::string_view key_id) const;
  void take_unpersisted_uses(const std::function<void(std::string_view, const KeyUse&)>& take);
  void mark_use_unpersisted(std::string_view key_id);
  // Runs `read` on the published state under the shared lock. `read` must
  // not call back into this projection.
  void read(const std::function<void(const LedgerState&)>& read) const;
  // A copy of the published state (for tests and verification).
  LedgerState snapshot() const;

  // For the single writer thread only. It decides each command against
  // staging() (the published state plus everything staged) and folds each
  // decided event into it (apply_event); readers see none of it until
  // publish():
  //
  //   decide(c1) → fold(e1) → decide(c2) → fold(e2) → … → append → publish
  //                                                       └ failed → discard
  MutableLedger& staging() { return staging_; }
  // The persisted-projection changes of everything staged.
  std::vector<RecordChange> staged_changes() const;
  // Makes the staged state visible to readers (after a durable append).
  void publish();
  // Drops the staged state (after a failed append).
  void discard();

 private:
  // The writer's view: published state overlaid with staged changes.
  class Staging final : public MutableLedger {
   public:
    explicit Staging(const LedgerState& base) : base_(base) {}
    const UserRecord* find_user(std::string_view user_id) const override;
    std::optional<KeyRecord> find_key(std::string_view key_id) const override;
    void put_user(UserRecord user) override;
    void put_key(const KeyRecord& key) override;
    bool add_key(const KeyRecord& key) override;
    // Copies the published key into the overlay on its first change.
    bool change_key(std::string_view key_id,
                    const std::function<void(KeyRecord&)>& change) override;
    // Copies the published record into the overlay on first edit.
    UserRecord* edit_user(std::string_view user_id) override;

    const StringMap<UserRecord>& users() const { return users_; }
    const StringMap<KeyRecord>& keys() const { return keys_; }
    void clear() {
      users_.clear();
      keys_.clear();
    }

   private:
    const LedgerState& base_;
    StringMap<UserRecord> users_;
    StringMap<KeyRecord> keys_;
  };

  mutable std::shared_mutex mutex_;
  LedgerState state_;        // published; written only by publish()
  VerificationIndex index_;  // follows state_'s keys and users
  Staging staging_{state_};  // writer thread only
};

}  // namespace keyledger::projections
