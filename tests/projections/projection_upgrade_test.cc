// The persisted projection is rebuilt from the log when an older fold wrote
// it (projections/stored_projection.h, upgrade_stored_projection), on a real
// ledger whose records are made to look like an older build's.
#include <catch2/catch.hpp>

#include "core/event_codec.h"
#include "core/lockout.h"
#include "projections/record_codec.h"
#include "projections/stored_projection.h"
#include "tests/support/raw_rocks.h"
#include "tests/support/test_ledger.h"

using namespace keyledger;
using namespace keyledger::testing;
using keyledger::projections::kProjectionVersion;
using keyledger::projections::upgrade_stored_projection;

namespace {

constexpr TimeNs kMinute = 60'000'000'000;

// A closed ledger at `path` holding alice, locked by failed sign-ins, and
// her key, with its records rewritten as version 1 stored them: no
// projection version, and alice locked with no end.
void write_version_1_ledger(TestLedger& ledger) {
  ledger.create_user("alice");
  REQUIRE(
      ledger.execute(CreateKey{"AbCdEfGhIjK1", "alice", "billing", sha256("s")}, "alice").is_ok());
  REQUIRE(ledger.execute(LockUser{"alice", kTooManyFailedSignIns, 15 * kMinute}).is_ok());
  ledger.close();
  RawRocks raw(ledger.path());
  raw.erase("meta", "projection_version");
  UserRecord stale = *projections::decode_user_record(*raw.get("users", "alice"));
  stale.locked_until_ns = 0;
  stale.lockout_ns = 0;
  raw.put("users", "alice", projections::encode_user_record(stale));
}

}  // namespace

TEST_CASE("records an older fold wrote are rebuilt from the log and stamped with this version",
          "[projections][upgrade]") {
  TestLedger ledger(/*sync=*/false);
  write_version_1_ledger(ledger);
  auto log = storage::RocksEventLog::open(ledger.path());
  REQUIRE(log.is_ok());
  CHECK((*log)->projection_version() == 1);
  auto upgraded = upgrade_stored_projection(**log);
  REQUIRE(upgraded.is_ok());
  CHECK(upgraded->from_version == 1);
  CHECK(upgraded->events == 3);
  CHECK((*log)->projection_version() == kProjectionVersion);
  auto state = projections::load_stored_state(**log);
  REQUIRE(state.is_ok());
  const UserRecord* alice = state->find_user("alice");
  REQUIRE(alice != nullptr);
  CHECK(alice->locked_until_ns != 0);
  CHECK(alice->lockout_ns == 15 * kMinute);
  CHECK(state->find_key("AbCdEfGhIjK1")->name == "billing");
  // Stamped for good: a reopened ledger has nothing left to do.
  log->reset();
  auto reopened = storage::RocksEventLog::open(ledger.path());
  REQUIRE(reopened.is_ok());
  CHECK((*reopened)->projection_version() == kProjectionVersion);
  CHECK(upgrade_stored_projection(**reopened)->from_version == kProjectionVersion);
}

TEST_CASE("a record the old fold kept but the log does not hold is dropped by the rebuild",
          "[projections][upgrade]") {
  TestLedger ledger(/*sync=*/false);
  write_version_1_ledger(ledger);
  {
    RawRocks raw(ledger.path());
    raw.put("users", "ghost", *raw.get("users", "alice"));
  }
  auto log = storage::RocksEventLog::open(ledger.path());
  REQUIRE(log.is_ok());
  REQUIRE(upgrade_stored_projection(**log).is_ok());
  CHECK(projections::load_stored_state(**log)->find_user("ghost") == nullptr);
}

TEST_CASE("a projection a newer build wrote is refused and left as it is",
          "[projections][upgrade]") {
  TestLedger ledger(/*sync=*/false);
  ledger.create_user("alice");
  ledger.close();
  {
    RawRocks raw(ledger.path());
    raw.put("meta", "projection_version", std::to_string(kProjectionVersion + 1));
  }
  auto log = storage::RocksEventLog::open(ledger.path());
  REQUIRE(log.is_ok());
  auto refused = upgrade_stored_projection(**log);
  REQUIRE_FALSE(refused.is_ok());
  CHECK(refused.status().reason() == "projection_too_new");
  CHECK((*log)->projection_version() == kProjectionVersion + 1);
}

TEST_CASE("a damaged projection version refuses to open", "[projections][upgrade]") {
  TestLedger ledger(/*sync=*/false);
  ledger.close();
  {
    RawRocks raw(ledger.path());
    raw.put("meta", "projection_version", "two");
  }
  auto log = storage::RocksEventLog::open(ledger.path());
  REQUIRE_FALSE(log.is_ok());
  CHECK(log.status().reason() == "bad_projection_version");
}

TEST_CASE("a broken chain is not rebuilt over: the upgrade refuses and changes nothing",
          "[projections][upgrade]") {
  TestLedger ledger(/*sync=*/false);
  write_version_1_ledger(ledger);
  std::string before;
  {
    RawRocks raw(ledger.path());
    // Event 2 (the key's creation) with one byte changed inside.
    const std::string key("\0\0\0\0\0\0\0\x02", 8);
    std::string bytes = *raw.get("events", key);
    bytes[bytes.size() - 3] ^= 1;
    raw.put("events", key, bytes);
    before = *raw.get("users", "alice");
  }
  auto log = storage::RocksEventLog::open(ledger.path());
  REQUIRE(log.is_ok());
  auto refused = upgrade_stored_projection(**log);
  REQUIRE_FALSE(refused.is_ok());
  CHECK(refused.status().code() == StatusCode::kCorruption);
  CHECK((*log)->projection_version() == 1);
  log->reset();
  RawRocks raw(ledger.path());
  CHECK(*raw.get("users", "alice") == before);
}
