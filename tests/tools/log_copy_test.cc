// tools/log_copy.h, the copy behind `keyledger replay --out`: it copies
// exactly the prefix asked for, and a damaged event in the source stops it
// with the event named, rather than ending the copy silently (which replay
// then reported as "the log changed while copying").
#include "tools/log_copy.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "storage/rocks_event_log.h"
#include "tests/support/raw_rocks.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_ledger.h"

using namespace keyledger;
using namespace keyledger::testing;
using namespace keyledger::tools;

namespace {

constexpr std::uint64_t kEvents = 7;

// A closed source ledger of kEvents events, and a folder for copies.
struct CopyFixture {
  TempDir dir;
  std::vector<LogHead> heads;  // heads[k]: the head after event k

  CopyFixture() {
    TestLedger ledger(source_path(), /*sync=*/false);
    heads.push_back(ledger.log().head());
    ledger.create_user("alice");
    heads.push_back(ledger.log().head());
    REQUIRE(
        ledger.execute(CreateKey{"copykey00001", "alice", "first", sha256("s")}, "alice").is_ok());
    heads.push_back(ledger.log().head());
    for (std::uint64_t seq = 3; seq <= kEvents; ++seq) {
      REQUIRE(
          ledger.execute(RenameKey{"copykey00001", "alice", "name " + std::to_string(seq)}, "alice")
              .is_ok());
      heads.push_back(ledger.log().head());
    }
    REQUIRE(heads.back().seq == kEvents);
  }

  std::filesystem::path source_path() const { return dir / "source"; }

  std::unique_ptr<storage::RocksEventLog> open_source() const {
    auto log = storage::RocksEventLog::open(source_path(), {.mode = storage::OpenMode::kReadOnly});
    INFO(log.status().to_string());
    REQUIRE(log.is_ok());
    return std::move(log).value();
  }

  std::unique_ptr<storage::RocksEventLog> new_target(const std::string& name) const {
    auto log = storage::RocksEventLog::open(dir / name, {.sync = false});
    INFO(log.status().to_string());
    REQUIRE(log.is_ok());
    return std::move(log).value();
  }
};

std::vector<std::string> stored_events(const EventLog& log) {
  std::vector<std::string> events;
  REQUIRE(log.read_events(1,
                          [&](std::uint64_t, std::string_view bytes) {
                            events.emplace_back(bytes);
                            return true;
                          })
              .is_ok());
  return events;
}

// A target whose appends fail from the `fail_from`-th on (1-based); the
// ones before go to `inner`.
class FailingTarget final : public EventLog {
 public:
  FailingTarget(EventLog& inner, int fail_from) : inner_(inner), fail_from_(fail_from) {}
  int appends = 0;

  LogHead head() const override { return inner_.head(); }
  Status append(std::span<const EncodedEvent> events, std::span<const RecordChange> changes,
                const LogHead& new_head) override {
    if (++appends >= fail_from_)
      return unavailable(Reason::kStorageUnavailable, "the disk is full");
    return inner_.append(events, changes, new_head);
  }
  Status read_events(
      std::uint64_t from_seq,
      const std::function<bool(std::uint64_t, std::string_view)>& visit) const override {
    return inner_.read_events(from_seq, visit);
  }
  Status read_records(
      RecordTable table,
      const std::function<bool(std::string_view, std::string_view)>& visit) const override {
    return inner_.read_records(table, visit);
  }
  std::uint32_t projection_version() const override { return inner_.projection_version(); }
  Status replace_projection(std::span<const RecordChange> records, std::uint32_t version) override {
    return inner_.replace_projection(records, version);
  }

 private:
  EventLog& inner_;
  int fail_from_;
};

}  // namespace

