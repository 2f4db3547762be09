// core/event_reader.h against a real RocksEventLog: good events in order
// from any seq, and each kind of damage (undecodable bytes, an event under
// another seq, missing events) reported with its seq, after which the
// reader stops or skips as the reporter asks. A read error of the log
// itself is what read() returns.
#include "core/event_reader.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/event_codec.h"
#include "storage/rocks_event_log.h"
#include "tests/support/raw_rocks.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_ledger.h"

using namespace keyledger;
using keyledger::testing::RawRocks;
using keyledger::testing::TempDir;
using keyledger::testing::TestLedger;

namespace {

constexpr std::uint64_t kEvents = 8;

// A closed ledger of kEvents events: alice, then keys created and renamed.
class ReaderLedger {
 public:
  ReaderLedger() {
    TestLedger ledger(path(), /*sync=*/false);
    ledger.create_user("alice");
    for (std::uint64_t seq = 2; seq <= kEvents; ++seq) {
      const std::string key_id = "readerkey00" + std::to_string(seq % 2);
      auto done =
          seq <= 3
              ? ledger.execute(CreateKey{key_id, "alice", "key", sha256(key_id)}, "alice")
              : ledger.execute(RenameKey{key_id, "alice", "name " + std::to_string(seq)}, "alice");
      REQUIRE(done.is_ok());
      REQUIRE(done->seq == seq);
    }
  }

  std::filesystem::path path() const { return dir_ / "ledger"; }

  std::string stored(std::uint64_t seq) const {
    auto bytes = RawRocks(path()).get("events", storage::event_key(seq));
    REQUIRE(bytes.has_value());
    return *bytes;
  }
  void store(std::uint64_t seq, const std::string& bytes) {
    RawRocks(path()).put("events", storage::event_key(seq), bytes);
  }
  void erase(std::uint64_t seq) { RawRocks(path()).erase("events", storage::event_key(seq)); }

  // Opened as the tools open it; the head is not checked, so that any
  // damage is left for the reader to find.
  std::unique_ptr<storage::RocksEventLog> open() const {
    auto log = storage::RocksEventLog::open(
        path(), {.mode = storage::OpenMode::kReadOnly, .skip_head_check = true});
    INFO(log.status().to_string());
    REQUIRE(log.is_ok());
    return std::move(log).value();
  }

 private:
  TempDir dir_;
};

// Keeps every damage and answers each with `answer`.
class RecordingReporter final : public EventReporter {
 public:
  explicit RecordingReporter(OnDamage answer) : answer_(answer) {}
  OnDamage report(const EventDamage& damage) override {
    damages.push_back(damage);
    return answer_;
  }
  std::vector<EventDamage> damages;

