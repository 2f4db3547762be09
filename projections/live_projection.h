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
#include "core/state_machine.h"
#include "projections/ledger_state.h"

namespace keyledger::projections {

// What verifying a key needs, read under one lock.
struct Credential {
  std::string owner;
  Hash256 secret_hash{};
  bool key_deleted = false;
  bool owner_exists = false;
  bool owner_disabled = false;
  Privilege owner_privilege = Privilege::kUser;
  std::string last_used_ip;  // as persisted
  TimeNs last_used_at_ns = 0;
};

class LiveProjection final : public CommandStateMachine {
 public:
  explicit LiveProjection(LedgerState initial = {}) : state_(std::move(initial)) {}

  // Loads the persisted projection of `log`.
  static StatusOr<std::unique_ptr<LiveProjection>> load(const EventLog& log);

  // Readers. Thread-safe; copies out so no lock outlives the call.
  std::optional<UserRecord> user(std::string_view user_id) const;
  std::optional<KeyRecord> key(std::string_view key_id) const;
  // Every key of `owner` (live and deleted), oldest first.
  std::vector<KeyRecord> live_keys_of(std::string_view owner) const;
  std::vector<UserRecord> users() const;
  std::optional<Credential> credential(std::string_view key_id) const;
  // Runs `read` on the published state under the shared lock. `read` must
  // not call back into this projection.
  void read(const std::function<void(const LedgerState&)>& read) const;
  // A copy of the published state (for tests and verification).
  LedgerState snapshot() const;

  // CommandStateMachine, for the single writer thread only.
  StatusOr<EventPayload> decide(const Command& command) const override;
  void stage(const Event& event) override;
  std::vector<RecordChange> staged_changes() const override;
  void publish() override;
  void discard() override;

 private:
  // The writer's view: published state overlaid with staged changes.
  class Staging final : public MutableLedger {
   public:
    explicit Staging(const LedgerState& base) : base_(base) {}
    const UserRecord* find_user(std::string_view user_id) const override;
    const KeyRecord* find_key(std::string_view key_id) const override;
    void put_user(UserRecord user) override;
    void put_key(KeyRecord key) override;
    // Copies the published record into the overlay on first edit.
    UserRecord* edit_user(std::string_view user_id) override;
    KeyRecord* edit_key(std::string_view key_id) override;

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
  Staging staging_{state_};  // writer thread only
};

}  // namespace keyledger::projections
