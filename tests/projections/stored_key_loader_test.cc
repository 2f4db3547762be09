// StoredKeyLoader: keys loaded in stored order are listed per owner oldest
// first, and the owner index is matched exactly (every entry names a loaded
// key of that owner, one entry per key).
#include "projections/stored_key_loader.h"

#include <catch2/catch.hpp>

using namespace keyledger;
using projections::LedgerState;
using projections::StoredKeyLoader;

namespace {

KeyRecord key(std::string key_id, std::string owner, std::uint64_t created_seq,
              bool deleted = false) {
  KeyRecord record;
  record.key_id = std::move(key_id);
  record.owner = std::move(owner);
  record.created_seq = created_seq;
  record.deleted = deleted;
  return record;
}

// alice: a (seq 5), c (seq 2, deleted), d (seq 1); bob: b (seq 3).
void add_sample(StoredKeyLoader& loader) {
  REQUIRE(loader.add(key("a", "alice", 5)));
  REQUIRE(loader.add(key("b", "bob", 3)));
  REQUIRE(loader.add(key("c", "alice", 2, /*deleted=*/true)));
  REQUIRE(loader.add(key("d", "alice", 1)));
}

bool match_full_index(StoredKeyLoader& loader) {
  return loader.match_index_entry("alice", "a") && loader.match_index_entry("alice", "c") &&
         loader.match_index_entry("alice", "d") && loader.match_index_entry("bob", "b");
}

}  // namespace

TEST_CASE("keys loaded in key-id order are listed per owner oldest first, live only",
          "[projections]") {
  LedgerState state;
  StoredKeyLoader loader(state, 4);
  add_sample(loader);
  CHECK(match_full_index(loader));
  CHECK(loader.index_complete());
  loader.finish();
  CHECK(state.key_count() == 4);
  CHECK(state.live_key_ids_of("alice") == std::vector<std::string>{"d", "a"});
  CHECK(state.live_key_ids_of("bob") == std::vector<std::string>{"b"});
  REQUIRE(state.find_key("c").has_value());
  CHECK(state.find_key("c")->deleted);
}

TEST_CASE("keys loaded out of key-id order still match an index in index order", "[projections]") {
  LedgerState state;
  StoredKeyLoader loader(state, 0);
  REQUIRE(loader.add(key("d", "alice", 1)));
  REQUIRE(loader.add(key("b", "bob", 3)));
  REQUIRE(loader.add(key("a", "alice", 5)));
  REQUIRE(loader.add(key("c", "alice", 2, /*deleted=*/true)));
  CHECK(match_full_index(loader));
  CHECK(loader.index_complete());
  loader.finish();
  CHECK(state.live_key_ids_of("alice") == std::vector<std::string>{"d", "a"});
}

TEST_CASE("an owner whose keys are all deleted has no live keys after loading", "[projections]") {
  LedgerState state;
  StoredKeyLoader loader(state, 0);
  REQUIRE(loader.add(key("x", "carol", 1, /*deleted=*/true)));
  CHECK(loader.match_index_entry("carol", "x"));
  loader.finish();
  CHECK(state.live_key_ids_of("carol").empty());
  CHECK(state.find_key("x").has_value());
}

TEST_CASE("a second record with a loaded key id is refused", "[projections]") {
  LedgerState state;
  StoredKeyLoader loader(state, 0);
  REQUIRE(loader.add(key("a", "alice", 1)));
  CHECK_FALSE(loader.add(key("a", "bob", 2)));
  CHECK(state.find_key("a")->owner == "alice");
}

TEST_CASE("owner-index entries that disagree with the loaded keys do not match", "[projections]") {
  LedgerState state;
  StoredKeyLoader loader(state, 0);
  add_sample(loader);
  SECTION("an entry naming another owner of the key") {
    CHECK(loader.match_index_entry("alice", "a"));
    CHECK_FALSE(loader.match_index_entry("alice", "b"));
  }
  SECTION("an entry for an owner with no keys") {
    CHECK_FALSE(loader.match_index_entry("dave", "a"));
  }
  SECTION("an entry for a key that is not loaded") {
    CHECK_FALSE(loader.match_index_entry("alice", "aa"));
  }
  SECTION("the same entry twice") {
    CHECK(loader.match_index_entry("alice", "a"));
    CHECK_FALSE(loader.match_index_entry("alice", "a"));
  }
  SECTION("an entry past the owner's last key") {
    CHECK(match_full_index(loader));
    CHECK_FALSE(loader.match_index_entry("bob", "z"));
  }
  SECTION("a missing entry makes the owner's next entry fail to match") {
    CHECK(loader.match_index_entry("alice", "a"));
    CHECK_FALSE(loader.match_index_entry("alice", "d"));  // "c" skipped
  }
  SECTION("a missing last entry leaves the index incomplete") {
    CHECK(loader.match_index_entry("alice", "a"));
    CHECK(loader.match_index_entry("alice", "c"));
    CHECK(loader.match_index_entry("bob", "b"));  // alice's "d" skipped
    CHECK_FALSE(loader.index_complete());
  }
  SECTION("no entries at all leave the index incomplete") { CHECK_FALSE(loader.index_complete()); }
}

TEST_CASE("an empty keys table with an empty index is complete", "[projections]") {
  LedgerState state;
  StoredKeyLoader loader(state, 0);
  CHECK(loader.index_complete());
  loader.finish();
  CHECK(state.key_count() == 0);
}
