// apply_event, the one fold state + event → state, event type by event type.
#include <catch2/catch.hpp>
#include <string>

#include "projections/ledger_state.h"

using namespace keyledger;
using keyledger::projections::apply_event;
using keyledger::projections::LedgerState;

namespace {

constexpr TimeNs kT0 = 1'700'000'000'000'000'000;

class Folder {
 public:
  // Folds `payload` as the next event, at `time`.
  void apply(EventPayload payload, TimeNs time = 0) {
    Event event;
    event.seq = ++seq_;
    event.time_ns = time == 0 ? kT0 + static_cast<TimeNs>(seq_) * 1000 : time;
    event.payload = std::move(payload);
    apply_event(state, event);
  }
  std::uint64_t seq() const { return seq_; }

  LedgerState state;

 private:
  std::uint64_t seq_ = 0;
};

const Hash256 kSecret = sha256("s");

}  // namespace

TEST_CASE("user created sets every field of the user from the event", "[projections]") {
  Folder f;
  f.apply(UserCreated{"alice", Privilege::kAuditor, "scrypt$hash"}, kT0 + 42);
  const UserRecord* user = f.state.find_user("alice");
  REQUIRE(user != nullptr);
  CHECK(*user == UserRecord{"alice", Privilege::kAuditor, false, false, "scrypt$hash", kT0 + 42});
  CHECK(f.state.users().size() == 1);
}

TEST_CASE("a one-time password stays one until the user's own change replaces it",
          "[projections]") {
  Folder f;
  f.apply(UserCreated{"alice", Privilege::kAdmin, "scrypt$printed", true}, kT0);
  CHECK(f.state.find_user("alice")->must_change_password);
  f.apply(PasswordChanged{"alice", "scrypt$chosen", false});
  CHECK_FALSE(f.state.find_user("alice")->must_change_password);
  CHECK(f.state.find_user("alice")->password_hash == "scrypt$chosen");
  // An administrator's new password is one-time again.
  f.apply(PasswordChanged{"alice", "scrypt$given", true});
  CHECK(f.state.find_user("alice")->must_change_password);
}

TEST_CASE("a second user created for an existing user changes nothing", "[projections]") {
  Folder f;
  f.apply(UserCreated{"alice", Privilege::kUser, "scrypt$one"});
  f.apply(UserDisabled{"alice"});
  const UserRecord before = *f.state.find_user("alice");
  f.apply(UserCreated{"alice", Privilege::kAdmin, "scrypt$two"});
  CHECK(*f.state.find_user("alice") == before);
}

TEST_CASE("privilege, password, disable, enable, lock and unlock change only their field",
          "[projections]") {
  Folder f;
  f.apply(UserCreated{"alice", Privilege::kUser, "scrypt$one"}, kT0);
  UserRecord expected{"alice", Privilege::kUser, false, false, "scrypt$one", kT0};

  f.apply(UserPrivilegeChanged{"alice", Privilege::kAdmin});
  expected.privilege = Privilege::kAdmin;
  CHECK(*f.state.find_user("alice") == expected);

  f.apply(PasswordChanged{"alice", "scrypt$two"});
  expected.password_hash = "scrypt$two";
  CHECK(*f.state.find_user("alice") == expected);

  f.apply(UserDisabled{"alice"});
  expected.disabled = true;
  CHECK(*f.state.find_user("alice") == expected);

  f.apply(UserLocked{"alice", "locked by an administrator"});
  expected.locked = true;
  CHECK(*f.state.find_user("alice") == expected);

  f.apply(UserEnabled{"alice"});
  expected.disabled = false;
  CHECK(*f.state.find_user("alice") == expected);

  f.apply(UserUnlocked{"alice"});
  expected.locked = false;
  CHECK(*f.state.find_user("alice") == expected);
}

