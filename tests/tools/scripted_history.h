// A scripted ledger history for the `keyledger` tool tests, built through
// the real write path (TestLedger: RocksDB, live projection, group-commit
// writer) with a ManualClock, so every event has a known time.
//
// 21 events, 4 users (admin, alice, bob, carol), 6 keys, renames, deletes,
// two recorded uses, a privilege change, a lock and unlock, a disabled user
// and a password change. The expected audit row of every event is written
// out in scripted_history.cc; the expected state after every event is kept
// by a small model alongside the script.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/event_log.h"
#include "tests/support/binaries.h"
#include "tests/support/command_runner.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_ledger.h"

namespace keyledger::testing {

// Runs keyledger with `args`; nothing is checked.
CommandResult run_keyledger(const std::vector<std::string>& args);

// Parses an RFC 3339 time or date; REQUIREs success.
TimeNs time_of(const std::string& text);

// The columns of `keyledger audit`, in order.
const std::vector<std::string>& audit_columns();

// One expected audit row; "" is an empty cell (JSON null). In JSON the seq
// is a number, every other cell text or null.
struct ExpectedAuditRow {
  std::uint64_t seq;
  std::string time, action, actor, actor_ip, owner, key_id, name, privilege, client_ip, used_at,
      reason;
  std::vector<std::string> cells() const;  // in audit_columns() order
};

// The expected audit row of every event of the script, in seq order.
const std::vector<ExpectedAuditRow>& expected_audit_rows();

// The script's idea of the state, independent of projections/.
struct ModelUser {
  std::string privilege;
  bool disabled = false;
  bool locked = false;
};
struct ModelKey {
  std::string owner, name, created, deleted;  // RFC 3339; deleted "" when live
  std::string last_used_ip, last_used_at;
};
struct ModelState {
  std::map<std::string, ModelUser> users;
  std::map<std::string, ModelKey> keys;
  std::map<std::string, std::vector<std::string>> keys_of;  // owner → key ids, oldest first
};

class ScriptedHistory {
 public:
  static constexpr std::uint64_t kEvents = 21;

  // Builds the history in a fresh data folder laid out as keyledgerd's
  // (DATA/ledger) and closes the ledger.
  ScriptedHistory();
  ~ScriptedHistory();

  // keyledgerd's data folder, and the database inside it.
  const std::filesystem::path& data_dir() const { return data_dir_; }
  std::filesystem::path db_path() const { return data_dir_ / "ledger"; }
  // {"--data", data_dir()}.
  std::vector<std::string> data_args() const { return {"--data", data_dir_.string()}; }

  // Opens the ledger read-write as keyledgerd would (to run the tools beside
  // a live writer); close() closes it again.
  TestLedger& open();
  void close();

  // The head after event `seq` (0: the empty log's head).
  const LogHead& head_after(std::uint64_t seq) const { return heads_.at(seq); }
  // The time of event `seq` (1-based).
  TimeNs event_time(std::uint64_t seq) const { return times_.at(seq); }
  // The state the script expects after event `seq` (0: empty).
  const ModelState& state_after(std::uint64_t seq) const { return states_.at(seq); }

  // Every password hash and secret hash (hex, both cases) the script wrote:
  // none may appear in any tool output.
  const std::vector<std::string>& secrets() const { return secrets_; }

  // Runs keyledger with `args` and CHECKs that no secret appears in what it
  // printed.
  CommandResult run(const std::vector<std::string>& args) const;

 private:
  void build();

  std::unique_ptr<TempDir> dir_;
  std::filesystem::path data_dir_;
  std::unique_ptr<TestLedger> ledger_;
  std::vector<LogHead> heads_;
  std::vector<TimeNs> times_;
  std::vector<ModelState> states_;
  std::vector<std::string> secrets_;
};

// CHECKs that `text` holds no "scrypt$" and none of `secrets`.
void check_no_secrets(const std::string& text, const std::vector<std::string>& secrets);

// The expected `keyledger replay --format json` rows for `state`.
nlohmann::json expected_replay_rows(const ModelState& state);

// The expected `keyledger audit --format json` rows for the given events.
nlohmann::json expected_audit_json(const std::vector<std::uint64_t>& seqs);

// The seqs of the audit rows in `json` (an array of row objects).
std::vector<std::uint64_t> seqs_of(const nlohmann::json& rows);

// Parses text as JSON; REQUIREs success.
nlohmann::json parse_json(const std::string& text);

// Splits text into lines at "\n" (a final empty piece is dropped).
std::vector<std::string> lines_of(const std::string& text);

}  // namespace keyledger::testing
