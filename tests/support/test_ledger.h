// A real ledger for tests: RocksDB in a temporary folder, the live
// projection and the group-commit writer, wired as keyledgerd wires them,
// with an injected clock. reopen() closes everything and opens it again
// from disk, as a restart would.
#pragma once

#include <filesystem>
#include <memory>

#include "core/clock.h"
#include "core/commands.h"
#include "core/password_hasher.h"
#include "core/random.h"
#include "projections/live_projection.h"
#include "server/writer/group_commit_writer.h"
#include "storage/rocks_event_log.h"
#include "tests/support/temp_dir.h"

namespace keyledger::testing {

// Cheap scrypt parameters so tests that create many users stay fast.
inline constexpr ScryptCost kTestScryptCost{10, 8, 1};

class TestLedger {
 public:
  // Opens a new ledger in its own temporary folder. `sync` may be turned
  // off for tests that append many thousands of events.
  explicit TestLedger(bool sync = true);
  // Opens the ledger at `path` (which the caller owns).
  TestLedger(std::filesystem::path path, bool sync);
  ~TestLedger();

  void reopen();
  void close();

  const std::filesystem::path& path() const { return path_; }
  storage::RocksEventLog& log() { return *log_; }
  projections::LiveProjection& projection() { return *projection_; }
  writer::GroupCommitWriter& writer() { return *writer_; }
  ManualClock& clock() { return clock_; }

  // Runs a command as `actor` from 127.0.0.1; REQUIREs nothing.
  StatusOr<CommittedEvent> execute(Command command, std::string actor = "system");

  // Creates a user with a (cheaply) hashed password; REQUIREs success.
  void create_user(const std::string& user_id, Privilege privilege = Privilege::kUser,
                   const std::string& password = "correct horse battery");

 private:
  void open();

  std::unique_ptr<TempDir> owned_dir_;
  std::filesystem::path path_;
  bool sync_;
  ManualClock clock_;
  SeededRandom random_{42};
  std::unique_ptr<storage::RocksEventLog> log_;
  std::unique_ptr<projections::LiveProjection> projection_;
  std::unique_ptr<writer::GroupCommitWriter> writer_;
};

}  // namespace keyledger::testing
