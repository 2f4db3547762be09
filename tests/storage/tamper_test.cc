// Damage done to a closed ledger behind its back (raw RocksDB edits) is
// found: the chain verifier names the first bad event, open refuses a head
// that does not match the last event or the stored projection, and a
// changed projection record shows up against a replay of the log.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "core/chain_verifier.h"
#include "core/event_codec.h"
#include "projections/record_codec.h"
#include "projections/stored_projection.h"
#include "storage/rocks_event_log.h"
#include "tests/support/raw_rocks.h"
#include "tests/support/state_diff.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_ledger.h"

using namespace keyledger;
using keyledger::testing::RawRocks;
using keyledger::testing::TempDir;
using keyledger::testing::TestLedger;

namespace {

// Event 1 creates alice; events 2..7 create keys and 8..12 rename them. The
// text of every event k >= 2 holds the unique name "target name kk".
constexpr std::uint64_t kEvents = 12;

std::string key_id_for(std::uint64_t seq) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "tamperkey%03d", static_cast<int>(seq));
  return buffer;
}

std::string name_for(std::uint64_t seq) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "target name %02d", static_cast<int>(seq));
  return buffer;
}

void build_ledger(const std::filesystem::path& path) {
  TestLedger ledger(path, /*sync=*/false);
  ledger.create_user("alice");
  for (std::uint64_t seq = 2; seq <= 7; ++seq) {
    auto created = ledger.execute(
        CreateKey{key_id_for(seq), "alice", name_for(seq), sha256(key_id_for(seq))}, "alice");
    REQUIRE(created.is_ok());
    REQUIRE(created->seq == seq);
  }
  for (std::uint64_t seq = 8; seq <= kEvents; ++seq) {
    auto renamed = ledger.execute(RenameKey{key_id_for(seq - 6), "alice", name_for(seq)}, "alice");
    REQUIRE(renamed.is_ok());
    REQUIRE(renamed->seq == seq);
  }
  REQUIRE(ledger.log().head().seq == kEvents);
}

std::string event_bytes(RawRocks& raw, std::uint64_t seq) {
  auto bytes = raw.get("events", storage::event_key(seq));
  REQUIRE(bytes.has_value());
  return *bytes;
}

// Flips one bit of the byte at `offset` into the only occurrence of
// `needle` in `bytes`.
std::string flip_inside(std::string bytes, std::string_view needle, std::size_t offset,
                        std::uint8_t mask) {
  const std::size_t at = bytes.find(needle);
  REQUIRE(at != std::string::npos);
  REQUIRE(bytes.find(needle, at + 1) == std::string::npos);
  bytes[at + offset] = static_cast<char>(bytes[at + offset] ^ mask);
  return bytes;
}

// Changes a letter of the readable text of event `seq` (a key name, or the
// user id in event 1); the result still decodes.
void tamper_text(RawRocks& raw, std::uint64_t seq) {
  const std::string bytes = event_bytes(raw, seq);
  const std::string changed = seq == 1 ? flip_inside(bytes, "alice", 2, 0x20)         // "alIce"
                                       : flip_inside(bytes, name_for(seq), 0, 0x20);  // "Target"
  REQUIRE(decode_event(changed).is_ok());
  raw.put("events", storage::event_key(seq), changed);
}

void tamper_prev_hash(RawRocks& raw, std::uint64_t seq) {
  const std::string bytes = event_bytes(raw, seq);
  auto event = decode_event(bytes);
  REQUIRE(event.is_ok());
  const std::string hash(reinterpret_cast<const char*>(event->prev_hash.data()),
                         event->prev_hash.size());
  const std::string changed = flip_inside(bytes, hash, 5, 0x01);
  auto decoded = decode_event(changed);
  REQUIRE(decoded.is_ok());
  REQUIRE(decoded->prev_hash != event->prev_hash);
  raw.put("events", storage::event_key(seq), changed);
}

std::unique_ptr<storage::RocksEventLog> open_log(const std::filesystem::path& path,
                                                 storage::RocksOptions options) {
  auto log = storage::RocksEventLog::open(path, options);
  INFO(log.status().to_string());
  REQUIRE(log.is_ok());
  return std::move(log).value();
}

