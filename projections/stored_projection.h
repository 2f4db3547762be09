// Loading the persisted projection, and rebuilding state from the log.
#pragma once

#include <functional>

#include "core/chain_verifier.h"
#include "core/event_log.h"
#include "core/status.h"
#include "projections/ledger_state.h"

namespace keyledger::projections {

// The version of the fold (ledger_state.cc) whose records this build stores.
// Raise it whenever the fold reads an event differently, so that records
// an older build wrote are rebuilt from the log rather than trusted:
//   1  the first fold;
//   2  UserLocked has a length, and a lock for failed sign-ins written
//      before that ends 15 minutes after its event (core/lockout.h).
inline constexpr std::uint32_t kProjectionVersion = 2;

struct ProjectionUpgrade {
  std::uint32_t from_version = 0;  // equal to kProjectionVersion: nothing was done
  std::uint64_t events = 0;        // folded to rebuild it
};

// Makes the persisted projection this build's: when an older fold wrote it,
// rebuilds it from the log (checking the hash chain) and replaces it in one
// atomic write. kFailedPrecondition (projection_too_new) when a newer build
// wrote it, kCorruption when the chain is broken; nothing is changed then.
StatusOr<ProjectionUpgrade> upgrade_stored_projection(EventLog& log);

// Reads the persisted projection (users and keys tables). kCorruption if a
// record does not decode, or the owner index disagrees with the keys.
StatusOr<LedgerState> load_stored_state(const EventLog& log);

struct Rebuild {
  ChainReport chain;
  LedgerState state;  // the fold of every good event
};

// Folds the whole log from seq 1 while verifying its hash chain. Stops
// folding after `until_seq` events when it is non-zero (replay "as of").
StatusOr<Rebuild> rebuild_from_log(const EventLog& log);

// The persisted-projection records that represent `state` (for writing a
// fresh database, and for comparing with what is stored).
std::vector<RecordChange> records_of(const LedgerState& state);

// The stored records of one user, and of one key (its record, plus its
// owner-index entry when `new_key`), appended to `out`.
void append_user_records(const UserRecord& user, std::vector<RecordChange>& out);
void append_key_records(const KeyRecord& key, bool new_key, std::vector<RecordChange>& out);

}  // namespace keyledger::projections
