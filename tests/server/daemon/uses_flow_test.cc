// "Last use flows back" (issue 20) without NATS: a follower's reporter
// sends the uses its holder coalesced per key and keeps what it could not
// send; the leader's intake decodes with limits, clamps each use's time to
// its own now, lists the follower, and hands the uses to its tracker,
// which is exact in memory at once and persists at most one KeyUsed per
// key per flush interval, whatever the addresses.
#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "core/event_codec.h"
#include "server/daemon/follower_parts.h"
#include "server/daemon/leader_parts.h"
#include "server/daemon/uses_intake.h"
#include "server/daemon/uses_reporting.h"
#include "server/replication/key_uses_message.h"
#include "server/verify/last_use_tracker.h"
#include "tests/server/captured_log.h"
#include "tests/support/eventually.h"
#include "tests/support/test_ledger.h"

using namespace keyledger;
using namespace std::chrono_literals;
using keyledger::server::FollowerUsesIntake;
using keyledger::server::HeldKeyUses;
using keyledger::server::LastUseTracker;
using keyledger::server::UsesReporter;
using keyledger::server::WriterKeyUseSink;
using keyledger::testing::CapturedLog;
using keyledger::testing::TestLedger;

namespace {

const std::string kKeyId = "AAAAAAAAAAAA";

// Keeps every message sent; fails while `failing`.
class FakeSender final : public server::UsesSender {
 public:
  Status send(const std::string& message) override {
    if (failing) return unavailable(Reason::kStorageUnavailable, "NATS is down");
    sent.push_back(message);
    return Status::ok();
  }
  bool failing = false;
  std::vector<std::string> sent;
};

void hold(HeldKeyUses& held, const std::string& key_id, const std::string& ip, TimeNs at) {
  held.submit(RecordKeyUse{key_id, ip, at}, [](Status status) { status.ignore(); });
}

replication::KeyUsesReport decoded(const std::string& message) {
  auto report = replication::decode_key_uses(message);
  REQUIRE(report.is_ok());
  return std::move(report).value();
}

// The number of KeyUsed events in the leader's log.
std::size_t key_used_events(TestLedger& ledger) {
  std::size_t count = 0;
  Status read = ledger.log().read_events(1, [&](std::uint64_t, std::string_view bytes) {
    auto event = decode_event(bytes);
    if (event.is_ok() && std::holds_alternative<KeyUsed>(event->payload)) ++count;
    return true;
  });
  REQUIRE(read.is_ok());
  return count;
}

// A leader's ledger with alice's key, its tracker persisting through the
// writer, and the intake of its followers' reports.
struct Leader {
  explicit Leader(std::chrono::seconds interval = 3600s)
      : uses(ledger.writer()),
        tracker(uses, ledger.projection(), ledger.clock(), interval),
        followers(steady, 100s),
        intake(tracker, ledger.clock(), followers) {
    ledger.create_user("alice");
    auto created = ledger.execute(CreateKey{kKeyId, "alice", "ci", sha256(kKeyId)}, "alice");
    REQUIRE(created.is_ok());
  }
  std::string report(std::vector<RecordKeyUse> uses, std::uint64_t applied = 3) {
    return replication::encode_key_uses({"f1", applied, std::move(uses)}).at(0);
  }
  std::pair<std::string, TimeNs> persisted() {
    auto key = ledger.projection().key(kKeyId);
    REQUIRE(key);
    return {key->last_used_ip, key->last_used_at_ns};
  }
  TestLedger ledger;
  WriterKeyUseSink uses;
  LastUseTracker tracker;
  ManualMonotonicClock steady;
  replication::FollowerTable followers;
  FollowerUsesIntake intake;
};

}  // namespace