// verify_chain and rebuild_from_log both name `seq` as the first bad event.
void expect_problem_at(const std::filesystem::path& path, std::uint64_t seq,
                       storage::RocksOptions options = {.mode = storage::OpenMode::kReadOnly}) {
  auto log = open_log(path, options);
  auto report = verify_chain(*log);
  REQUIRE(report.is_ok());
  REQUIRE(report->problem.has_value());
  INFO("problem: seq " << report->problem->seq << ": " << report->problem->description);
  CHECK(report->problem->seq == seq);
  CHECK_FALSE(report->problem->description.empty());

  auto rebuilt = projections::rebuild_from_log(*log);
  REQUIRE(rebuilt.is_ok());
  REQUIRE(rebuilt->chain.problem.has_value());
  CHECK(rebuilt->chain.problem->seq == seq);
}

}  // namespace

TEST_CASE("an untouched ledger verifies and replays to its stored projection", "[storage]") {
  TempDir dir;
  build_ledger(dir / "ledger");
  auto log = open_log(dir / "ledger", {.mode = storage::OpenMode::kReadOnly});
  auto rebuilt = projections::rebuild_from_log(*log);
  REQUIRE(rebuilt.is_ok());
  CHECK(rebuilt->chain.ok());
  CHECK(rebuilt->chain.events == kEvents);
  CHECK(rebuilt->chain.head == log->head());
  auto stored = projections::load_stored_state(*log);
  REQUIRE(stored.is_ok());
  CHECK(keyledger::testing::state_difference(*stored, rebuilt->state, "stored", "replay").empty());
}

TEST_CASE("a changed byte in the text of an event is reported at that event", "[storage]") {
  const std::uint64_t k = GENERATE(as<std::uint64_t>{}, 1, 2, 7, kEvents - 1);
  INFO("tampered event " << k);
  TempDir dir;
  build_ledger(dir / "ledger");
  {
    RawRocks raw(dir / "ledger");
    tamper_text(raw, k);
  }
  expect_problem_at(dir / "ledger", k);
}

TEST_CASE("the chain report never counts or folds the event whose text was changed", "[storage]") {
  const std::uint64_t k = GENERATE(as<std::uint64_t>{}, 2, 7);
  INFO("tampered event " << k);
  TempDir dir;
  build_ledger(dir / "ledger");
  {
    RawRocks raw(dir / "ledger");
    tamper_text(raw, k);
  }
  auto log = open_log(dir / "ledger", {.mode = storage::OpenMode::kReadOnly});
  std::vector<std::uint64_t> seen;
  auto report = verify_chain(*log, [&](const Event& event) { seen.push_back(event.seq); });
  REQUIRE(report.is_ok());
  REQUIRE(report->problem.has_value());
  REQUIRE(report->problem->seq == k);
  // "events read and found good" and on_event "sees each good event": the
  // altered event k is not good.
  CHECK(report->events == k - 1);
  REQUIRE_FALSE(seen.empty());
  CHECK(seen.back() == k - 1);
  auto rebuilt = projections::rebuild_from_log(*log);
  REQUIRE(rebuilt.is_ok());
  // The altered name must not reach the replayed state.
  rebuilt->state.for_each_key([](const KeyRecord& key) {
    INFO("key " << key.key_id);
    CHECK(key.name.rfind("Target", 0) == std::string::npos);
  });
}

TEST_CASE("a changed previous hash inside an event is reported at that event", "[storage]") {
  const std::uint64_t k = GENERATE(as<std::uint64_t>{}, 2, 7, kEvents - 1);
  INFO("tampered event " << k);
  TempDir dir;
  build_ledger(dir / "ledger");
  {
    RawRocks raw(dir / "ledger");
    tamper_prev_hash(raw, k);
  }
  expect_problem_at(dir / "ledger", k);
}

TEST_CASE("a deleted event is reported as missing at its seq", "[storage]") {
  const std::uint64_t k = GENERATE(as<std::uint64_t>{}, 1, 6, kEvents - 1);
  INFO("deleted event " << k);
  TempDir dir;
  build_ledger(dir / "ledger");
  {
    RawRocks raw(dir / "ledger");
    raw.erase("events", storage::event_key(k));
  }
  expect_problem_at(dir / "ledger", k);
}

