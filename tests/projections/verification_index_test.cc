// VerificationIndex: the packed table verification reads, and the use cells
// verifiers write without a lock of their own.
#include "projections/verification_index.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/ipv4_text.h"
#include "core/token.h"

using namespace keyledger;
using keyledger::projections::KeyUse;
using keyledger::projections::UseCell;
using keyledger::projections::VerificationIndex;

namespace {

// A 12-character key id unique to `n`.
std::string key_id_of(std::size_t n) {
  std::string id = "K" + std::to_string(n);
  id.resize(kKeyIdLength, 'x');
  return id;
}

KeyRecord key_of(const std::string& id, const std::string& owner) {
  KeyRecord key;
  key.key_id = id;
  key.owner = owner;
  key.secret_hash = sha256(id);
  return key;
}

UserRecord user_of(const std::string& id, Privilege privilege = Privilege::kUser) {
  UserRecord user;
  user.user_id = id;
  user.privilege = privilege;
  return user;
}

std::uint32_t ip(std::string_view text) { return *parse_canonical_ipv4(text); }

}  // namespace

TEST_CASE("the index answers with the hash, owner and usability of each key", "[projections]") {
  VerificationIndex index;
  index.put_user(user_of("alice", Privilege::kAdmin));
  index.put_key(key_of(key_id_of(1), "alice"));
  auto view = index.view(key_id_of(1));
  REQUIRE(view.has_value());
  CHECK(view->secret_hash == sha256(key_id_of(1)));
  CHECK(view->owner == "alice");
  CHECK(view->owner_privilege == Privilege::kAdmin);
  CHECK(view->usable);

  SECTION("unknown and malformed ids are absent") {
    CHECK_FALSE(index.view(key_id_of(2)).has_value());
    CHECK_FALSE(index.view("").has_value());
    CHECK_FALSE(index.view(key_id_of(1) + "x").has_value());
    CHECK_FALSE(index.view(key_id_of(1).substr(0, 11)).has_value());
  }
  SECTION("a deleted key is found but not usable, and has no use cell") {
    KeyRecord deleted = key_of(key_id_of(1), "alice");
    deleted.deleted = true;
    index.put_key(deleted);
    CHECK_FALSE(index.view(key_id_of(1))->usable);
    CHECK(index.use_of(key_id_of(1)) == nullptr);
    CHECK(index.size() == 1);
  }
  SECTION("a disabled owner makes its keys unusable until enabled again") {
    UserRecord alice = user_of("alice");
    alice.disabled = true;
    index.put_user(alice);
    CHECK_FALSE(index.view(key_id_of(1))->usable);
    alice.disabled = false;
    index.put_user(alice);
    CHECK(index.view(key_id_of(1))->usable);
    CHECK(index.view(key_id_of(1))->owner_privilege == Privilege::kUser);
  }
  SECTION("a key whose owner is not a user is not usable") {
    index.put_key(key_of(key_id_of(3), "nobody"));
    CHECK_FALSE(index.view(key_id_of(3))->usable);
  }
  SECTION("ids that no token can carry are left out") {
    index.put_key(key_of("short", "alice"));
    CHECK(index.size() == 1);
    CHECK_FALSE(index.view("short").has_value());
  }
}