TEST_CASE("the holder keeps the newest use of each key, and uses held again never replace newer",
          "[server][last_use][uses_flow]") {
  HeldKeyUses held;
  hold(held, "AAAAAAAAAAAA", "10.0.0.1", 5);
  hold(held, "AAAAAAAAAAAA", "10.0.0.2", 7);
  hold(held, "AAAAAAAAAAAA", "10.0.0.3", 6);  // older: dropped
  hold(held, "BBBBBBBBBBBB", "10.0.0.1", 1);
  CHECK(held.held() == 2);
  auto taken = held.take_all();
  REQUIRE(taken.size() == 2);
  CHECK(held.held() == 0);
  hold(held, "AAAAAAAAAAAA", "10.0.0.9", 9);  // newer, while the others were out
  held.hold_again(std::move(taken));
  auto again = held.take_all();
  REQUIRE(again.size() == 2);
  for (const auto& use : again)
    if (use.key_id == "AAAAAAAAAAAA") CHECK(use.client_ip == "10.0.0.9");
}

TEST_CASE("the reporter sends the held uses with the node and applied seq, and keeps what fails",
          "[server][last_use][uses_flow]") {
  CapturedLog log;
  HeldKeyUses held;
  FakeSender sender;
  std::uint64_t applied = 17;
  UsesReporter reporter(
      held, sender, "f1:8081", [&] { return applied; }, 1s, log.log);

  hold(held, kKeyId, "10.0.0.1", 5);
  sender.failing = true;
  CHECK_FALSE(reporter.report_once().is_ok());
  CHECK(held.held() == 1);  // not lost
  CHECK(log.lines().size() == 1);
  CHECK_FALSE(reporter.report_once().is_ok());
  CHECK(log.lines().size() == 1);  // said once until it works again

  sender.failing = false;
  REQUIRE(reporter.report_once().is_ok());
  CHECK(held.held() == 0);
  REQUIRE(sender.sent.size() == 1);
  const auto report = decoded(sender.sent[0]);
  CHECK(report.node == "f1:8081");
  CHECK(report.applied_seq == 17);
  REQUIRE(report.uses.size() == 1);
  CHECK(report.uses[0].client_ip == "10.0.0.1");
  // Nothing held: still a report, so the leader lists the follower.
  REQUIRE(reporter.report_once().is_ok());
  CHECK(decoded(sender.sent.at(1)).uses.empty());
}

TEST_CASE("a use from a follower is exact at once in the leader's memory and lists the follower",
          "[server][last_use][uses_flow]") {
  Leader leader;
  const TimeNs now = leader.ledger.clock().now_ns();
  REQUIRE(leader.intake.take(leader.report({{kKeyId, "10.0.0.7", now - 5}}, 9)).is_ok());
  const auto latest = leader.tracker.latest(kKeyId);
  REQUIRE(latest);
  CHECK(latest->ip == "10.0.0.7");
  CHECK(latest->at_ns == now - 5);
  const auto followers = leader.followers.followers(leader.ledger.log().head().seq);
  REQUIRE(followers.size() == 1);
  CHECK(followers[0].node == "f1");
  CHECK(followers[0].applied_seq == 9);
  CHECK(leader.intake.uses_taken() == 1);
  leader.tracker.flush_all();
  CHECK(leader.persisted() == std::pair{std::string("10.0.0.7"), now - 5});
}

TEST_CASE("a use time from a clock ahead of the leader's is clamped to the leader's now",
          "[server][last_use][uses_flow]") {
  Leader leader;
  const TimeNs now = leader.ledger.clock().now_ns();
  REQUIRE(
      leader.intake.take(leader.report({{kKeyId, "10.0.0.7", now + 3'600'000'000'000}})).is_ok());
  CHECK(leader.tracker.latest(kKeyId)->at_ns == now);
  leader.tracker.flush_all();
  CHECK(leader.persisted().second == now);
}