TEST_CASE("two swapped events are reported at the first of them", "[storage]") {
  const std::uint64_t k = GENERATE(as<std::uint64_t>{}, 1, 6, kEvents - 2);
  INFO("swapped events " << k << " and " << k + 1);
  TempDir dir;
  build_ledger(dir / "ledger");
  {
    RawRocks raw(dir / "ledger");
    const std::string first = event_bytes(raw, k);
    const std::string second = event_bytes(raw, k + 1);
    raw.put("events", storage::event_key(k), second);
    raw.put("events", storage::event_key(k + 1), first);
  }
  expect_problem_at(dir / "ledger", k);
}

TEST_CASE("an event whose bytes do not decode is reported at its seq", "[storage]") {
  const std::uint64_t k = GENERATE(as<std::uint64_t>{}, 1, 6, kEvents - 1);
  INFO("damaged event " << k);
  TempDir dir;
  build_ledger(dir / "ledger");
  {
    RawRocks raw(dir / "ledger");
    const std::string bytes = event_bytes(raw, k);
    SECTION("truncated") { raw.put("events", storage::event_key(k), bytes.substr(0, 16)); }
    SECTION("overwritten") { raw.put("events", storage::event_key(k), std::string(64, '\xee')); }
    SECTION("emptied") { raw.put("events", storage::event_key(k), ""); }
  }
  expect_problem_at(dir / "ledger", k);
}

TEST_CASE("an event stored beyond the head is refused at open and reported by the verifier",
          "[storage]") {
  TempDir dir;
  const auto path = dir / "ledger";
  build_ledger(path);
  {
    RawRocks raw(path);
    // A well-formed next event, chained correctly, but never committed.
    const std::string last = event_bytes(raw, kEvents);
    auto last_event = decode_event(last);
    REQUIRE(last_event.is_ok());
    Event extra = *last_event;
    extra.seq = kEvents + 1;
    extra.prev_hash = chain_hash(last_event->prev_hash, last);
    extra.payload = KeyDeleted{key_id_for(2), "sneaky"};
    raw.put("events", storage::event_key(kEvents + 1), encode_event(extra));
  }
  auto refused = storage::RocksEventLog::open(path, {});
  REQUIRE_FALSE(refused.is_ok());
  INFO(refused.status().to_string());
  CHECK(refused.status().reason() == "head_mismatch");
  expect_problem_at(path, kEvents + 1,
                    {.mode = storage::OpenMode::kReadOnly, .skip_head_check = true});
}

TEST_CASE("a damaged last event makes open refuse unless the head check is skipped", "[storage]") {
  TempDir dir;
  const auto path = dir / "ledger";
  build_ledger(path);
  std::string expected_in_message = "seq " + std::to_string(kEvents);
  SECTION("its text changed") {
    RawRocks raw(path);
    tamper_text(raw, kEvents);
  }
  SECTION("its previous hash changed") {
    RawRocks raw(path);
    tamper_prev_hash(raw, kEvents);
  }
  SECTION("it was deleted") {
    RawRocks raw(path);
    raw.erase("events", storage::event_key(kEvents));
  }

  for (auto mode : {storage::OpenMode::kReadWrite, storage::OpenMode::kReadOnly}) {
    auto refused = storage::RocksEventLog::open(path, {.mode = mode});
    REQUIRE_FALSE(refused.is_ok());
    INFO(refused.status().to_string());
    CHECK(refused.status().code() == StatusCode::kCorruption);
    CHECK(refused.status().reason() == "head_mismatch");
    CHECK(refused.status().message().find(expected_in_message) != std::string::npos);
  }
  expect_problem_at(path, kEvents, {.skip_head_check = true});
  expect_problem_at(path, kEvents, {.mode = storage::OpenMode::kReadOnly, .skip_head_check = true});
}

TEST_CASE("a raw database lists exactly the ledger's column families", "[storage]") {
  TempDir dir;
  build_ledger(dir / "ledger");
  RawRocks raw(dir / "ledger");
  auto families = raw.families();
  std::sort(families.begin(), families.end());
  CHECK(families ==
        std::vector<std::string>{"default", "events", "keys", "meta", "owner_index", "users"});
  CHECK(raw.scan("events").size() == kEvents);
  CHECK(raw.get("meta", "format") == std::optional<std::string>("keyledger/1"));
}

