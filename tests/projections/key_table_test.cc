// KeyTable packs keys (inline short strings, interned owners, IPv4 as a
// number); every KeyRecord it is given must come back exactly, whatever the
// lengths and addresses, across chunk boundaries, growth, copies and moves.
#include "projections/key_table.h"

#include <catch2/catch.hpp>
#include <string>

using namespace keyledger;
using keyledger::projections::KeyTable;

namespace {

KeyRecord sample_key(int i) {
  KeyRecord key;
  key.key_id = "key" + std::to_string(i);
  key.owner = "owner" + std::to_string(i % 7);
  key.name = "name " + std::to_string(i);
  key.secret_hash.fill(static_cast<std::uint8_t>(i));
  key.created_at_ns = 1000 + i;
  key.created_seq = static_cast<std::uint64_t>(i) + 2;
  key.deleted = i % 5 == 0;
  key.deleted_at_ns = key.deleted ? 5000 + i : 0;
  switch (i % 3) {
    case 0:
      break;  // never used
    case 1:
      key.last_used_ip = "10.0." + std::to_string(i % 256) + ".1";
      key.last_used_at_ns = 9000 + i;
      break;
    default:
      key.last_used_ip = "2001:db8::" + std::to_string(i % 1000);
      key.last_used_at_ns = 9000 + i;
      break;
  }
  return key;
}

KeyRecord stored(const KeyTable& table, std::string_view key_id) {
  auto position = table.find(key_id);
  REQUIRE(position.has_value());
  return table.get(*position);
}

}  // namespace

TEST_CASE("a key table gives back every record exactly as it was added", "[projections]") {
  // 40,000 keys span three chunks, and the first chunk grew by doubling.
  KeyTable table;
  constexpr int kKeys = 40'000;
  for (int i = 0; i < kKeys; ++i) REQUIRE(table.add(sample_key(i)).has_value());
  CHECK(table.size() == kKeys);
  for (int i = 0; i < kKeys; i += 97) {
    INFO("key " << i);
    CHECK(stored(table, "key" + std::to_string(i)) == sample_key(i));
  }
  CHECK(stored(table, "key39999") == sample_key(39'999));
  CHECK_FALSE(table.find("key40000").has_value());
  CHECK(table.owner_count() == 7);
  REQUIRE(table.find_owner("owner3").has_value());
  CHECK(table.owner_name(*table.find_owner("owner3")) == "owner3");
  CHECK_FALSE(table.find_owner("nobody").has_value());
}

TEST_CASE("texts too long to keep inline and odd addresses round-trip", "[projections]") {
  KeyTable table;
  KeyRecord key = sample_key(1);
  key.key_id = std::string(40, 'k');
  key.owner = std::string(70, 'o');
  key.name = std::string(200, 'n') + " ünïcödé";
  for (const std::string address :
       {"255.255.255.255", "0.0.0.0", "010.0.0.1", "1.2.3.4 ", "::ffff:10.0.0.1", "fe80::1%eth0"}) {
    INFO(address);
    key.last_used_ip = address;
    key.key_id = std::string(40, 'k') + address;
    REQUIRE(table.add(key).has_value());
    CHECK(stored(table, key.key_id) == key);
  }
}

TEST_CASE("a taken id is refused and changes nothing", "[projections]") {
  KeyTable table;
  REQUIRE(table.add(sample_key(1)).has_value());
  KeyRecord other = sample_key(2);
  other.key_id = "key1";
  CHECK_FALSE(table.add(other).has_value());
  CHECK(table.size() == 1);
  CHECK(stored(table, "key1") == sample_key(1));
}

TEST_CASE("replacing a record switches its address kind cleanly", "[projections]") {
  KeyTable table;
  KeyRecord key = sample_key(3);  // never used
  const KeyTable::Position position = *table.add(key);
  for (const std::string address : {"2001:db8::7", "192.168.1.1", "", "2001:db8::8", "10.1.1.1"}) {
    INFO(address);
    key.last_used_ip = address;
    key.last_used_at_ns += 1;
    key.name += "+";
    table.replace(position, key);
    CHECK(table.get(position) == key);
  }
  key.deleted = true;
  key.deleted_at_ns = 123;
  table.replace(position, key);
  CHECK(table.deleted(position));
  CHECK(table.get(position) == key);
}

TEST_CASE("a copied key table is independent, a moved one leaves an empty usable table",
          "[projections]") {
  KeyTable original;
  for (int i = 0; i < 100; ++i) original.add(sample_key(i));
  // An owner first seen through a replace: a copy must keep every owner
  // index (a LedgerState's owner lists are indexed by them).
  KeyRecord moved_owner = sample_key(0);
  moved_owner.owner = "late owner";
  original.replace(*original.find("key0"), moved_owner);
  KeyTable copy = original;
  for (KeyTable::Position position = 0; position < original.size(); ++position)
    CHECK(copy.owner(position) == original.owner(position));
  CHECK(copy.find_owner("late owner") == original.find_owner("late owner"));
  CHECK(stored(copy, "key0") == moved_owner);
  KeyRecord changed = sample_key(2);
  changed.name = "changed";
  copy.replace(*copy.find("key2"), changed);
  copy.add(sample_key(500));
  CHECK(stored(original, "key2") == sample_key(2));
  CHECK_FALSE(original.find("key500").has_value());
  CHECK(stored(copy, "key2") == changed);

  KeyTable moved = std::move(original);
  CHECK(moved.size() == 100);
  CHECK(stored(moved, "key99") == sample_key(99));
  CHECK(stored(moved, "key0") == moved_owner);
  // NOLINTNEXTLINE(bugprone-use-after-move): a moved-from table must stay usable
  CHECK(original.size() == 0);
  CHECK_FALSE(original.find("key99").has_value());
  REQUIRE(original.add(sample_key(7)).has_value());
  CHECK(stored(original, "key7") == sample_key(7));

  copy = std::move(moved);
  CHECK(stored(copy, "key2") == sample_key(2));
  CHECK(copy.size() == 100);
  const KeyTable& same = copy;
  copy = same;  // self-assignment keeps the table
  CHECK(copy.size() == 100);
}

TEST_CASE("reserving first keeps the same contents", "[projections]") {
  KeyTable table;
  table.reserve(20'000);
  for (int i = 0; i < 20'000; ++i) table.add(sample_key(i));
  table.reserve(10);  // never shrinks
  for (int i = 0; i < 20'000; i += 331)
    CHECK(stored(table, "key" + std::to_string(i)) == sample_key(i));
}

TEST_CASE("a small reservation still grows past the first chunk", "[projections]") {
  // reserve(100) sizes the first chunk at 100 records; it then doubles up
  // to a full chunk and later chunks follow.
  KeyTable table;
  table.reserve(100);
  constexpr int kKeys = 40'000;
  for (int i = 0; i < kKeys; ++i) REQUIRE(table.add(sample_key(i)).has_value());
  for (int i = 0; i < kKeys; i += 113)
    CHECK(stored(table, "key" + std::to_string(i)) == sample_key(i));
  CHECK(stored(table, "key16383") == sample_key(16'383));
  CHECK(stored(table, "key16384") == sample_key(16'384));
}
