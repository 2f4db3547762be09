// LiveProjection: the writer's cycle (decide and fold into staging(), then
// publish or discard), and readers on other threads while the writer
// commits.
#include "projections/live_projection.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <cstdio>
#include <future>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "core/decide.h"
#include "projections/record_codec.h"
#include "tests/support/test_ledger.h"

using namespace keyledger;
using keyledger::projections::LiveProjection;
using keyledger::testing::TestLedger;

namespace {

constexpr TimeNs kT0 = 1'700'000'000'000'000'000;
const Hash256 kSecret = sha256("s");
// A well-formed encoded hash (decide checks the shape, not the password).
const std::string kPasswordHash =
    "scrypt$ln=10$r=8$p=1$" + std::string(32, 'a') + "$" + std::string(64, 'b');

// Decides and stages `command` as event `seq`, as the writer does.
void decide_and_stage(LiveProjection& projection, const Command& command, std::uint64_t seq) {
  auto payload = decide(projection.staging(), command);
  INFO(payload.status().to_string());
  REQUIRE(payload.is_ok());
  Event event;
  event.seq = seq;
  event.time_ns = kT0 + static_cast<TimeNs>(seq);
  event.payload = std::move(payload).value();
  projections::apply_event(projection.staging(), event);
}

std::size_t count_changes(const std::vector<RecordChange>& changes, RecordTable table) {
  std::size_t count = 0;
  for (const auto& change : changes) count += change.table == table ? 1 : 0;
  return count;
}

}  // namespace

TEST_CASE("staged events are decided against but invisible to readers until published",
          "[projections]") {
  LiveProjection projection;
  decide_and_stage(projection, CreateUser{"alice", Privilege::kUser, kPasswordHash}, 1);
  // The next decision sees the staged user; readers do not.
  decide_and_stage(projection, CreateKey{"AAAAAAAAAAAA", "alice", " laptop ", kSecret}, 2);
  CHECK_FALSE(projection.user("alice"));
  CHECK_FALSE(projection.key("AAAAAAAAAAAA"));
  CHECK(projection.live_keys_of("alice").empty());
  CHECK(projection.snapshot().users().empty());
  CHECK_FALSE(
      decide(projection.staging(), CreateUser{"alice", Privilege::kUser, kPasswordHash}).is_ok());

  const auto changes = projection.staged_changes();
  CHECK(count_changes(changes, RecordTable::kUsers) == 1);
  CHECK(count_changes(changes, RecordTable::kKeys) == 1);
  CHECK(count_changes(changes, RecordTable::kOwnerIndex) == 1);
  for (const auto& change : changes) {
    REQUIRE(change.value.has_value());
    if (change.table == RecordTable::kKeys) {
      auto key = projections::decode_key_record(*change.value);
      REQUIRE(key.is_ok());
      CHECK(key->name == "laptop");
      CHECK(key->created_seq == 2);
    }
    if (change.table == RecordTable::kOwnerIndex)
      CHECK(change.key == projections::owner_index_key("alice", "AAAAAAAAAAAA"));
  }

  projection.publish();
  REQUIRE(projection.user("alice"));
  REQUIRE(projection.key("AAAAAAAAAAAA"));
  CHECK(projection.key("AAAAAAAAAAAA")->name == "laptop");
  CHECK(projection.live_keys_of("alice").size() == 1);
  CHECK(projection.staged_changes().empty());

  // A change to an existing key writes its record again but no new index entry.
  decide_and_stage(projection, RenameKey{"AAAAAAAAAAAA", "alice", "desk"}, 3);
  const auto rename_changes = projection.staged_changes();
  CHECK(count_changes(rename_changes, RecordTable::kKeys) == 1);
  CHECK(count_changes(rename_changes, RecordTable::kOwnerIndex) == 0);
  CHECK(count_changes(rename_changes, RecordTable::kUsers) == 0);
  projection.publish();
  CHECK(projection.key("AAAAAAAAAAAA")->name == "desk");
}

TEST_CASE("discarded staged events leave no trace", "[projections]") {
  LiveProjection projection;
  decide_and_stage(projection, CreateUser{"alice", Privilege::kUser, kPasswordHash}, 1);
  projection.publish();
  const auto before = projection.snapshot();

  decide_and_stage(projection, CreateUser{"bob", Privilege::kUser, kPasswordHash}, 2);
  decide_and_stage(projection, CreateKey{"BBBBBBBBBBBB", "bob", "b", kSecret}, 3);
  decide_and_stage(projection, DisableUser{"alice"}, 4);
  projection.discard();

  CHECK(projection.staged_changes().empty());
  CHECK(projection.snapshot() == before);
  CHECK_FALSE(projection.user("bob"));
  CHECK_FALSE(projection.user("alice")->disabled);
  // Decisions are made against the published state again.
  CHECK(decide(projection.staging(), CreateKey{"BBBBBBBBBBBB", "bob", "b", kSecret})
            .status()
            .reason() == "user_not_found");
  CHECK(decide(projection.staging(), EnableUser{"alice"}).status().reason() == "unchanged");
}