TEST_CASE("a changed stored key record is found by comparing with a replay", "[storage]") {
  TempDir dir;
  const auto path = dir / "ledger";
  build_ledger(path);
  const std::string victim = key_id_for(3);
  {
    RawRocks raw(path);
    auto bytes = raw.get("keys", victim);
    REQUIRE(bytes.has_value());
    auto record = projections::decode_key_record(*bytes);
    REQUIRE(record.is_ok());
    record->name = "renamed behind the ledger's back";
    raw.put("keys", victim, projections::encode_key_record(*record));
  }
  auto log = open_log(path, {});
  auto stored = projections::load_stored_state(*log);
  REQUIRE(stored.is_ok());
  auto rebuilt = projections::rebuild_from_log(*log);
  REQUIRE(rebuilt.is_ok());
  CHECK(rebuilt->chain.ok());
  const std::string difference =
      keyledger::testing::state_difference(*stored, rebuilt->state, "stored", "replay");
  INFO(difference);
  CHECK_FALSE(*stored == rebuilt->state);
  CHECK(difference.find(victim) != std::string::npos);
}

TEST_CASE("a changed stored user record is found by comparing with a replay", "[storage]") {
  TempDir dir;
  const auto path = dir / "ledger";
  build_ledger(path);
  {
    RawRocks raw(path);
    auto bytes = raw.get("users", "alice");
    REQUIRE(bytes.has_value());
    auto record = projections::decode_user_record(*bytes);
    REQUIRE(record.is_ok());
    record->privilege = Privilege::kAdmin;
    raw.put("users", "alice", projections::encode_user_record(*record));
  }
  auto log = open_log(path, {});
  auto stored = projections::load_stored_state(*log);
  REQUIRE(stored.is_ok());
  auto rebuilt = projections::rebuild_from_log(*log);
  REQUIRE(rebuilt.is_ok());
  CHECK_FALSE(*stored == rebuilt->state);
  CHECK(stored->find_user("alice")->privilege == Privilege::kAdmin);
  CHECK(rebuilt->state.find_user("alice")->privilege == Privilege::kUser);
}

TEST_CASE("undecodable or inconsistent stored records make loading the projection fail",
          "[storage]") {
  TempDir dir;
  const auto path = dir / "ledger";
  build_ledger(path);
  {
    RawRocks raw(path);
    SECTION("garbage in a key record") { raw.put("keys", key_id_for(4), "not a record"); }
    SECTION("garbage in a user record") { raw.put("users", "alice", std::string(16, '\x7f')); }
    SECTION("a key record stored under another key's id") {
      raw.put("keys", key_id_for(4), *raw.get("keys", key_id_for(5)));
    }
    SECTION("an owner index entry missing") {
      raw.erase("owner_index", projections::owner_index_key("alice", key_id_for(2)));
    }
    SECTION("an owner index entry too many") {
      raw.put("owner_index", projections::owner_index_key("alice", "ghostkey0001"), "");
    }
    SECTION("an owner index entry under the wrong owner") {
      raw.erase("owner_index", projections::owner_index_key("alice", key_id_for(2)));
      raw.put("owner_index", projections::owner_index_key("mallory", key_id_for(2)), "");
    }
  }
  auto log = open_log(path, {});
  auto stored = projections::load_stored_state(*log);
  REQUIRE_FALSE(stored.is_ok());
  CHECK(stored.status().code() == StatusCode::kCorruption);
  CHECK(stored.status().reason() == "projection_corrupt");
}

TEST_CASE("a projection head that differs from the log head makes open refuse", "[storage]") {
  TempDir dir;
  const auto path = dir / "ledger";
  build_ledger(path);
  {
    RawRocks raw(path);
    auto head = raw.get("meta", "head");
    REQUIRE(head.has_value());
    REQUIRE(head->size() == 40);
    REQUIRE(raw.get("meta", "projection_head") == head);
    SECTION("an older seq") {
      raw.put("meta", "projection_head", storage::event_key(kEvents - 1) + head->substr(8));
    }
    SECTION("the same seq with another hash") {
      std::string changed = *head;
      changed[20] = static_cast<char>(changed[20] ^ 0x40);
      raw.put("meta", "projection_head", changed);
    }
  }
  for (auto mode : {storage::OpenMode::kReadWrite, storage::OpenMode::kReadOnly}) {
    auto refused = storage::RocksEventLog::open(path, {.mode = mode});
    REQUIRE_FALSE(refused.is_ok());
    INFO(refused.status().to_string());
    CHECK(refused.status().code() == StatusCode::kCorruption);
    CHECK(refused.status().reason() == "projection_mismatch");
  }
  // Tools that report damage themselves can still open it.
  auto log = open_log(path, {.mode = storage::OpenMode::kReadOnly, .skip_head_check = true});
  CHECK(log->head().seq == kEvents);
}

