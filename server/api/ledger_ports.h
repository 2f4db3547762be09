// The narrow views of the ledger that the /v1 handlers are given, each
// implemented by a thin adapter over the real part (ledger_adapters.h), or
// by the part itself (the writer is the CommandSink), and by fakes in the
// handlers' tests. A handler names only the ones it uses.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/command_sink.h"
#include "core/commands.h"
#include "core/records.h"
#include "core/status.h"
#include "projections/audit.h"
#include "server/verify/last_use_tracker.h"

namespace keyledger::server {

// The users as they are now. Thread-safe.
class UserDirectory {
 public:
  virtual ~UserDirectory() = default;
  virtual std::optional<UserRecord> user(std::string_view user_id) const = 0;
  virtual std::vector<UserRecord> users() const = 0;
};

// The keys as they are now, with their newest use. Thread-safe.
class KeyDirectory {
 public:
  virtual ~KeyDirectory() = default;
  // A key, deleted or not; nullopt when no key has this id.
  virtual std::optional<KeyRecord> key(std::string_view key_id) const = 0;
  // An owner's keys that are not deleted, oldest first.
  virtual std::vector<KeyRecord> live_keys_of(std::string_view owner) const = 0;
  // The newest use seen in memory, which may be newer than the record's.
  virtual std::optional<LastUse> latest_use(const std::string& key_id) const = 0;
};

// The audit trail, read from the log (projections::scan_audit).
class AuditSource {
 public:
  virtual ~AuditSource() = default;
  using OwnerOf = std::function<std::string(const std::string& key_id)>;
  using Visit = std::function<bool(const projections::AuditRow&)>;
  // Visits the rows after `after_seq` that pass `filter` until `visit`
  // returns false; kCorruption / kUnavailable when the log cannot be read.
  virtual Status scan(std::uint64_t after_seq, const projections::AuditFilter& filter,
                      const OwnerOf& owner_of, const Visit& visit) const = 0;
};

}  // namespace keyledger::server
