// RocksEventLog: the EventLog on RocksDB. rocksdb:: types never leave this
// folder; RocksDB errors become Status values here (I/O → unavailable,
// corruption → corruption).
//
// Layout (column families):
//   events       big-endian u64 seq → encoded event (core/events.capnp)
//   users        user id → encoded UserRecord     (persisted projection)
//   keys         key id → encoded KeyRecord       (persisted projection)
//   owner_index  owner "\0" key id → ""           (persisted projection)
//   meta         "head" → seq ‖ hash; "projection_head" → seq ‖ hash of
//                the event the stored projection includes;
//                "format" → "keyledger/1";
//                "projection_version" → decimal version of the fold that
//                wrote users/keys/owner_index (absent: 1);
//                "pepper_check" → the fingerprint of the pepper the stored
//                key hashes were made with (server/daemon/pepper.h)
// Every append writes events, projection changes and both heads in one
// WriteBatch, so a crash leaves either all of it or none.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/event_log.h"
#include "core/status.h"

namespace keyledger::storage {

enum class OpenMode {
  kReadWrite,  // the single writer; creates the database if the folder is empty
  kReadOnly,   // a consistent view for tools, safe beside a running keyledgerd
               // (a RocksDB secondary instance); never writes
};

struct RocksOptions {
  OpenMode mode = OpenMode::kReadWrite;
  // fsync every append before it is acknowledged (the default). Turning it
  // off trades the last few appends on power loss for speed; for tests only.
  bool sync = true;
  // Skip the open-time head check (for tools that want to report damage
  // themselves rather than refuse to open).
  bool skip_head_check = false;
  // Read-write only: receives each of RocksDB's own warnings and errors, one
  // line of text each, from any of its threads (keyledgerd puts them in its
  // JSON log). Empty: they go to standard error as text.
  std::function<void(std::string_view line)> diagnostics = nullptr;
};

class RocksEventLog final : public EventLog {
 public:
  // Opens (or, read-write on an empty or missing folder, creates) the ledger
  // at `path`. Refuses, with kFailedPrecondition or kCorruption and a
  // message naming the problem, a folder that is not a keyledger database,
  // a head that does not match the last event, or a stored projection that
  // does not match the head.
  static StatusOr<std::unique_ptr<RocksEventLog>> open(const std::filesystem::path& path,
                                                       RocksOptions options = {});
  ~RocksEventLog() override;

  LogHead head() const override;
  // The event the stored projection includes (meta/projection_head), as
  // read at open and moved by every append. Equal to head() in any sound
  // ledger; `keyledger verify` proves it equals the log's recomputed head.
  LogHead projection_head() const;
  Status append(std::span<const EncodedEvent> events, std::span<const RecordChange> changes,
                const LogHead& new_head) override;
  Status read_events(
      std::uint64_t from_seq,
      const std::function<bool(std::uint64_t, std::string_view)>& visit) const override;
  Status read_records(
      RecordTable table,
      const std::function<bool(std::string_view, std::string_view)>& visit) const override;
  // The fingerprint of the pepper this ledger's key hashes were made with,
  // or nullopt if none is stored (a fresh ledger, or one from before the
  // fingerprint was kept). Stored, synced, by store_pepper_check.
  StatusOr<std::optional<std::string>> pepper_check() const;
  Status store_pepper_check(std::string_view fingerprint);
  // RocksDB's own estimate (table properties plus memtables).
  std::uint64_t estimate_record_count(RecordTable table) const override;
  std::uint32_t projection_version() const override;
  Status replace_projection(std::span<const RecordChange> records, std::uint32_t version) override;

  // Bytes of every file of the database on disk.
  std::uint64_t approximate_size_bytes() const;

  class Impl;

 private:
  explicit RocksEventLog(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The storage key of an event: big-endian seq, so key order is seq order.
std::string event_key(std::uint64_t seq);

}  // namespace keyledger::storage