TEST_CASE("key created records the event time and seq and starts live and unused",
          "[projections]") {
  Folder f;
  f.apply(UserCreated{"alice", Privilege::kUser, "scrypt$x"});
  f.apply(KeyCreated{"AAAAAAAAAAAA", "alice", "laptop", kSecret}, kT0 + 500);
  std::optional<KeyRecord> key = f.state.find_key("AAAAAAAAAAAA");
  REQUIRE(key.has_value());
  KeyRecord expected;
  expected.key_id = "AAAAAAAAAAAA";
  expected.owner = "alice";
  expected.name = "laptop";
  expected.secret_hash = kSecret;
  expected.created_at_ns = kT0 + 500;
  expected.created_seq = 2;
  CHECK(*key == expected);
  CHECK(f.state.live_key_ids_of("alice") == std::vector<std::string>{"AAAAAAAAAAAA"});
}

TEST_CASE("an owner's live keys are listed oldest first, deleted ones left out", "[projections]") {
  Folder f;
  f.apply(UserCreated{"alice", Privilege::kUser, "scrypt$x"});
  f.apply(UserCreated{"bob", Privilege::kUser, "scrypt$x"});
  f.apply(KeyCreated{"ZZZZZZZZZZZZ", "alice", "first", kSecret});
  f.apply(KeyCreated{"BBBBBBBBBBBB", "bob", "bob's", kSecret});
  f.apply(KeyCreated{"AAAAAAAAAAAA", "alice", "second", kSecret});
  f.apply(KeyDeleted{"ZZZZZZZZZZZZ", ""});
  f.apply(KeyCreated{"MMMMMMMMMMMM", "alice", "third", kSecret});
  CHECK(f.state.live_key_ids_of("alice") ==
        std::vector<std::string>{"AAAAAAAAAAAA", "MMMMMMMMMMMM"});
  CHECK(f.state.live_key_ids_of("bob") == std::vector<std::string>{"BBBBBBBBBBBB"});
  CHECK(f.state.live_key_ids_of("nobody").empty());
  // The deleted key's record stays, so its history and 401 answers still work.
  REQUIRE(f.state.find_key("ZZZZZZZZZZZZ").has_value());
  CHECK(f.state.find_key("ZZZZZZZZZZZZ")->deleted);
  f.apply(KeyDeleted{"MMMMMMMMMMMM", ""});
  f.apply(KeyDeleted{"AAAAAAAAAAAA", ""});
  CHECK(f.state.live_key_ids_of("alice").empty());
}

TEST_CASE("key renamed changes only the name", "[projections]") {
  Folder f;
  f.apply(UserCreated{"alice", Privilege::kUser, "scrypt$x"});
  f.apply(KeyCreated{"AAAAAAAAAAAA", "alice", "laptop", kSecret});
  KeyRecord expected = *f.state.find_key("AAAAAAAAAAAA");
  f.apply(KeyRenamed{"AAAAAAAAAAAA", "old laptop"});
  expected.name = "old laptop";
  CHECK(*f.state.find_key("AAAAAAAAAAAA") == expected);
}