TEST_CASE("keys published in one batch keep each owner's list oldest first", "[projections]") {
  LiveProjection projection;
  decide_and_stage(projection, CreateUser{"alice", Privilege::kUser, kPasswordHash}, 1);
  // Ids chosen so that hash-map order is unlikely to match creation order.
  const std::vector<std::string> ids = {"zzzzzzzzzzzz", "AAAAAAAAAAAA", "mmmmmmmmmmmm",
                                        "000000000000", "QQQQQQQQQQQQ", "bbbbbbbbbbbb"};
  std::uint64_t seq = 2;
  for (const auto& id : ids)
    decide_and_stage(projection, CreateKey{id, "alice", id, kSecret}, seq++);
  projection.publish();
  std::vector<std::string> listed;
  for (const auto& key : projection.live_keys_of("alice")) listed.push_back(key.key_id);
  CHECK(listed == ids);
}

TEST_CASE("readers on two threads always see whole records while the writer commits 500 events",
          "[projections]") {
  TestLedger ledger(/*sync=*/false);
  ledger.create_user("alice");
  auto& projection = ledger.projection();
  constexpr int kKeyPool = 60;
  auto key_id = [](int index) {
    char buffer[16];
    std::snprintf(buffer, sizeof buffer, "rkey%08d", index);
    return std::string(buffer);
  };

  // Names are "k<index> v<version>": a reader can tell whose name it is and
  // that versions only move forward.
  struct Seen {
    int version = -1;
    bool deleted = false;
    TimeNs last_used_at_ns = 0;
  };
  auto check_key = [&](const KeyRecord& key, std::map<std::string, Seen>& seen,
                       std::vector<std::string>& problems) {
    int index = -1;
    int version = -1;
    if (key.owner != "alice" || std::sscanf(key.name.c_str(), "k%d v%d", &index, &version) != 2 ||
        key_id(index) != key.key_id || key.created_seq == 0 || key.created_at_ns == 0 ||
        key.secret_hash != sha256(key.key_id) || key.deleted != (key.deleted_at_ns != 0)) {
      problems.push_back("inconsistent record for " + key.key_id + " named '" + key.name + "'");
      return;
    }
    Seen& before = seen[key.key_id];
    if (version < before.version || (before.deleted && !key.deleted) ||
        key.last_used_at_ns < before.last_used_at_ns)
      problems.push_back("record for " + key.key_id + " went backwards");
    before = Seen{version, key.deleted, key.last_used_at_ns};
  };

  std::atomic<bool> done{false};
  auto reader = [&](unsigned seed) {
    std::vector<std::string> problems;
    std::map<std::string, Seen> seen;
    std::mt19937 rng(seed);
    std::uint64_t reads = 0;
    while (!done.load() || reads < 100) {
      ++reads;
      auto user = projection.user("alice");
      if (!user || user->user_id != "alice" || user->password_hash.rfind("scrypt$", 0) != 0)
        problems.push_back("user alice missing or inconsistent");
      if (auto key = projection.key(key_id(static_cast<int>(rng() % kKeyPool))))
        check_key(*key, seen, problems);
      // A deleted key leaves the list; check_key reports one that comes back.
      const auto keys = projection.live_keys_of("alice");
      std::uint64_t previous_seq = 0;
      for (const auto& key : keys) {
        if (key.deleted) problems.push_back("a deleted key is listed: " + key.key_id);
        if (key.created_seq <= previous_seq) problems.push_back("keys of alice out of order");
        previous_seq = key.created_seq;
        check_key(key, seen, problems);
      }
      if (reads % 50 == 0) {
        projection.read([&](const projections::LedgerState& state) {
          for (const auto& id : state.live_key_ids_of("alice"))
            if (!state.find_key(id).has_value()) problems.push_back("index names a missing key");
        });
      }
      if (problems.size() > 20) break;
    }
    return problems;
  };
  auto first = std::async(std::launch::async, reader, 1u);
  auto second = std::async(std::launch::async, reader, 2u);

  // The writer: 499 more events in bursts of creates, renames, uses, deletes.
  std::mt19937 rng(5);
  std::map<int, int> live;  // index → current version
  int next_index = 0;
  int committed = 1;
  TimeNs used_at = kT0;
  std::vector<std::string> writer_problems;
  while (committed < 500) {
    const int burst = std::min(500 - committed, 1 + static_cast<int>(rng() % 8));
    std::vector<std::future<StatusOr<CommittedEvent>>> answers;
    for (int i = 0; i < burst; ++i) {
      const unsigned roll = rng() % 10;
      Command command;
      if ((live.empty() || roll < 3) && next_index < kKeyPool) {
        const int index = next_index++;
        live[index] = 0;
        command = CreateKey{key_id(index), "alice", "k" + std::to_string(index) + " v0",
                            sha256(key_id(index))};
      } else {
        auto it = live.begin();
        std::advance(it, rng() % live.size());
        const int index = it->first;
        if (roll < 7) {
          command = RenameKey{key_id(index), "alice",
                              "k" + std::to_string(index) + " v" + std::to_string(++it->second)};
        } else if (roll < 9 || live.size() < 3) {
          command =
              RecordKeyUse{key_id(index), "10.0.0." + std::to_string(rng() % 250), used_at += 1000};
        } else {
          live.erase(it);
          command = DeleteKey{key_id(index), "alice", "rotated"};
        }
      }
      answers.push_back(ledger.writer().submit(std::move(command),
                                               EventOrigin{"alice", "127.0.0.1", "reader-test"}));
    }
    for (auto& answer : answers) {
      auto result = answer.get();
      if (!result.is_ok()) writer_problems.push_back(result.status().to_string());
      ++committed;
    }
    ledger.clock().advance(1'000'000);
  }
  done = true;
  const auto first_problems = first.get();
  const auto second_problems = second.get();

  for (const auto& problem : writer_problems) FAIL_CHECK("writer: " << problem);
  for (const auto& problem : first_problems) FAIL_CHECK("reader 1: " << problem);
  for (const auto& problem : second_problems) FAIL_CHECK("reader 2: " << problem);
  CHECK(ledger.log().head().seq == 500);
  CHECK(projection.live_keys_of("alice").size() == live.size());
}

