// estimate_record_count: RocksDB's estimate of a table's records, used to
// size the key table when the stored projection is loaded.
#include <catch2/catch.hpp>

#include "storage/rocks_event_log.h"
#include "tests/support/temp_dir.h"

using namespace keyledger;
using keyledger::testing::TempDir;

TEST_CASE("the record count estimate is zero for an empty table and follows written records",
          "[storage]") {
  TempDir dir;
  auto log = storage::RocksEventLog::open(dir / "ledger", {.sync = false});
  REQUIRE(log.is_ok());
  CHECK((*log)->estimate_record_count(RecordTable::kOwnerIndex) == 0);
  std::vector<RecordChange> changes;
  for (const char* key : {"a", "b", "c"})
    changes.push_back({RecordTable::kOwnerIndex, key, std::string()});
  REQUIRE((*log)->append({}, changes, (*log)->head()).is_ok());
  CHECK((*log)->estimate_record_count(RecordTable::kOwnerIndex) == 3);
  CHECK((*log)->estimate_record_count(RecordTable::kKeys) == 0);
}

TEST_CASE("the record count estimate survives a reopen", "[storage]") {
  TempDir dir;
  {
    auto log = storage::RocksEventLog::open(dir / "ledger", {.sync = false});
    REQUIRE(log.is_ok());
    std::vector<RecordChange> changes{{RecordTable::kKeys, "k1", std::string("x")},
                                      {RecordTable::kKeys, "k2", std::string("y")}};
    REQUIRE((*log)->append({}, changes, (*log)->head()).is_ok());
  }
  auto log = storage::RocksEventLog::open(dir / "ledger", {.mode = storage::OpenMode::kReadOnly});
  REQUIRE(log.is_ok());
  CHECK((*log)->estimate_record_count(RecordTable::kKeys) == 2);
}
