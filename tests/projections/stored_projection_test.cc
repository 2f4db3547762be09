// The persisted projection: records_of(state) stored and loaded back is the
// same state, an empty ledger loads as an empty state, and a damaged owner
// index is reported.
#include "projections/stored_projection.h"

#include <catch2/catch.hpp>

#include "projections/ledger_state.h"
#include "projections/record_codec.h"
#include "storage/rocks_event_log.h"
#include "tests/support/state_diff.h"
#include "tests/support/temp_dir.h"

using namespace keyledger;
using keyledger::testing::TempDir;

namespace {

projections::LedgerState sample_state() {
  projections::LedgerState state;
  std::uint64_t seq = 0;
  auto apply = [&](EventPayload payload) {
    Event event;
    event.seq = ++seq;
    event.time_ns = 1'700'000'000'000'000'000 + static_cast<TimeNs>(seq);
    event.payload = std::move(payload);
    projections::apply_event(state, event);
  };
  apply(UserCreated{"alice", Privilege::kAdmin, "scrypt$a"});
  apply(UserCreated{"bob", Privilege::kUser, "scrypt$b"});
  apply(UserCreated{"al", Privilege::kAuditor, "scrypt$c"});
  apply(KeyCreated{"zzzzzzzzzzzz", "alice", "first", sha256("1")});
  apply(KeyCreated{"AAAAAAAAAAAA", "bob", "bob's", sha256("2")});
  apply(KeyCreated{"MMMMMMMMMMMM", "alice", "second", sha256("3")});
  apply(KeyCreated{"000000000000", "al", "al's", sha256("4")});
  apply(KeyCreated{"bbbbbbbbbbbb", "alice", "third", sha256("5")});
  apply(KeyDeleted{"zzzzzzzzzzzz", "lost"});
  apply(KeyUsed{"MMMMMMMMMMMM", "10.0.0.1", 77});
  apply(UserDisabled{"bob"});
  apply(UserLocked{"al", "too_many_failed_sign_ins"});
  return state;
}

}  // namespace

TEST_CASE("an empty ledger loads as an empty state", "[projections]") {
  TempDir dir;
  auto log = storage::RocksEventLog::open(dir / "ledger", {.sync = false});
  REQUIRE(log.is_ok());
  auto state = projections::load_stored_state(**log);
  REQUIRE(state.is_ok());
  CHECK(state->users().empty());
  CHECK(state->key_count() == 0);
}

TEST_CASE("the records of a state, stored and loaded back, are the same state", "[projections]") {
  TempDir dir;
  const projections::LedgerState state = sample_state();
  {
    auto log = storage::RocksEventLog::open(dir / "ledger", {.sync = false});
    REQUIRE(log.is_ok());
    const auto changes = projections::records_of(state);
    // Projection records only: no events, the head stays where it is.
    Status written = (*log)->append({}, changes, (*log)->head());
    INFO(written.to_string());
    REQUIRE(written.is_ok());
  }
  auto log = storage::RocksEventLog::open(dir / "ledger", {.mode = storage::OpenMode::kReadOnly});
  REQUIRE(log.is_ok());
  auto loaded = projections::load_stored_state(**log);
  INFO(loaded.status().to_string());
  REQUIRE(loaded.is_ok());
  const std::string difference =
      keyledger::testing::state_difference(state, *loaded, "folded", "loaded");
  INFO(difference);
  CHECK(difference.empty());
  CHECK(loaded->live_key_ids_of("alice") ==
        std::vector<std::string>{"MMMMMMMMMMMM", "bbbbbbbbbbbb"});
  REQUIRE(loaded->find_key("zzzzzzzzzzzz").has_value());
  CHECK(loaded->find_key("zzzzzzzzzzzz")->deleted);
}

namespace {

// Stores the sample state's records, then `damage`, and loads it back.
Status load_with_damaged_index(const std::vector<RecordChange>& damage) {
  TempDir dir;
  auto log = storage::RocksEventLog::open(dir / "ledger", {.sync = false});
  REQUIRE(log.is_ok());
  REQUIRE((*log)->append({}, projections::records_of(sample_state()), (*log)->head()).is_ok());
  REQUIRE((*log)->append({}, damage, (*log)->head()).is_ok());
  return projections::load_stored_state(**log).status();
}

RecordChange index_entry(const std::string& owner, const std::string& key_id, bool present) {
  RecordChange change{RecordTable::kOwnerIndex, projections::owner_index_key(owner, key_id), {}};
  if (present) change.value = std::string();
  return change;
}

}  // namespace

