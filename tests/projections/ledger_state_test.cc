// LedgerState's copies and moves: its keys live in a packed table of its own
// (projections/key_table.h), so copying, moving and assigning must carry the
// keys and the owner lists across correctly.
#include "projections/ledger_state.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

using namespace keyledger;
using keyledger::projections::LedgerState;

namespace {

LedgerState state_with_keys(const std::string& owner, int count) {
  LedgerState state;
  state.put_user(UserRecord{owner, Privilege::kUser, false, false, "", 1});
  for (int i = 0; i < count; ++i) {
    KeyRecord key;
    key.key_id = owner + "key" + std::to_string(i);
    key.owner = owner;
    key.name = "key " + std::to_string(i);
    key.created_seq = static_cast<std::uint64_t>(i + 2);
    state.put_key(std::move(key));
  }
  return state;
}

}  // namespace

TEST_CASE("a copied state is equal and independent of its original", "[projections]") {
  LedgerState original = state_with_keys("alice", 1000);
  LedgerState copy = original;
  CHECK(copy == original);
  CHECK(copy.live_key_ids_of("alice").size() == 1000);
  KeyRecord renamed = *copy.find_key("alicekey7");
  renamed.name = "renamed";
  copy.put_key(renamed);
  copy.put_key(KeyRecord{"alicekeyNEW", "alice", "new", {}, 0, 2000, false, 0, "", 0});
  CHECK(original.find_key("alicekey7")->name == "key 7");
  CHECK(!original.find_key("alicekeyNEW").has_value());
  CHECK_FALSE(copy == original);

  LedgerState assigned = state_with_keys("bob", 3);
  assigned = original;
  CHECK(assigned == original);
  CHECK(assigned.find_user("bob") == nullptr);
  const LedgerState& same = assigned;
  assigned = same;  // self-assignment keeps everything
  CHECK(assigned == original);
}

TEST_CASE("a moved state takes the keys and leaves an empty, usable state", "[projections]") {
  LedgerState source = state_with_keys("alice", 1000);
  const LedgerState expected = source;
  LedgerState moved = std::move(source);
  CHECK(moved == expected);
  CHECK(moved.find_key("alicekey999").has_value());
  // The moved-from state is empty, and takes keys again.
  CHECK(source.key_count() == 0);  // NOLINT(bugprone-use-after-move): on purpose
  source.put_user(UserRecord{"carol", Privilege::kUser, false, false, "", 1});
  source.put_key(KeyRecord{"carolkey0001", "carol", "k", {}, 0, 2, false, 0, "", 0});
  CHECK(source.find_key("carolkey0001").has_value());

  LedgerState target = state_with_keys("bob", 10);
  target = std::move(moved);
  CHECK(target == expected);
  CHECK(!target.find_key("bobkey1").has_value());
  CHECK(moved.key_count() == 0);  // NOLINT(bugprone-use-after-move): on purpose
}

TEST_CASE("a copy keeps every owner's live keys after deletions and an owner change",
          "[projections]") {
  LedgerState original = state_with_keys("alice", 50);
  for (int i = 0; i < 50; i += 7) {
    KeyRecord deleted = *original.find_key("alicekey" + std::to_string(i));
    deleted.deleted = true;
    deleted.deleted_at_ns = 99;
    original.put_key(deleted);
  }
  // put_key may hand a key to another owner (no event does): the key moves
  // to its new owner's list, and that owner, first seen here, must keep its
  // place in a copy.
  KeyRecord moved = *original.find_key("alicekey3");
  moved.owner = "zed";
  original.put_key(moved);
  original.put_key(KeyRecord{"zedkey1", "zed", "z", {}, 0, 100, false, 0, "", 0});

  const LedgerState copy = original;
  CHECK(copy == original);
  for (const std::string owner : {"alice", "zed", "nobody"}) {
    INFO(owner);
    CHECK(copy.live_key_ids_of(owner) == original.live_key_ids_of(owner));
  }
  CHECK(copy.live_key_ids_of("zed") == std::vector<std::string>{"alicekey3", "zedkey1"});
  CHECK(copy.live_key_ids_of("alice").size() == 50 - 8 - 1);

  // Put back alive, a deleted key returns to its place in creation order.
  KeyRecord revived = *original.find_key("alicekey7");
  revived.deleted = false;
  original.put_key(revived);
  const auto ids = original.live_key_ids_of("alice");
  CHECK(ids.size() == 42);
  CHECK(std::find(ids.begin(), ids.end(), "alicekey7") - ids.begin() == 5);  // after 1 2 4 5 6
}

TEST_CASE("add_key refuses a taken id and change_key a missing one, changing nothing",
          "[projections]") {
  LedgerState state = state_with_keys("alice", 3);
  const LedgerState before = state;
  KeyRecord other = *state.find_key("alicekey1");
  other.name = "intruder";
  CHECK_FALSE(state.add_key(other));
  CHECK_FALSE(state.change_key("nokey", [](KeyRecord& key) { key.name = "x"; }));
  CHECK(state == before);

  CHECK(state.change_key("alicekey1", [](KeyRecord& key) { key.name = "renamed"; }));
  CHECK(state.find_key("alicekey1")->name == "renamed");
  CHECK(state.change_key("alicekey2", [](KeyRecord& key) { key.deleted = true; }));
  CHECK(state.live_key_ids_of("alice") == std::vector<std::string>{"alicekey0", "alicekey1"});
}

TEST_CASE("change_key refuses to change a key's id or owner", "[projections]") {
  LedgerState state = state_with_keys("alice", 3);
  const LedgerState before = state;
  CHECK_THROWS_AS(state.change_key("alicekey1", [](KeyRecord& key) { key.key_id = "other"; }),
                  std::logic_error);
  CHECK_THROWS_AS(state.change_key("alicekey1", [](KeyRecord& key) { key.owner = "bob"; }),
                  std::logic_error);
  CHECK(state == before);
  CHECK(state.live_key_ids_of("alice") == before.live_key_ids_of("alice"));
}