TEST_CASE("a head that names a different last event makes open refuse", "[storage]") {
  TempDir dir;
  const auto path = dir / "ledger";
  build_ledger(path);
  {
    RawRocks raw(path);
    // Both heads moved back by one, consistently: only the events disagree.
    const std::string older_event = event_bytes(raw, kEvents - 1);
    auto older = decode_event(older_event);
    REQUIRE(older.is_ok());
    const Hash256 older_hash = chain_hash(older->prev_hash, older_event);
    const std::string head =
        storage::event_key(kEvents - 1) +
        std::string(reinterpret_cast<const char*>(older_hash.data()), older_hash.size());
    raw.put("meta", "head", head);
    raw.put("meta", "projection_head", head);
  }
  auto refused = storage::RocksEventLog::open(path, {});
  REQUIRE_FALSE(refused.is_ok());
  INFO(refused.status().to_string());
  CHECK(refused.status().code() == StatusCode::kCorruption);
  CHECK(refused.status().reason() == "head_mismatch");
  CHECK(refused.status().message().find("seq " + std::to_string(kEvents)) != std::string::npos);
}

// The chain walker reads and decodes on a second thread in batches of a few
// hundred events; a long log checks that order, early stops and problems
// far into the log come through that hand-over unchanged.
TEST_CASE("a log of many read batches is walked in order, stopped and checked exactly",
          "[storage]") {
  constexpr std::uint64_t kLong = 2000;
  TempDir dir;
  {
    TestLedger ledger(dir / "ledger", /*sync=*/false);
    ledger.create_user("alice");
    for (std::uint64_t seq = 2; seq <= kLong; ++seq) {
      char id[16];
      std::snprintf(id, sizeof id, "longkey%05d", static_cast<int>(seq));
      auto created = ledger.execute(
          CreateKey{id, "alice", "long name " + std::to_string(seq), sha256(id)}, "alice");
      INFO(created.status().to_string());
      REQUIRE(created.is_ok());
    }
  }
  {
    auto log = open_log(dir / "ledger", {.mode = storage::OpenMode::kReadOnly});
    std::vector<std::uint64_t> seen;
    auto whole = verify_chain(*log, [&](const Event& event) { seen.push_back(event.seq); });
    REQUIRE(whole.is_ok());
    CHECK(whole->ok());
    CHECK(whole->events == kLong);
    REQUIRE(seen.size() == kLong);
    for (std::uint64_t i = 0; i < kLong; ++i) REQUIRE(seen[i] == i + 1);

    seen.clear();
    auto prefix = verify_chain_prefix(
        *log, [](const Event& event) { return event.seq == 1300; },
        [&](const Event& event) { seen.push_back(event.seq); });
    REQUIRE(prefix.is_ok());
    CHECK(prefix->ok());
    CHECK(prefix->events == 1299);
    REQUIRE_FALSE(seen.empty());
    CHECK(seen.back() == 1299);
  }
  {
    RawRocks raw(dir / "ledger");
    const std::string bytes = event_bytes(raw, 1500);
    raw.put("events", storage::event_key(1500), flip_inside(bytes, "long name 1500", 0, 0x20));
  }
  auto log = open_log(dir / "ledger", {.mode = storage::OpenMode::kReadOnly});
  std::uint64_t folded = 0;
  auto report = verify_chain(*log, [&](const Event&) { ++folded; });
  REQUIRE(report.is_ok());
  REQUIRE(report->problem.has_value());
  CHECK(report->problem->seq == 1500);
  CHECK(report->events == 1499);
  CHECK(folded == 1499);
}