TEST_CASE("a prefix copy holds exactly the events up to the head asked for",
          "[tools][replay][copy]") {
  CopyFixture fixture;
  auto source = fixture.open_source();
  const std::vector<std::string> all = stored_events(*source);
  for (std::uint64_t until : {std::uint64_t{0}, std::uint64_t{4}, kEvents}) {
    auto target = fixture.new_target("copy-" + std::to_string(until));
    // Two events to an append, so the copy takes several.
    const CopiedPrefix copied = copy_log_prefix(*source, fixture.heads[until], *target, 2);
    INFO("until " << until);
    CHECK(copied.read.is_ok());
    CHECK_FALSE(copied.damage.has_value());
    CHECK(copied.written.is_ok());
    CHECK(copied.head == fixture.heads[until]);
    CHECK(target->head() == fixture.heads[until]);
    CHECK(stored_events(*target) == std::vector<std::string>(all.begin(), all.begin() + until));
  }
}

TEST_CASE("a prefix copy stops at an undecodable event and names it", "[tools][replay][copy]") {
  CopyFixture fixture;
  RawRocks(fixture.source_path()).put("events", storage::event_key(5), "not an event");
  auto source = fixture.open_source();
  auto target = fixture.new_target("copy");
  const CopiedPrefix copied = copy_log_prefix(*source, fixture.heads[kEvents], *target, 2);
  CHECK(copied.read.is_ok());
  CHECK(copied.written.is_ok());
  REQUIRE(copied.damage.has_value());
  CHECK(copied.damage->seq == 5);
  CHECK(copied.damage->kind == DamageKind::kUndecodable);
  CHECK(copied.damage->message == "event size is not a whole number of words");
  // Events 1..4 went in two appends before the damage was read.
  CHECK(copied.head == fixture.heads[4]);
  CHECK(target->head() == fixture.heads[4]);
}

TEST_CASE(
    "a prefix copy stops at an event stored under another seq, and reads nothing after the "
    "prefix",
    "[tools][replay][copy]") {
  CopyFixture fixture;
  {
    RawRocks raw(fixture.source_path());
    raw.put("events", storage::event_key(3), *raw.get("events", storage::event_key(6)));
  }
  auto source = fixture.open_source();
  auto target = fixture.new_target("copy");
  const CopiedPrefix mismatch = copy_log_prefix(*source, fixture.heads[kEvents], *target);
  REQUIRE(mismatch.damage.has_value());
  CHECK(mismatch.damage->seq == 3);
  CHECK(mismatch.damage->message == "event carries seq 6 but is stored as seq 3");
  CHECK(target->head() == LogHead{});  // nothing is appended from a copy that stopped

  auto second = fixture.new_target("second");
  const CopiedPrefix before = copy_log_prefix(*source, fixture.heads[2], *second);
  CHECK_FALSE(before.damage.has_value());  // the damage lies beyond the prefix
  CHECK(before.head == fixture.heads[2]);
}

TEST_CASE("a prefix copy that does not end on the head asked for leaves its last batch out",
          "[tools][replay][copy]") {
  CopyFixture fixture;
  auto source = fixture.open_source();
  auto target = fixture.new_target("copy");
  LogHead other = fixture.heads[5];
  other.hash[0] ^= 0x01;  // not the source's event 5
  const CopiedPrefix copied = copy_log_prefix(*source, other, *target, 2);
  CHECK(copied.read.is_ok());
  CHECK_FALSE(copied.damage.has_value());
  CHECK(copied.written.is_ok());
  CHECK(copied.head == fixture.heads[4]);
  CHECK(target->head() == fixture.heads[4]);
}

TEST_CASE("a prefix copy stops at the first append the target refuses", "[tools][replay][copy]") {
  CopyFixture fixture;
  auto source = fixture.open_source();
  auto inner = fixture.new_target("copy");
  FailingTarget target(*inner, 2);
  const CopiedPrefix copied = copy_log_prefix(*source, fixture.heads[kEvents], target, 2);
  CHECK(copied.read.is_ok());
  CHECK_FALSE(copied.damage.has_value());
  CHECK(copied.written.code() == StatusCode::kUnavailable);
  CHECK(copied.written.message() == "the disk is full");
  CHECK(target.appends == 2);  // nothing more is read or appended after the refusal
  CHECK(copied.head == fixture.heads[2]);
  CHECK(inner->head() == fixture.heads[2]);
}
