// The durable, append-only event log, as core sees it. storage/ implements
// it on RocksDB; core and projections only ever use this interface.
//
// Besides events, the log stores the persisted projection ("records") and
// the head, all changed together by one atomic append, so the stored
// projection can never disagree with the log.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/hash.h"
#include "core/status.h"

namespace keyledger {

// The last event: its seq (0 for an empty log) and chain hash (zeros).
struct LogHead {
  std::uint64_t seq = 0;
  Hash256 hash{};
  bool operator==(const LogHead&) const = default;
};

struct EncodedEvent {
  std::uint64_t seq = 0;
  std::string bytes;
};

// The tables of the persisted projection.
enum class RecordTable { kUsers, kKeys, kOwnerIndex };

// One change to the persisted projection: put `value` at `key`, or erase
// the key when `value` is empty.
struct RecordChange {
  RecordTable table = RecordTable::kKeys;
  std::string key;
  std::optional<std::string> value;
};

class EventLog {
 public:
  virtual ~EventLog() = default;

  // The head as of the last successful append. Thread-safe.
  virtual LogHead head() const = 0;

  // Atomically and durably (per the log's sync option) writes `events`
  // (which must continue the head with consecutive seqs), the projection
  // `changes` and the new head; all or nothing. Single writer: callers
  // serialise appends. kUnavailable when storage fails; nothing is written.
  virtual Status append(std::span<const EncodedEvent> events, std::span<const RecordChange> changes,
                        const LogHead& new_head) = 0;

  // Calls `visit(seq, bytes)` for each stored event with seq >= `from_seq`
  // in key order, until it returns false. The seq is the one in the storage
  // key; checking it against the decoded event is the reader's business.
  // Thread-safe with concurrent appends (reads a consistent snapshot).
  virtual Status read_events(
      std::uint64_t from_seq,
      const std::function<bool(std::uint64_t seq, std::string_view bytes)>& visit) const = 0;

  // Calls `visit(key, value)` for every record of `table`, in key order.
  virtual Status read_records(
      RecordTable table,
      const std::function<bool(std::string_view key, std::string_view value)>& visit) const = 0;

  // About how many records `table` holds, for sizing what is loaded from it;
  // 0 when the log cannot tell cheaply. Never a promise: it may be off
  // either way, most for records overwritten since the last compaction.
  virtual std::uint64_t estimate_record_count(RecordTable) const { return 0; }

  // The version of the fold that wrote the persisted projection, as read at
  // open (1 for a ledger from before versions were stored). A build whose
  // fold reads some event differently (projections/stored_projection.h)
  // rebuilds the records from the log before it uses them.
  virtual std::uint32_t projection_version() const = 0;
  // Replaces every record of the persisted projection with `records` and
  // stamps `version`, in one atomic, durable write; events and the head are
  // left as they are (the records must be the fold of exactly those
  // events). Single writer, like append.
  virtual Status replace_projection(std::span<const RecordChange> records,
                                    std::uint32_t version) = 0;
};

}  // namespace keyledger
