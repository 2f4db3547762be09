// What a client may conclude about the ledger from the replies it got.
//
// Every 2xx reply proves a change is durable: it must be present after any
// crash. A non-2xx reply proves the change was not made. A request that got
// no reply (the server died under it) may have been applied or not, but
// only whole: a create either exists with its exact name or not at all, a
// rename shows the old or the new name, a delete leaves the key fully live
// or fully gone. `reconcile` checks an observed ledger against this and
// then adopts what it saw for the unknown ones, so the next crash is judged
// against the truth.
//
// Thread-safe: workers record their requests concurrently. Each key must be
// changed by one worker at a time (the suites give every worker its own keys).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace keyledger::reliability {

enum class ChangeKind { kCreate, kRename, kDelete };

struct Change {
  ChangeKind kind = ChangeKind::kCreate;
  std::string key_id;  // rename and delete
  std::string name;    // create: the new key's name (unique per create); rename: the new name
  int worker = 0;      // who owns the key (for creates: who will)
};

struct ModelKey {
  std::string id;
  std::string name;
  std::string token;  // "" when the create's reply was lost and the key was adopted
  int worker = 0;
  bool deleted = false;
};

// Every live key of the user the suite works as: key id → name.
using ObservedKeys = std::map<std::string, std::string>;
// Presents a token to the server: 200 / 401 / nullopt when no reply came.
using VerifyToken = std::function<std::optional<unsigned>(const std::string& token)>;

struct CheckReport {
  std::uint64_t keys_checked = 0;
  std::uint64_t tokens_checked = 0;
  std::uint64_t lost = 0;  // acknowledged changes that are not there
  std::uint64_t in_flight_applied = 0;
  std::uint64_t in_flight_not_applied = 0;
  std::uint64_t violations = 0;  // half-applied, refused-but-applied, unexplained keys
  std::vector<std::string> problems;
  bool ok() const { return lost == 0 && violations == 0; }
};

struct ModelTotals {
  std::uint64_t acked_creates = 0;
  std::uint64_t acked_renames = 0;
  std::uint64_t acked_deletes = 0;
  std::uint64_t refused = 0;
  std::uint64_t unanswered = 0;
  std::uint64_t withdrawn = 0;
  std::uint64_t acked() const { return acked_creates + acked_renames + acked_deletes; }
};

class LedgerModel {
 public:
  using Ticket = std::uint64_t;

  // A request about to be sent.
  Ticket begin(Change change);
  // Its 2xx reply; a create names the new key and its token.
  void acknowledged(Ticket ticket, const std::string& created_id = "",
                    const std::string& token = "");
  // A non-2xx reply: the change must not appear.
  void refused(Ticket ticket);
  // The request never reached the server (no connection): forgotten.
  void withdrawn(Ticket ticket);
  // No reply: whole or nothing, judged by the next reconcile.
  void unanswered(Ticket ticket);

  // Keys the model must not account for (the suite's own credentials).
  void ignore_key(const std::string& key_id);

  // Checks `observed` (and, through `verify`, every token the model holds)
  // against what the replies proved, then resolves the unknown changes to
  // what was observed. Call only while no request is in flight.
  CheckReport reconcile(const ObservedKeys& observed, const VerifyToken& verify);

  // The worker's live keys and its deleted keys that still have a token.
  std::vector<ModelKey> live_keys(int worker) const;
  std::vector<ModelKey> deleted_keys(int worker) const;
  // Cheap forms for the workers' hot loop: counts, and one key chosen by
  // `random` (nullopt when there is none).
  std::size_t live_count(int worker) const;
  std::optional<ModelKey> pick_live(int worker, std::uint64_t random) const;
  std::optional<ModelKey> pick_deleted(int worker, std::uint64_t random) const;
  ModelTotals totals() const;

 private:
  void mark_deleted(ModelKey& key);
  void check_key(ModelKey& key, const ObservedKeys& observed, const VerifyToken& verify,
                 CheckReport& report);

  mutable std::mutex mutex_;
  Ticket next_ticket_ = 1;
  std::map<Ticket, Change> sent_;             // awaiting a reply
  std::map<Ticket, Change> unknown_;          // no reply came
  std::vector<std::string> refused_creates_;  // names that must not appear
  std::map<std::string, ModelKey> keys_;
  // Key ids by worker, so workers pick keys without scanning every key.
  std::map<int, std::vector<std::string>> live_ids_;
  std::map<int, std::vector<std::string>> deleted_ids_;  // those with a token
  std::set<std::string> ignored_;
  ModelTotals totals_;
};

}  // namespace keyledger::reliability