 private:
  OnDamage answer_;
};

// What one read saw: the seqs visited and what read() returned.
struct ReadResult {
  std::vector<std::uint64_t> seqs;
  Status status;
};

ReadResult read_from(const EventLog& log, EventReporter& reporter, std::uint64_t from_seq) {
  ReadResult result;
  result.status =
      EventReader(log, reporter).read(from_seq, [&](const Event& event, std::string_view) {
        result.seqs.push_back(event.seq);
        return true;
      });
  return result;
}

// The seqs a read visited, for a read that must succeed (after kStop too:
// the damage goes to the reporter).
std::vector<std::uint64_t> seqs_read(const EventLog& log, EventReporter& reporter,
                                     std::uint64_t from_seq) {
  ReadResult result = read_from(log, reporter, from_seq);
  CHECK(result.status.is_ok());
  return std::move(result.seqs);
}

std::vector<std::uint64_t> seqs(std::uint64_t first, std::uint64_t last) {
  std::vector<std::uint64_t> out;
  for (std::uint64_t seq = first; seq <= last; ++seq) out.push_back(seq);
  return out;
}

std::vector<std::uint64_t> joined(std::vector<std::uint64_t> a,
                                  const std::vector<std::uint64_t>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// An EventLog that serves a fixed list of (seq, bytes), in the list's order
// (a real log cannot hold events out of key order), then `end_status`.
class ListedLog final : public EventLog {
 public:
  std::vector<std::pair<std::uint64_t, std::string>> events;
  Status end_status = Status::ok();

  LogHead head() const override { return {}; }
  Status append(std::span<const EncodedEvent>, std::span<const RecordChange>,
                const LogHead&) override {
    return internal_error(Reason::kReadOnly, "read only");
  }
  Status read_events(
      std::uint64_t from_seq,
      const std::function<bool(std::uint64_t, std::string_view)>& visit) const override {
    for (const auto& [seq, bytes] : events)
      if (seq >= from_seq && !visit(seq, bytes)) return Status::ok();
    return end_status;
  }
  Status read_records(
      RecordTable, const std::function<bool(std::string_view, std::string_view)>&) const override {
    return Status::ok();
  }
  std::uint32_t projection_version() const override { return 1; }
  Status replace_projection(std::span<const RecordChange>, std::uint32_t) override {
    return internal_error(Reason::kReadOnly, "read only");
  }
};

std::string encoded_event(std::uint64_t seq) {
  Event event;
  event.seq = seq;
  event.payload = UserEnabled{"user" + std::to_string(seq)};
  return encode_event(event);
}

}  // namespace

TEST_CASE("the event reader hands on every event in seq order with its stored bytes",
          "[core][event_reader]") {
  ReaderLedger ledger;
  auto log = ledger.open();
  std::vector<std::pair<std::uint64_t, std::string>> raw;
  REQUIRE(log->read_events(1,
                           [&](std::uint64_t seq, std::string_view bytes) {
                             raw.emplace_back(seq, std::string(bytes));
                             return true;
                           })
              .is_ok());
  REQUIRE(raw.size() == kEvents);

  RecordingReporter reporter(OnDamage::kStop);
  std::vector<std::pair<std::uint64_t, std::string>> seen;
  Status read =
      EventReader(*log, reporter).read(1, [&](const Event& event, std::string_view bytes) {
        CHECK(decode_event(bytes)->seq == event.seq);
        seen.emplace_back(event.seq, std::string(bytes));
        return true;
      });
  CHECK(read.is_ok());
  CHECK(seen == raw);
  CHECK(reporter.damages.empty());
}

TEST_CASE("the event reader starts at the seq asked for", "[core][event_reader]") {
  ReaderLedger ledger;
  auto log = ledger.open();
  RecordingReporter reporter(OnDamage::kStop);
  CHECK(seqs_read(*log, reporter, 5) == seqs(5, kEvents));
  CHECK(seqs_read(*log, reporter, kEvents) == seqs(kEvents, kEvents));
  // Past the end: nothing, and nothing is missing (the head is not read).
  const ReadResult past = read_from(*log, reporter, kEvents + 1);
  CHECK(past.status.is_ok());
  CHECK(past.seqs.empty());
  // No event has seq 0: reading from 0 is reading from the start.
  CHECK(seqs_read(*log, reporter, 0) == seqs(1, kEvents));
  CHECK(reporter.damages.empty());
}

TEST_CASE("the event reader stops when the visitor returns false", "[core][event_reader]") {
  ReaderLedger ledger;
  auto log = ledger.open();
  RecordingReporter reporter(OnDamage::kStop);
  std::vector<std::uint64_t> seen;
  Status read = EventReader(*log, reporter).read(2, [&](const Event& event, std::string_view) {
    seen.push_back(event.seq);
    return event.seq < 4;
  });
  CHECK(read.is_ok());
  CHECK(seen == seqs(2, 4));
}

TEST_CASE("an undecodable event is reported with its seq, and the reader stops there",
          "[core][event_reader]") {
  ReaderLedger ledger;
  ledger.store(5, "not an event");
  auto log = ledger.open();
  FirstDamage damage;
  const ReadResult result = read_from(*log, damage, 1);
  CHECK(result.status.is_ok());  // the damage went to the reporter
  CHECK(result.seqs == seqs(1, 4));
  REQUIRE(damage.damage().has_value());
  CHECK(damage.damage()->kind == DamageKind::kUndecodable);
  CHECK(damage.damage()->seq == 5);
  CHECK(damage.damage()->why().code() == StatusCode::kCorruption);
  CHECK(damage.damage()->why().reason() == "undecodable_event");
  CHECK(damage.damage()->message == "event size is not a whole number of words");
  CHECK(damage.status().code() == StatusCode::kCorruption);
  CHECK(damage.status().reason() == "undecodable_event");
  CHECK(damage.status().message() == "event 5 does not decode");
}

TEST_CASE("a reporter that skips an undecodable event gets the events after it",
          "[core][event_reader]") {
  ReaderLedger ledger;
  ledger.store(3, std::string(64, '\xff'));
  ledger.store(6, "");
  auto log = ledger.open();
  RecordingReporter reporter(OnDamage::kSkip);
  const ReadResult result = read_from(*log, reporter, 1);
  CHECK(result.status.is_ok());
  CHECK(result.seqs == std::vector<std::uint64_t>{1, 2, 4, 5, 7, 8});
  REQUIRE(reporter.damages.size() == 2);
  CHECK(reporter.damages[0].seq == 3);
  CHECK(reporter.damages[1].seq == 6);
  for (const auto& damage : reporter.damages) CHECK(damage.kind == DamageKind::kUndecodable);
}

TEST_CASE("an event stored under another seq is reported as a seq mismatch",
          "[core][event_reader]") {
  ReaderLedger ledger;
  ledger.store(4, ledger.stored(7));
  auto log = ledger.open();

  FirstDamage first;
  CHECK(seqs_read(*log, first, 1) == seqs(1, 3));
  REQUIRE(first.damage().has_value());
  CHECK(first.damage()->kind == DamageKind::kSeqMismatch);
  CHECK(first.damage()->seq == 4);
  CHECK(first.damage()->why().reason() == "event_seq_mismatch");
  CHECK(first.damage()->message == "event carries seq 7 but is stored as seq 4");
  CHECK(first.status().message() == "event 4: event carries seq 7 but is stored as seq 4");

  // Skipped, the copy is left out and event 7 comes once, in its place.
  RecordingReporter skipping(OnDamage::kSkip);
  CHECK(seqs_read(*log, skipping, 1) == joined(seqs(1, 3), seqs(5, kEvents)));
  CHECK(skipping.damages.size() == 1);
}

TEST_CASE("missing events are reported once, as a gap at the first missing seq",
          "[core][event_reader]") {
  ReaderLedger ledger;
  ledger.erase(4);
  ledger.erase(5);
  auto log = ledger.open();

  FirstDamage first;
  CHECK(seqs_read(*log, first, 2) == seqs(2, 3));
  REQUIRE(first.damage().has_value());
  CHECK(first.damage()->kind == DamageKind::kMissing);
  CHECK(first.damage()->seq == 4);
  CHECK(first.damage()->why().reason() == "event_missing");
  CHECK(first.status().message() == "event 4: event is missing (sequence gap)");

  RecordingReporter skipping(OnDamage::kSkip);
  CHECK(seqs_read(*log, skipping, 1) == joined(seqs(1, 3), seqs(6, kEvents)));
  REQUIRE(skipping.damages.size() == 1);
  CHECK(skipping.damages[0].seq == 4);

  // A read that starts inside the gap: the seq asked for is missing.
  FirstDamage inside;
  CHECK(seqs_read(*log, inside, 5).empty());
  REQUIRE(inside.damage().has_value());
  CHECK(inside.damage()->kind == DamageKind::kMissing);
  CHECK(inside.damage()->seq == 5);
}

TEST_CASE("after a skipped gap the event that follows it is checked too", "[core][event_reader]") {
  ReaderLedger ledger;
  ledger.erase(4);
  ledger.store(5, "garbage!");
  auto log = ledger.open();
  RecordingReporter reporter(OnDamage::kSkip);
  CHECK(seqs_read(*log, reporter, 1) == joined(seqs(1, 3), seqs(6, kEvents)));
  REQUIRE(reporter.damages.size() == 2);
  CHECK(reporter.damages[0].kind == DamageKind::kMissing);
  CHECK(reporter.damages[0].seq == 4);
  CHECK(reporter.damages[1].kind == DamageKind::kUndecodable);
  CHECK(reporter.damages[1].seq == 5);
}

TEST_CASE("an event out of order is reported and, when skipped, the seq is still expected",
          "[core][event_reader]") {
  ListedLog log;
  log.events = {
      {1, encoded_event(1)}, {2, encoded_event(2)}, {1, encoded_event(1)}, {3, encoded_event(3)}};
  RecordingReporter reporter(OnDamage::kSkip);
  const ReadResult result = read_from(log, reporter, 1);
  CHECK(result.status.is_ok());
  CHECK(result.seqs == seqs(1, 3));
  REQUIRE(reporter.damages.size() == 1);
  CHECK(reporter.damages[0].kind == DamageKind::kOutOfOrder);
  CHECK(reporter.damages[0].seq == 3);
  CHECK(reporter.damages[0].message == "event is stored out of order");
}

TEST_CASE("a read error of the log is what the reader returns, not a damage report",
          "[core][event_reader]") {
  SECTION("from storage") {
    ReaderLedger ledger;
    RawRocks(ledger.path()).put("events", "zzz", "value");  // sorts after every seq
    auto log = ledger.open();
    RecordingReporter reporter(OnDamage::kSkip);
    const ReadResult result = read_from(*log, reporter, 1);
    CHECK(result.seqs == seqs(1, kEvents));
    CHECK(result.status.code() == StatusCode::kCorruption);
    CHECK(result.status.reason() == "bad_event_key");
    CHECK(reporter.damages.empty());
  }
  SECTION("after events were visited") {
    ListedLog log;
    log.events = {{1, encoded_event(1)}, {2, encoded_event(2)}};
    log.end_status = unavailable(Reason::kStorageUnavailable, "the disk went away");
    RecordingReporter reporter(OnDamage::kSkip);
    const ReadResult result = read_from(log, reporter, 1);
    CHECK(result.seqs == seqs(1, 2));
    CHECK(result.status.code() == StatusCode::kUnavailable);
    CHECK(result.status.message() == "the disk went away");
    CHECK(reporter.damages.empty());
  }
}

TEST_CASE("the stored-event check finds a gap before bad bytes, and bad bytes before a mismatch",
          "[core][event_reader]") {
  const StatusOr<Event> undecodable = decode_event("bad");
  const StatusOr<Event> carries_9 = decode_event(encoded_event(9));
  REQUIRE(carries_9.is_ok());

  CHECK_FALSE(check_stored_event(9, 9, carries_9).has_value());
  CHECK(check_stored_event(7, 9, undecodable)->kind == DamageKind::kMissing);
  CHECK(check_stored_event(7, 9, undecodable)->seq == 7);
  CHECK(check_stored_event(9, 7, undecodable)->kind == DamageKind::kOutOfOrder);
  CHECK(check_stored_event(9, 7, undecodable)->seq == 9);
  CHECK(check_stored_event(8, 8, undecodable)->kind == DamageKind::kUndecodable);
  CHECK(check_stored_event(8, 8, carries_9)->kind == DamageKind::kSeqMismatch);
  CHECK(check_stored_event(8, 8, carries_9)->message ==
        "event carries seq 9 but is stored as seq 8");
}

TEST_CASE("a first-damage reporter keeps the first damage and asks to stop",
          "[core][event_reader]") {
  FirstDamage damage;
  CHECK(damage.status().is_ok());
  CHECK_FALSE(damage.damage().has_value());
  CHECK(damage.report({DamageKind::kMissing, 4, Reason::kEventMissing, "gone"}) == OnDamage::kStop);
  CHECK(damage.report({DamageKind::kUndecodable, 9, Reason::kUndecodableEvent, "bad"}) ==
        OnDamage::kStop);
  REQUIRE(damage.damage().has_value());
  CHECK(damage.damage()->seq == 4);
  CHECK(damage.status().message() == "event 4: gone");
  CHECK(damage.status().reason() == "event_missing");
}