TEST_CASE("verification reads what was published, never what is only staged", "[projections]") {
  LiveProjection projection;
  decide_and_stage(projection, CreateUser{"alice", Privilege::kUser, kPasswordHash}, 1);
  decide_and_stage(projection, CreateKey{"AAAAAAAAAAAA", "alice", "laptop", kSecret}, 2);
  CHECK_FALSE(projection.verification("AAAAAAAAAAAA"));
  projection.publish();
  auto view = projection.verification("AAAAAAAAAAAA");
  REQUIRE(view);
  CHECK(view->usable);
  CHECK(view->owner == "alice");
  CHECK(view->secret_hash == kSecret);

  decide_and_stage(projection, DisableUser{"alice"}, 3);
  CHECK(projection.verification("AAAAAAAAAAAA")->usable);
  projection.discard();
  CHECK(projection.verification("AAAAAAAAAAAA")->usable);
  decide_and_stage(projection, DisableUser{"alice"}, 3);
  projection.publish();
  CHECK_FALSE(projection.verification("AAAAAAAAAAAA")->usable);
  decide_and_stage(projection, EnableUser{"alice"}, 4);
  decide_and_stage(projection, DeleteKey{"AAAAAAAAAAAA", "alice", ""}, 5);
  projection.publish();
  CHECK_FALSE(projection.verification("AAAAAAAAAAAA")->usable);
  CHECK_FALSE(projection.touch_use("AAAAAAAAAAAA", 1, kT0));
}

TEST_CASE("a loaded projection verifies the keys it was built from, with their last use",
          "[projections]") {
  projections::LedgerState state;
  state.put_user(UserRecord{"alice", Privilege::kAuditor, false, false, kPasswordHash, kT0});
  KeyRecord key;
  key.key_id = "AAAAAAAAAAAA";
  key.owner = "alice";
  key.secret_hash = kSecret;
  key.last_used_ip = "10.0.0.7";
  key.last_used_at_ns = kT0;
  state.put_key(key);
  LiveProjection projection(std::move(state));
  auto view = projection.verification("AAAAAAAAAAAA");
  REQUIRE(view);
  CHECK(view->usable);
  CHECK(view->owner_privilege == Privilege::kAuditor);
  CHECK(projection.newest_use("AAAAAAAAAAAA")->at_ns == kT0);
  CHECK(projection.touch_use("AAAAAAAAAAAA", 0x0a000007, kT0 + 1));
  CHECK_FALSE(projection.touch_use("AAAAAAAAAAAA", 0x0a000008, kT0 + 2));
  int taken = 0;
  projection.take_unpersisted_uses([&](std::string_view id, const projections::KeyUse& use) {
    CHECK(id == "AAAAAAAAAAAA");
    CHECK(use.at_ns == kT0 + 1);
    ++taken;
  });
  CHECK(taken == 1);
}