TEST_CASE("check verifies only the right secret of a usable key, and touches its use",
          "[projections]") {
  VerificationIndex index;
  index.put_user(user_of("alice", Privilege::kAdmin));
  KeyRecord key = key_of(key_id_of(1), "alice");
  key.last_used_ip = "10.0.0.1";
  key.last_used_at_ns = 100;
  index.put_key(key);
  const Hash256 right = sha256(key_id_of(1));
  Hash256 wrong = right;
  wrong[31] ^= 1;
  // The time of the newest use in the key's cell.
  auto use_time = [&] { return index.use_of(key_id_of(1))->use().at_ns; };

  SECTION("the right secret from the last address verifies and records the use") {
    auto checked = index.check(key_id_of(1), right, ip("10.0.0.1"), 200);
    CHECK(checked.verified);
    CHECK(checked.use_touched);
    CHECK(checked.owner == "alice");
    CHECK(checked.owner_privilege == Privilege::kAdmin);
    CHECK(use_time() == 200);
  }
  SECTION("from another address, or one that is not IPv4, it verifies but leaves the use") {
    for (std::optional<std::uint32_t> address :
         {std::optional(ip("10.0.0.2")), std::optional<std::uint32_t>()}) {
      auto checked = index.check(key_id_of(1), right, address, 200);
      CHECK(checked.verified);
      CHECK_FALSE(checked.use_touched);
      CHECK(checked.owner == "alice");
      CHECK(use_time() == 100);
    }
  }
  SECTION("a wrong secret, an unknown key or a malformed id never verifies nor touches") {
    const std::string known = key_id_of(1), unknown = key_id_of(2);
    for (const std::string& id : {known, unknown, std::string("short")}) {
      INFO(id);
      auto checked = index.check(id, id == known ? wrong : right, ip("10.0.0.1"), 200);
      CHECK_FALSE(checked.verified);
      CHECK_FALSE(checked.use_touched);
      CHECK(checked.owner.empty());
    }
    CHECK(use_time() == 100);
  }
  SECTION("the right secret of a deleted key or a disabled owner's key does not verify") {
    UserRecord alice = user_of("alice");
    alice.disabled = true;
    index.put_user(alice);
    CHECK_FALSE(index.check(key_id_of(1), right, ip("10.0.0.1"), 200).verified);
    CHECK(use_time() == 100);
    alice.disabled = false;
    index.put_user(alice);
    key.deleted = true;
    index.put_key(key);
    auto checked = index.check(key_id_of(1), right, ip("10.0.0.1"), 300);
    CHECK_FALSE(checked.verified);
    CHECK_FALSE(checked.use_touched);
  }
}

TEST_CASE("the index grows without losing keys, and reserve sizes it once", "[projections]") {
  VerificationIndex index;
  index.put_user(user_of("alice"));
  constexpr std::size_t kKeys = 20'000;
  for (std::size_t i = 0; i < kKeys; ++i) index.put_key(key_of(key_id_of(i), "alice"));
  CHECK(index.size() == kKeys);
  CHECK(index.capacity() * 80 >= kKeys * 100);
  for (std::size_t i = 0; i < kKeys; ++i) {
    auto view = index.view(key_id_of(i));
    REQUIRE(view.has_value());
    REQUIRE(view->secret_hash == sha256(key_id_of(i)));
  }
  CHECK_FALSE(index.view(key_id_of(kKeys)).has_value());

  VerificationIndex reserved;
  reserved.reserve(kKeys);
  const std::size_t capacity = reserved.capacity();
  for (std::size_t i = 0; i < kKeys; ++i) reserved.put_key(key_of(key_id_of(i), "alice"));
  CHECK(reserved.capacity() == capacity);
}

TEST_CASE("prefetch takes any id, before and while the table grows, and changes nothing",
          "[projections]") {
  VerificationIndex index;
  // An empty table and ids of any length: nothing to fetch, no fault.
  index.prefetch(key_id_of(1));
  index.prefetch("");
  index.prefetch(std::string(100, 'x'));
  CHECK(index.size() == 0);

  index.put_user(user_of("alice"));
  // A prefetcher with no lock beside a writer that grows the table many
  // times: prefetch reads only the table's address and size, never a slot,
  // so it must neither crash nor disturb the writer. (No sanitizer sees a
  // prefetch itself; what this pins down is that nothing else is read.)
  std::atomic<bool> done{false};
  std::thread prefetcher([&] {
    for (std::size_t i = 0; !done.load(std::memory_order_relaxed); ++i)
      index.prefetch(key_id_of(i % 5000));
  });
  for (std::size_t i = 0; i < 5000; ++i) index.put_key(key_of(key_id_of(i), "alice"));
  done = true;
  prefetcher.join();

  CHECK(index.size() == 5000);
  for (std::size_t i = 0; i < 5000; ++i) {
    index.prefetch(key_id_of(i));
    REQUIRE(index.view(key_id_of(i))->secret_hash == sha256(key_id_of(i)));
  }
}

