// Copying the start of one ledger's log into another: `keyledger replay
// --out`, which writes a fresh database holding the log as of a seq.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "core/event_log.h"
#include "core/event_reader.h"
#include "core/status.h"

namespace keyledger::tools {

// Where a copy ended. At most one of read, damage and written is set: the
// copy stops at the first.
struct CopiedPrefix {
  LogHead head;                       // of the last event copied; {} when none was
  Status read = Status::ok();         // the source could not be read
  std::optional<EventDamage> damage;  // the source's first damaged event
  Status written = Status::ok();      // the target refused an append
};

// Copies the events 1..`until.seq` of `source` into `target` (a fresh
// log), `batch_events` to an append, and only the events: the caller writes
// the projection. Every event read is decoded and checked (a damaged one
// stops the copy and is returned, named); the last append is made only if
// the events read end on `until`, seq and chain hash, so a copy whose
// result does not end there (the source changed) leaves its last batch out
// and returns the head it did reach. Appends already made stay: the target
// is the caller's to discard.
CopiedPrefix copy_log_prefix(const EventLog& source, const LogHead& until, EventLog& target,
                             std::size_t batch_events = 4096);

}  // namespace keyledger::tools
