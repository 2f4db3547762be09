// LedgerState's copies and moves: its keys live in a packed table of its own
// (projections/key_table.h), so copying, moving and assigning must carry the
// keys and the owner lists across correctly.
#include "projections/ledger_state.h"

#include <catch2/catch.hpp>
#include <string>

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