TEST_CASE("key deleted marks the key deleted at the event time and keeps the rest",
          "[projections]") {
  Folder f;
  f.apply(UserCreated{"alice", Privilege::kUser, "scrypt$x"});
  f.apply(KeyCreated{"AAAAAAAAAAAA", "alice", "laptop", kSecret});
  f.apply(KeyUsed{"AAAAAAAAAAAA", "10.0.0.1", kT0 + 7});
  KeyRecord expected = *f.state.find_key("AAAAAAAAAAAA");
  f.apply(KeyDeleted{"AAAAAAAAAAAA", "lost"}, kT0 + 99'000);
  expected.deleted = true;
  expected.deleted_at_ns = kT0 + 99'000;
  CHECK(*f.state.find_key("AAAAAAAAAAAA") == expected);
  CHECK(f.state.live_key_ids_of("alice").empty());
}

TEST_CASE("key used keeps the newest use and ignores an older one", "[projections]") {
  Folder f;
  f.apply(UserCreated{"alice", Privilege::kUser, "scrypt$x"});
  f.apply(KeyCreated{"AAAAAAAAAAAA", "alice", "laptop", kSecret});
  f.apply(KeyUsed{"AAAAAAAAAAAA", "10.0.0.1", kT0 + 100});
  CHECK(f.state.find_key("AAAAAAAAAAAA")->last_used_ip == "10.0.0.1");
  CHECK(f.state.find_key("AAAAAAAAAAAA")->last_used_at_ns == kT0 + 100);

  f.apply(KeyUsed{"AAAAAAAAAAAA", "10.0.0.2", kT0 + 50});  // older: ignored
  CHECK(f.state.find_key("AAAAAAAAAAAA")->last_used_ip == "10.0.0.1");
  CHECK(f.state.find_key("AAAAAAAAAAAA")->last_used_at_ns == kT0 + 100);

  // The use time is the one in the payload, not the time of the event.
  f.apply(KeyUsed{"AAAAAAAAAAAA", "2001:db8::1", kT0 + 200}, kT0 + 999'999);
  CHECK(f.state.find_key("AAAAAAAAAAAA")->last_used_ip == "2001:db8::1");
  CHECK(f.state.find_key("AAAAAAAAAAAA")->last_used_at_ns == kT0 + 200);
}

TEST_CASE("events naming a missing user or key change nothing", "[projections]") {
  Folder f;
  f.apply(UserCreated{"alice", Privilege::kUser, "scrypt$x"});
  f.apply(KeyCreated{"AAAAAAAAAAAA", "alice", "laptop", kSecret});
  const LedgerState before = f.state;

  f.apply(UserPrivilegeChanged{"ghost", Privilege::kAdmin});
  f.apply(PasswordChanged{"ghost", "scrypt$y"});
  f.apply(UserDisabled{"ghost"});
  f.apply(UserEnabled{"ghost"});
  f.apply(UserLocked{"ghost", ""});
  f.apply(UserUnlocked{"ghost"});
  f.apply(KeyRenamed{"GHOSTGHOST00", "boo"});
  f.apply(KeyDeleted{"GHOSTGHOST00", ""});
  f.apply(KeyUsed{"GHOSTGHOST00", "10.0.0.1", kT0});
  CHECK(f.state == before);
  CHECK(f.state.find_user("ghost") == nullptr);
  CHECK(!f.state.find_key("GHOSTGHOST00").has_value());
  CHECK(f.state.live_key_ids_of("alice").size() == 1);
}

TEST_CASE("a key created for a missing owner changes nothing", "[projections]") {
  Folder f;
  f.apply(UserCreated{"alice", Privilege::kUser, "scrypt$x"});
  const LedgerState before = f.state;
  f.apply(KeyCreated{"GHOSTKEY0001", "ghost", "orphan", kSecret});
  CHECK(!f.state.find_key("GHOSTKEY0001").has_value());
  CHECK(f.state.live_key_ids_of("ghost").empty());
  CHECK(f.state == before);
}

TEST_CASE("a second key created with an existing key id changes nothing", "[projections]") {
  Folder f;
  f.apply(UserCreated{"alice", Privilege::kUser, "scrypt$x"});
  f.apply(UserCreated{"bob", Privilege::kUser, "scrypt$x"});
  f.apply(KeyCreated{"AAAAAAAAAAAA", "alice", "laptop", kSecret});
  const LedgerState before = f.state;
  f.apply(KeyCreated{"AAAAAAAAAAAA", "bob", "stolen", sha256("other")});
  CHECK(f.state == before);
  CHECK(f.state.live_key_ids_of("bob").empty());
  CHECK(f.state.live_key_ids_of("alice").size() == 1);
}

TEST_CASE("a deleted key stays deleted through later renames and uses", "[projections]") {
  // The rules never decide these events; the fold still must not revive it.
  Folder f;
  f.apply(UserCreated{"alice", Privilege::kUser, "scrypt$x"});
  f.apply(KeyCreated{"AAAAAAAAAAAA", "alice", "laptop", kSecret});
  f.apply(KeyDeleted{"AAAAAAAAAAAA", ""}, kT0 + 5'000);
  f.apply(KeyRenamed{"AAAAAAAAAAAA", "other"});
  f.apply(KeyUsed{"AAAAAAAAAAAA", "10.0.0.1", kT0 + 9'000});
  std::optional<KeyRecord> key = f.state.find_key("AAAAAAAAAAAA");
  REQUIRE(key.has_value());
  CHECK(key->deleted);
  CHECK(key->deleted_at_ns == kT0 + 5'000);
}

TEST_CASE("folding the same events into two states gives equal states", "[projections]") {
  Folder a;
  Folder b;
  for (Folder* f : {&a, &b}) {
    f->apply(UserCreated{"alice", Privilege::kUser, "scrypt$x"}, kT0);
    f->apply(KeyCreated{"AAAAAAAAAAAA", "alice", "laptop", kSecret}, kT0 + 1);
    f->apply(KeyUsed{"AAAAAAAAAAAA", "10.0.0.1", kT0 + 2}, kT0 + 2);
  }
  CHECK(a.state == b.state);
  b.apply(KeyRenamed{"AAAAAAAAAAAA", "x"}, kT0 + 3);
  CHECK_FALSE(a.state == b.state);
}

TEST_CASE("a lock for failed sign-ins ends by itself at the event's time plus its length",
          "[projections][lockout]") {
  constexpr TimeNs kMinute = 60'000'000'000;
  Folder f;
  f.apply(UserCreated{"alice", Privilege::kUser, "scrypt$hash"});
  f.apply(UserLocked{"alice", "too_many_failed_sign_ins", 30 * kMinute}, kT0 + 7);
  const UserRecord* alice = f.state.find_user("alice");
  CHECK(alice->locked);
  CHECK(alice->locked_until_ns == kT0 + 7 + 30 * kMinute);
  CHECK(alice->lockout_ns == 30 * kMinute);
  CHECK(alice->is_locked_at(kT0 + 7 + 30 * kMinute - 1));
  CHECK_FALSE(alice->is_locked_at(kT0 + 7 + 30 * kMinute));
}

TEST_CASE("a lock for failed sign-ins written before locks ended ends 15 minutes after it",
          "[projections][lockout]") {
  constexpr TimeNs kMinute = 60'000'000'000;
  Folder f;
  f.apply(UserCreated{"alice", Privilege::kUser, "scrypt$hash"});
  // As keyledger wrote it before UserLocked had a length.
  f.apply(UserLocked{"alice", "too_many_failed_sign_ins"}, kT0);
  const UserRecord* alice = f.state.find_user("alice");
  CHECK(alice->locked_until_ns == kT0 + 15 * kMinute);
  CHECK(alice->lockout_ns == 15 * kMinute);
  CHECK_FALSE(alice->is_locked_at(kT0 + 15 * kMinute));
}

TEST_CASE("an administrator's lock lasts until an unlock, which also forgets earlier locks",
          "[projections][lockout]") {
  constexpr TimeNs kMinute = 60'000'000'000;
  Folder f;
  f.apply(UserCreated{"alice", Privilege::kUser, "scrypt$hash"});
  f.apply(UserLocked{"alice", "too_many_failed_sign_ins", 15 * kMinute}, kT0);
  f.apply(UserLocked{"alice", "locked by an administrator"}, kT0 + 1);
  const UserRecord* alice = f.state.find_user("alice");
  CHECK(alice->locked_until_ns == 0);
  CHECK(alice->is_locked_at(kT0 + 1'000 * kMinute));
  f.apply(UserUnlocked{"alice"});
  CHECK_FALSE(alice->locked);
  CHECK(alice->locked_until_ns == 0);
  CHECK(alice->lockout_ns == 0);
}
