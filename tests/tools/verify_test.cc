// `keyledger verify` on the scripted history and on tampered copies of it:
// it prints the head TestLedger reports, proves earlier heads extended, and
// names the first bad event (or projection record) of a damaged copy.
#include <catch2/catch.hpp>
#include <filesystem>
#include <string>
#include <vector>

#include "core/event_codec.h"
#include "core/hash.h"
#include "projections/record_codec.h"
#include "storage/rocks_event_log.h"
#include "tests/support/raw_rocks.h"
#include "tests/tools/scripted_history.h"

using namespace keyledger;
using namespace keyledger::testing;

namespace {

std::vector<std::string> with(std::vector<std::string> args, const std::vector<std::string>& more) {
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

// A copy of the history's (closed) data folder, to damage.
class TamperedCopy {
 public:
  explicit TamperedCopy(const ScriptedHistory& history) : data_dir_(dir_.path() / "data") {
    std::filesystem::copy(history.data_dir(), data_dir_, std::filesystem::copy_options::recursive);
  }
  std::filesystem::path db_path() const { return data_dir_ / "ledger"; }
  std::vector<std::string> data_args() const { return {"--data", data_dir_.string()}; }

 private:
  TempDir dir_;
  std::filesystem::path data_dir_;
};

std::string event_bytes(RawRocks& raw, std::uint64_t seq) {
  auto bytes = raw.get("events", storage::event_key(seq));
  REQUIRE(bytes.has_value());
  return *bytes;
}

// Flips the case of the first letter of the only occurrence of `text` in
// event `seq`; the event still decodes.
void change_text(const std::filesystem::path& db, std::uint64_t seq, const std::string& text) {
  RawRocks raw(db);
  std::string bytes = event_bytes(raw, seq);
  const std::size_t at = bytes.find(text);
  REQUIRE(at != std::string::npos);
  REQUIRE(bytes.find(text, at + 1) == std::string::npos);
  bytes[at] = static_cast<char>(bytes[at] ^ 0x20);
  REQUIRE(decode_event(bytes).is_ok());
  raw.put("events", storage::event_key(seq), bytes);
}

void drop_event(const std::filesystem::path& db, std::uint64_t seq) {
  RawRocks raw(db);
  REQUIRE(raw.get("events", storage::event_key(seq)).has_value());
  raw.erase("events", storage::event_key(seq));
}

void swap_events(const std::filesystem::path& db, std::uint64_t seq) {
  RawRocks raw(db);
  const std::string first = event_bytes(raw, seq), second = event_bytes(raw, seq + 1);
  raw.put("events", storage::event_key(seq), second);
  raw.put("events", storage::event_key(seq + 1), first);
}

// verify exits 1 and its report names event `seq`; so does replay, unless
// the damage reaches the last event (then opening for replay refuses).
void expect_verify_fails_at(const ScriptedHistory& history, const TamperedCopy& copy,
                            std::uint64_t seq, const std::string& description) {
  auto result = history.run(with({"verify"}, copy.data_args()));
  INFO("stdout: " << result.out << "\nstderr: " << result.err);
  CHECK(result.exit_code == 1);
  CHECK(result.out == "FAILED: event " + std::to_string(seq) + ": " + description + "\n");
  if (seq + 1 >= ScriptedHistory::kEvents) {
    auto replay = history.run(with({"replay", "--format", "json"}, copy.data_args()));
    CHECK(replay.exit_code == 4);
    CHECK(lines_of(replay.err).size() == 1);
    return;
  }
  // replay reads through the same chain check and names the same event.
  auto replay = history.run(with({"replay", "--format", "json"}, copy.data_args()));
  INFO("replay stdout: " << replay.out << "\nreplay stderr: " << replay.err);
  CHECK(replay.exit_code == 1);
  CHECK(replay.err.find("event " + std::to_string(seq) + ":") != std::string::npos);
}

}  // namespace

TEST_CASE("verify passes and prints the head the ledger itself reports", "[tools][verify]") {
  ScriptedHistory history;
  const LogHead head = history.head_after(ScriptedHistory::kEvents);
  const std::string expected =
      "ok: 21 events, hash chain intact, stored projection equals replay\nhead seq 21 hash " +
      to_hex(head.hash) + "\n";

  auto closed = history.run(with({"verify"}, history.data_args()));
  INFO(closed.err);
  REQUIRE(closed.exit_code == 0);
  CHECK(closed.out == expected);
  CHECK(closed.err.empty());

  // Beside a live writer, on the database folder itself.
  TestLedger& ledger = history.open();
  CHECK(ledger.log().head() == head);
  auto open = history.run({"verify", "--data", history.db_path().string()});
  REQUIRE(open.exit_code == 0);
  CHECK(open.out ==
        "ok: 21 events, hash chain intact, stored projection equals replay\nhead seq 21 hash " +
            to_hex(ledger.log().head().hash) + "\n");

  // One more event while open: verify sees it and the new head.
  ledger.clock().set(time_of("2026-03-06T00:00:00Z"));
  REQUIRE(ledger.execute(EnableUser{"bob"}, "admin").is_ok());
  auto later = history.run(with({"verify"}, history.data_args()));
  REQUIRE(later.exit_code == 0);
  CHECK(later.out ==
        "ok: 22 events, hash chain intact, stored projection equals replay\nhead seq 22 hash " +
            to_hex(ledger.log().head().hash) + "\n");
  history.close();
}

TEST_CASE("verify --expect-head accepts earlier heads and rejects any other hash",
          "[tools][verify]") {
  ScriptedHistory history;
  for (std::uint64_t seq : {1, 10, 20, 21}) {
    const std::string earlier = to_hex(history.head_after(seq).hash);
    auto result = history.run(with({"verify", "--expect-head", earlier}, history.data_args()));
    INFO("head after " << seq << "\n" << result.out << result.err);
    CHECK(result.exit_code == 0);
    CHECK(result.out.find("the log extends the expected head\n") != std::string::npos);
  }
  // Hex digits in either case.
  std::string upper = to_hex(history.head_after(10).hash);
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  CHECK(history.run(with({"verify", "--expect-head", upper}, history.data_args())).exit_code == 0);

  const std::string random = to_hex(sha256("a head this ledger never had"));
  auto rejected = history.run(with({"verify", "--expect-head", random}, history.data_args()));
  CHECK(rejected.exit_code == 1);
  CHECK(rejected.out.find("FAILED: the log does not extend the expected head " + random) !=
        std::string::npos);
  CHECK(rejected.out.find("the log extends the expected head\n") == std::string::npos);
}

TEST_CASE("verify names the event whose bytes were changed", "[tools][verify][tamper]") {
  ScriptedHistory history;
  SECTION("a key name in the middle of the log") {
    TamperedCopy copy(history);
    change_text(copy.db_path(), 10, "billing, v2");
    expect_verify_fails_at(history, copy, 10,
                           "event content does not match the hash recorded by the next event");
  }
  SECTION("a renamed key's new name") {
    TamperedCopy copy(history);
    change_text(copy.db_path(), 18, "deploy bot (prod)");
    expect_verify_fails_at(history, copy, 18,
                           "event content does not match the hash recorded by the next event");
  }
  SECTION("the first event") {
    TamperedCopy copy(history);
    change_text(copy.db_path(), 1, "admin");
    expect_verify_fails_at(history, copy, 1,
                           "event content does not match the hash recorded by the next event");
  }
  SECTION("the last event, checked against the stored head") {
    TamperedCopy copy(history);
    change_text(copy.db_path(), 21, "req-21");  // its request id
    auto result = history.run(with({"verify"}, copy.data_args()));
    CHECK(result.exit_code == 1);
    CHECK(result.out == "FAILED: event 21: the last event does not match the stored head hash\n");
  }
  // The original is untouched by all of this.
  CHECK(history.run(with({"verify"}, history.data_args())).exit_code == 0);
}

TEST_CASE("verify names a dropped event", "[tools][verify][tamper]") {
  ScriptedHistory history;
  for (std::uint64_t seq : {1, 7, 15}) {
    TamperedCopy copy(history);
    drop_event(copy.db_path(), seq);
    INFO("dropped event " << seq);
    expect_verify_fails_at(history, copy, seq, "event is missing (sequence gap)");
  }
  TamperedCopy last(history);
  drop_event(last.db_path(), 21);
  auto result = history.run(with({"verify"}, last.data_args()));
  CHECK(result.exit_code == 1);
  CHECK(result.out == "FAILED: event 21: event is missing (the head names seq 21)\n");
}

TEST_CASE("verify names the first of two swapped events", "[tools][verify][tamper]") {
  ScriptedHistory history;
  for (std::uint64_t seq : {1, 12, 20}) {
    TamperedCopy copy(history);
    swap_events(copy.db_path(), seq);
    INFO("swapped events " << seq << " and " << seq + 1);
    expect_verify_fails_at(history, copy, seq,
                           "event carries seq " + std::to_string(seq + 1) +
                               " but is stored as seq " + std::to_string(seq));
  }
}

TEST_CASE("verify names a stored projection record that differs from the log",
          "[tools][verify][tamper]") {
  ScriptedHistory history;
  SECTION("a key's name") {
    TamperedCopy copy(history);
    {
      RawRocks raw(copy.db_path());
      auto stored = raw.get("keys", "aliceKey0002");
      REQUIRE(stored.has_value());
      auto record = projections::decode_key_record(*stored);
      REQUIRE(record.is_ok());
      CHECK(record->name == "deploy bot (prod)");
      record->name = "nothing to see here";
      raw.put("keys", "aliceKey0002", projections::encode_key_record(*record));
    }
    auto result = history.run(with({"verify"}, copy.data_args()));
    CHECK(result.exit_code == 1);
    CHECK(result.out ==
          "FAILED: the stored projection differs from a replay of the log at key 'aliceKey0002'\n");
  }
  SECTION("a deleted key brought back") {
    TamperedCopy copy(history);
    {
      RawRocks raw(copy.db_path());
      auto record = projections::decode_key_record(*raw.get("keys", "bobKey000001"));
      REQUIRE(record.is_ok());
      REQUIRE(record->deleted);
      record->deleted = false;
      record->deleted_at_ns = 0;
      raw.put("keys", "bobKey000001", projections::encode_key_record(*record));
    }
    auto result = history.run(with({"verify"}, copy.data_args()));
    CHECK(result.exit_code == 1);
    CHECK(result.out.find("key 'bobKey000001'") != std::string::npos);
  }
  SECTION("a user re-enabled") {
    TamperedCopy copy(history);
    {
      RawRocks raw(copy.db_path());
      auto record = projections::decode_user_record(*raw.get("users", "bob"));
      REQUIRE(record.is_ok());
      REQUIRE(record->disabled);
      record->disabled = false;
      raw.put("users", "bob", projections::encode_user_record(*record));
    }
    auto result = history.run(with({"verify"}, copy.data_args()));
    CHECK(result.exit_code == 1);
    CHECK(result.out ==
          "FAILED: the stored projection differs from a replay of the log at user 'bob'\n");
  }
  SECTION("a key record that no longer decodes") {
    TamperedCopy copy(history);
    RawRocks(copy.db_path()).put("keys", "carolKey0001", "not a record");
    auto result = history.run(with({"verify"}, copy.data_args()));
    CHECK(result.exit_code == 1);
    CHECK(result.out.find("carolKey0001") != std::string::npos);
    CHECK(result.out.rfind("FAILED:", 0) == 0);
  }
}

// Found by fuzzing (tests/fuzz/ledger_tool): verify used to pass a ledger
// whose stored projection claimed another head, as long as its records
// happened to equal the replay.
TEST_CASE("verify rejects a stored projection head that is not the log's head",
          "[tools][verify][tamper]") {
  ScriptedHistory history;
  const LogHead head = history.head_after(ScriptedHistory::kEvents);
  const std::string log_head = "seq 21 (hash " + to_hex(head.hash) + ")";
  SECTION("an earlier seq with the same hash") {
    TamperedCopy copy(history);
    {
      RawRocks raw(copy.db_path());
      auto stored = raw.get("meta", "projection_head");
      REQUIRE(stored.has_value());
      raw.put("meta", "projection_head", storage::event_key(20) + stored->substr(8));
    }
    auto result = history.run(with({"verify"}, copy.data_args()));
    CHECK(result.exit_code == 1);
    CHECK(result.out == "FAILED: the stored projection is at seq 20 (hash " + to_hex(head.hash) +
                            ") but the log's head is " + log_head + "\n");
  }
  SECTION("the same seq with another hash") {
    TamperedCopy copy(history);
    Hash256 other = head.hash;
    other[0] ^= 1;
    RawRocks(copy.db_path())
        .put("meta", "projection_head",
             storage::event_key(21) +
                 std::string(reinterpret_cast<const char*>(other.data()), other.size()));
    auto result = history.run(with({"verify"}, copy.data_args()));
    CHECK(result.exit_code == 1);
    CHECK(result.out == "FAILED: the stored projection is at seq 21 (hash " + to_hex(other) +
                            ") but the log's head is " + log_head + "\n");
  }
}

TEST_CASE("verify names a missing stored head", "[tools][verify][tamper]") {
  ScriptedHistory history;
  for (const std::string key : {"head", "projection_head"}) {
    TamperedCopy copy(history);
    RawRocks(copy.db_path()).erase("meta", key);
    auto result = history.run(with({"verify"}, copy.data_args()));
    INFO(key << ": " << result.err);
    CHECK(result.exit_code == 4);
    CHECK(result.out.empty());
    const std::string what =
        key == "head" ? "the stored head is missing" : "the stored projection's head is missing";
    CHECK(result.err.find(what) != std::string::npos);
    CHECK(result.err.find("NotFound") == std::string::npos);
  }
}