TEST_CASE("uses of unknown and deleted keys from a follower are ignored",
          "[server][last_use][uses_flow]") {
  Leader leader;
  REQUIRE(leader.ledger.execute(DeleteKey{kKeyId, "alice", "gone"}, "alice").is_ok());
  const auto head = leader.ledger.log().head().seq;
  const TimeNs now = leader.ledger.clock().now_ns();
  REQUIRE(leader.intake
              .take(leader.report({{kKeyId, "10.0.0.7", now}, {"BBBBBBBBBBBB", "10.0.0.7", now}}))
              .is_ok());
  CHECK_FALSE(leader.tracker.latest("BBBBBBBBBBBB"));
  leader.tracker.flush_all();
  CHECK(leader.ledger.log().head().seq == head);
}

TEST_CASE("a bad uses message is counted and changes nothing", "[server][last_use][uses_flow]") {
  Leader leader;
  const auto head = leader.ledger.log().head().seq;
  for (const std::string& bad : {std::string("garbage"), std::string("keyledger-uses 9\n"),
                                 leader.report({}) + "use AAAAAAAAAAAA 1 not-an-ip\n"}) {
    CHECK(leader.intake.take(bad).code() == StatusCode::kInvalidArgument);
  }
  CHECK(leader.intake.bad_messages() == 3);
  CHECK(leader.followers.followers(head).empty());
  CHECK_FALSE(leader.tracker.latest(kKeyId));
  leader.tracker.flush_all();
  CHECK(leader.ledger.log().head().seq == head);
}

TEST_CASE("uses from followers persist at most one KeyUsed per key per flush interval",
          "[server][last_use][uses_flow]") {
  Leader leader(60s);
  const TimeNs now = leader.ledger.clock().now_ns();
  // The key shared by API servers behind two followers: its address
  // changes with every report.
  for (int i = 0; i < 6; ++i) {
    const std::string ip = i % 2 == 0 ? "10.0.0.1" : "10.0.0.2";
    REQUIRE(leader.intake.take(leader.report({{kKeyId, ip, now - 100 + i}})).is_ok());
    CHECK(leader.tracker.latest(kKeyId)->ip == ip);  // exact at once
  }
  CHECK(key_used_events(leader.ledger) == 0);  // nothing at once, despite the new addresses
  // A round of the flusher sends the newest once.
  CHECK(leader.tracker.flush_once() == 1);
  REQUIRE(testing::eventually([&] { return key_used_events(leader.ledger) == 1; }));
  CHECK(leader.persisted() == std::pair{std::string("10.0.0.2"), now - 95});
  // Within the interval nothing more, although the address changed again.
  REQUIRE(leader.intake.take(leader.report({{kKeyId, "10.0.0.1", now}})).is_ok());
  CHECK(leader.tracker.flush_once() == 0);
  // Past the interval, the newest use is persisted.
  leader.ledger.clock().advance(std::chrono::nanoseconds(61s).count());
  // (Once the first commit's completion has cleared the key's in-flight mark.)
  CHECK(testing::eventually([&] { return leader.tracker.flush_once() == 1; }));
  REQUIRE(testing::eventually([&] { return key_used_events(leader.ledger) == 2; }));
  CHECK(leader.persisted() == std::pair{std::string("10.0.0.1"), now});
  // Persisted and a whole interval old, the key's entry is freed (the use
  // cell carries the use); its newest use is still known.
  CHECK(leader.tracker.entries_held() == 1);
  leader.ledger.clock().advance(std::chrono::nanoseconds(61s).count());
  CHECK(testing::eventually([&] {
    leader.tracker.flush_once();
    return leader.tracker.entries_held() == 0;
  }));
  CHECK(leader.tracker.latest(kKeyId)->ip == "10.0.0.1");
  CHECK(leader.tracker.latest(kKeyId)->at_ns == now);
  // A later use from a follower is exact at once again, and persisted once.
  REQUIRE(leader.intake.take(leader.report({{kKeyId, "10.0.0.2", now + 1}})).is_ok());
  CHECK(leader.tracker.latest(kKeyId)->ip == "10.0.0.2");
  CHECK(leader.tracker.flush_once() == 1);
  REQUIRE(testing::eventually([&] { return key_used_events(leader.ledger) == 3; }));
  leader.tracker.flush_all();
}