TEST_CASE("a stored owner index that disagrees with the stored keys is reported as corrupt",
          "[projections]") {
  SECTION("a key without its index entry") {
    Status loaded = load_with_damaged_index({index_entry("alice", "MMMMMMMMMMMM", false)});
    CHECK(loaded.reason() == "projection_corrupt");
  }
  SECTION("an index entry that names another owner of the key") {
    Status loaded = load_with_damaged_index(
        {index_entry("alice", "MMMMMMMMMMMM", false), index_entry("bob", "MMMMMMMMMMMM", true)});
    CHECK(loaded.reason() == "projection_corrupt");
  }
  SECTION("an index entry for a key that is not stored") {
    Status loaded = load_with_damaged_index({index_entry("alice", "QQQQQQQQQQQQ", true)});
    CHECK(loaded.reason() == "projection_corrupt");
  }
  SECTION("an index entry that is not owner and key id") {
    Status loaded = load_with_damaged_index(
        {RecordChange{RecordTable::kOwnerIndex, "no separator", std::string()}});
    CHECK(loaded.reason() == "projection_corrupt");
  }
  SECTION("the undamaged index loads") { CHECK(load_with_damaged_index({}).is_ok()); }
}

namespace {

// A state of `count` keys over three owners, every tenth deleted: enough
// keys that loading hands them over in many batches.
projections::LedgerState many_keys_state(int count) {
  projections::LedgerState state;
  std::uint64_t seq = 0;
  auto apply = [&](EventPayload payload) {
    Event event;
    event.seq = ++seq;
    event.payload = std::move(payload);
    projections::apply_event(state, event);
  };
  const std::vector<std::string> owners{"alice", "bob", "carol"};
  for (const auto& owner : owners) apply(UserCreated{owner, Privilege::kUser, "scrypt$x"});
  for (int i = 0; i < count; ++i) {
    // Ids not in creation order, so loading must restore each owner's order.
    const std::string key_id = "k" + std::to_string((i * 7919) % 100'000 + 100'000);
    apply(KeyCreated{key_id, owners[static_cast<std::size_t>(i) % owners.size()], "n", {}});
    if (i % 10 == 0) apply(KeyDeleted{key_id, "test"});
  }
  return state;
}

// Stores `state`'s records, then `damage`, and loads them back.
StatusOr<projections::LedgerState> store_and_load(const projections::LedgerState& state,
                                                  const std::vector<RecordChange>& damage) {
  TempDir dir;
  auto log = storage::RocksEventLog::open(dir / "ledger", {.sync = false});
  REQUIRE(log.is_ok());
  REQUIRE((*log)->append({}, projections::records_of(state), (*log)->head()).is_ok());
  if (!damage.empty()) REQUIRE((*log)->append({}, damage, (*log)->head()).is_ok());
  return projections::load_stored_state(**log);
}

}  // namespace

TEST_CASE("thousands of stored keys load back as the same state, owners' keys in creation order",
          "[projections]") {
  const projections::LedgerState state = many_keys_state(6000);
  auto loaded = store_and_load(state, {});
  INFO(loaded.status().to_string());
  REQUIRE(loaded.is_ok());
  CHECK(keyledger::testing::state_difference(state, *loaded, "folded", "loaded").empty());
  for (const char* owner : {"alice", "bob", "carol"}) {
    INFO(owner);
    CHECK(loaded->live_key_ids_of(owner) == state.live_key_ids_of(owner));
    CHECK(loaded->live_key_ids_of(owner).size() == 1800);
  }
}

TEST_CASE("a damaged key record among thousands is reported wherever it is", "[projections]") {
  const projections::LedgerState state = many_keys_state(6000);
  // Key ids sort as k100000 … k199999; these fall early, in the middle of
  // the hand-over and near the end of the table.
  const std::string key_id = GENERATE(as<std::string>{}, "k100000", "k143317", "k199836");
  REQUIRE(state.find_key(key_id).has_value());
  auto loaded = store_and_load(state, {{RecordTable::kKeys, key_id, std::string(16, '\x7f')}});
  REQUIRE_FALSE(loaded.is_ok());
  CHECK(loaded.status().reason() == "projection_corrupt");
  CHECK_THAT(loaded.status().message(), Catch::Contains(key_id));
}

TEST_CASE("a key record stored under another id among thousands is reported", "[projections]") {
  const projections::LedgerState state = many_keys_state(6000);
  std::optional<KeyRecord> other = state.find_key("k150003");
  REQUIRE(other.has_value());
  REQUIRE(state.find_key("k166667").has_value());
  auto loaded = store_and_load(
      state, {{RecordTable::kKeys, "k166667", projections::encode_key_record(*other)}});
  REQUIRE_FALSE(loaded.is_ok());
  CHECK(loaded.status().reason() == "projection_corrupt");
  CHECK_THAT(loaded.status().message(), Catch::Contains("k166667"));
}