TEST_CASE("a use cell records uses from its address and hands each out once", "[projections]") {
  VerificationIndex index;
  index.put_user(user_of("alice"));
  KeyRecord key = key_of(key_id_of(1), "alice");
  key.last_used_ip = "10.0.0.1";
  key.last_used_at_ns = 100;
  index.put_key(key);
  UseCell& cell = *index.use_of(key_id_of(1));
  CHECK(cell.use().ipv4 == ip("10.0.0.1"));
  CHECK(cell.use().at_ns == 100);
  CHECK_FALSE(cell.take_unpersisted().has_value());  // the persisted use

  CHECK(cell.touch(ip("10.0.0.1"), 200));
  CHECK_FALSE(cell.touch(ip("10.0.0.2"), 300));  // another address: the slow path's
  CHECK(cell.use().at_ns == 200);
  CHECK(cell.touch(ip("10.0.0.1"), 150));  // older: counted, time kept
  auto taken = cell.take_unpersisted();
  REQUIRE(taken.has_value());
  CHECK(taken->at_ns == 200);
  CHECK(taken->ipv4 == ip("10.0.0.1"));
  CHECK_FALSE(cell.take_unpersisted().has_value());

  SECTION("a failed persist marks the use again") {
    cell.mark_unpersisted();
    CHECK(cell.take_unpersisted()->at_ns == 200);
  }
  SECTION("replacing takes only newer uses") {
    cell.replace_if_newer(KeyUse{ip("10.0.0.2"), 100});
    CHECK(cell.use().ipv4 == ip("10.0.0.1"));
    cell.replace_if_newer(KeyUse{ip("10.0.0.2"), 300});
    CHECK(cell.use().ipv4 == ip("10.0.0.2"));
    CHECK(cell.touch(ip("10.0.0.2"), 400));
    CHECK_FALSE(cell.touch(ip("10.0.0.1"), 500));
  }
  SECTION("a cell without an address sends every use to the slow path") {
    cell.replace_if_newer(KeyUse{std::nullopt, 300});
    CHECK_FALSE(cell.touch(ip("10.0.0.1"), 400));
    CHECK(cell.use().at_ns == 300);
  }
  SECTION("a newer persisted use from the log replaces the cell's, an older one does not") {
    key.last_used_ip = "::1";
    key.last_used_at_ns = 250;
    index.put_key(key);
    CHECK_FALSE(cell.use().ipv4.has_value());
    key.last_used_ip = "10.0.0.9";
    key.last_used_at_ns = 120;
    index.put_key(key);
    CHECK(cell.use().at_ns == 250);
  }
}

TEST_CASE("no use touched while a flusher takes them is lost", "[projections]") {
  UseCell cell;
  cell.replace_if_newer(KeyUse{ip("10.0.0.1"), 1});
  constexpr TimeNs kUses = 200'000;
  std::atomic<bool> done{false};
  TimeNs newest_taken = 0;
  std::thread flusher([&] {
    while (!done.load())
      if (auto use = cell.take_unpersisted()) newest_taken = std::max(newest_taken, use->at_ns);
  });
  std::vector<std::thread> verifiers;
  for (int v = 0; v < 2; ++v)
    verifiers.emplace_back([&, v] {
      for (TimeNs t = 2 + v; t <= kUses; t += 2) cell.touch(ip("10.0.0.1"), t);
    });
  for (auto& verifier : verifiers) verifier.join();
  done = true;
  flusher.join();
  if (auto use = cell.take_unpersisted()) newest_taken = std::max(newest_taken, use->at_ns);
  CHECK(newest_taken == kUses);
  CHECK(cell.use().at_ns == kUses);
}
