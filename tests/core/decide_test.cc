#include "core/decide.h"

#include <catch2/catch.hpp>
#include <string>
#include <utility>
#include <vector>

#include "projections/ledger_state.h"

using namespace keyledger;
using namespace std::string_literals;

namespace {

const std::string kPasswordHash =
    "scrypt$ln=10$r=8$p=1$00112233445566778899aabbccddeeff$"
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const std::string kOtherPasswordHash =
    "scrypt$ln=10$r=8$p=1$ffeeddccbbaa99887766554433221100$"
    "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";

constexpr std::string_view kAliceKey = "AliceKey0001";
constexpr std::string_view kAliceDeletedKey = "AliceKey0002";
constexpr std::string_view kBobKey = "BobKey000001";
constexpr std::string_view kCarolKey = "CarolKey0001";
constexpr std::string_view kNewKey = "NewKey000001";
constexpr std::string_view kUnknownKey = "Unknown00001";

Hash256 secret_hash(std::uint8_t fill) {
  Hash256 out;
  out.fill(fill);
  return out;
}

// A ledger folded from events with the real projection:
//   alice  user,    enabled, unlocked; owns a live and a deleted key
//   bob    admin,   enabled, unlocked; owns a live key
//   carol  user,    disabled;          owns a live key (made before)
//   dave   auditor, locked
class Ledger {
 public:
  Ledger() {
    apply(UserCreated{"alice", Privilege::kUser, kPasswordHash});
    apply(UserCreated{"bob", Privilege::kAdmin, kPasswordHash});
    apply(UserCreated{"carol", Privilege::kUser, kPasswordHash});
    apply(UserCreated{"dave", Privilege::kAuditor, kPasswordHash});
    apply(KeyCreated{std::string(kAliceKey), "alice", "alice's key", secret_hash(1)});
    apply(KeyCreated{std::string(kAliceDeletedKey), "alice", "old key", secret_hash(2)});
    apply(KeyDeleted{std::string(kAliceDeletedKey), "rotated"});
    apply(KeyCreated{std::string(kBobKey), "bob", "bob's key", secret_hash(3)});
    apply(KeyCreated{std::string(kCarolKey), "carol", "carol's key", secret_hash(4)});
    apply(UserDisabled{"carol"});
    apply(UserLocked{"dave", "locked by an administrator"});
  }

  void apply(EventPayload payload) {
    Event event;
    event.seq = ++seq_;
    event.time_ns = 1'700'000'000'000'000'000 + static_cast<TimeNs>(seq_);
    event.payload = std::move(payload);
    projections::apply_event(state_, event);
  }

  StatusOr<EventPayload> decide(const Command& command) const {
    return keyledger::decide(state_, command);
  }

  const projections::LedgerState& state() const { return state_; }

 private:
  projections::LedgerState state_;
  std::uint64_t seq_ = 0;
};

// "ok:<event type>" or "<code>/<reason>", so a failed CHECK prints both.
std::string outcome(const StatusOr<EventPayload>& decided) {
  if (decided.is_ok()) return "ok:" + std::string(event_type_name(*decided));
  return std::string(status_code_name(decided.status().code())) + "/" + decided.status().reason();
}

// The accepted payload of `command`, of type T; REQUIREs acceptance.
template <typename T>
T accepted(const Ledger& ledger, const Command& command) {
  auto decided = ledger.decide(command);
  INFO(outcome(decided) << " " << decided.status().message());
  REQUIRE(decided.is_ok());
  REQUIRE(std::holds_alternative<T>(*decided));
  return std::get<T>(*decided);
}

Status rejection(const Ledger& ledger, const Command& command) {
  auto decided = ledger.decide(command);
  REQUIRE_FALSE(decided.is_ok());
  return decided.status();
}

std::string repeat(std::string_view unit, std::size_t count) {
  std::string out;
  for (std::size_t i = 0; i < count; ++i) out += unit;
  return out;
}

}  // namespace

TEST_CASE("the decide test ledger holds the users and keys it is built from", "[core][decide]") {
  Ledger ledger;
  const auto& state = ledger.state();
  REQUIRE(state.find_user("alice") != nullptr);
  CHECK_FALSE(state.find_user("alice")->disabled);
  REQUIRE(state.find_user("carol") != nullptr);
  CHECK(state.find_user("carol")->disabled);
  REQUIRE(state.find_user("dave") != nullptr);
  CHECK(state.find_user("dave")->locked);
  REQUIRE(state.find_key(kAliceDeletedKey).has_value());
  CHECK(state.find_key(kAliceDeletedKey)->deleted);
  REQUIRE(state.find_key(kBobKey).has_value());
  CHECK(state.find_key(kBobKey)->owner == "bob");
}

// ------------------------------------------------------------------ CreateUser

TEST_CASE("create user is accepted for a new valid user id", "[core][decide]") {
  Ledger ledger;
  CHECK(accepted<UserCreated>(ledger, CreateUser{"erin", Privilege::kAdmin, kPasswordHash}) ==
        UserCreated{"erin", Privilege::kAdmin, kPasswordHash});
  CHECK(accepted<UserCreated>(ledger,
                              CreateUser{"frank.o-k_1", Privilege::kAuditor, kOtherPasswordHash}) ==
        UserCreated{"frank.o-k_1", Privilege::kAuditor, kOtherPasswordHash});
  CHECK(accepted<UserCreated>(ledger,
                              CreateUser{std::string(64, 'g'), Privilege::kUser, kPasswordHash})
            .user_id == std::string(64, 'g'));
}

TEST_CASE("create user rejects an invalid user id", "[core][decide]") {
  Ledger ledger;
  for (const std::string& user_id : {""s, "Erin"s, ".erin"s, "-erin"s, "er in"s,
                                     "erin@example.com"s, std::string(65, 'e'), "\xc3\xa9rin"s}) {
    INFO("user id '" << user_id << "'");
    Status status = rejection(ledger, CreateUser{user_id, Privilege::kUser, kPasswordHash});
    CHECK(status.code() == StatusCode::kInvalidArgument);
    CHECK(status.reason() == "invalid_user_id");
    CHECK(status.field() == "user");
  }
}

TEST_CASE("create user rejects the reserved user id 'system'", "[core][decide]") {
  Ledger ledger;
  Status status = rejection(ledger, CreateUser{"system", Privilege::kAdmin, kPasswordHash});
  CHECK(status.code() == StatusCode::kInvalidArgument);
  CHECK(status.reason() == "reserved_user_id");
}

TEST_CASE("create user rejects a password hash that is not an encoded scrypt hash",
          "[core][decide]") {
  Ledger ledger;
  for (const std::string& hash :
       {""s, "correct horse battery"s, "scrypt"s, "SCRYPT$ln=10"s, "bcrypt$2b$10$abc"s,
        " scrypt$ln=10"s, "scrypt$" + std::string(506, 'a')}) {
    INFO("hash '" << hash << "' (" << hash.size() << " bytes)");
    Status status = rejection(ledger, CreateUser{"erin", Privilege::kUser, hash});
    CHECK(status.code() == StatusCode::kInvalidArgument);
    CHECK(status.reason() == "invalid_password_hash");
    CHECK(status.field() == "password");
  }
  // Only the exact shape PasswordHasher produces is accepted: a 16-byte salt
  // and a 32-byte hash, with a cost inside the bounds verify() accepts.
  const std::string well_formed =
      "scrypt$ln=10$r=8$p=1$" + std::string(32, 'a') + "$" + std::string(64, 'b');
  CHECK(outcome(ledger.decide(CreateUser{"erin", Privilege::kUser, well_formed})) ==
        "ok:user_created");
  for (const std::string& malformed :
       {"scrypt$ln=10$r=8$p=1$" + std::string(426, 'a') + "$" + std::string(64, 'b'),
        "scrypt$ln=30$r=8$p=1$" + std::string(32, 'a') + "$" + std::string(64, 'b'),
        "scrypt$ln=10$r=8$p=1$" + std::string(32, 'a') + "$" + std::string(62, 'b')}) {
    INFO(malformed);
    CHECK(outcome(ledger.decide(CreateUser{"erin", Privilege::kUser, malformed})) ==
          "invalid_argument/invalid_password_hash");
  }
}

TEST_CASE("create user rejects text that only starts like an encoded scrypt hash",
          "[core][decide]") {
  // The event must hold an encoded hash and never a password (events.capnp);
  // the "scrypt$" prefix alone does not make text an encoded hash.
  Ledger ledger;
  for (const std::string& hash :
       {"scrypt$hunter2"s, "scrypt$"s, "scrypt$\n"s, "scrypt$ln=10$r=8$p=1$00112233$"s}) {
    INFO("hash '" << hash << "'");
    CHECK(outcome(ledger.decide(CreateUser{"erin", Privilege::kUser, hash})) ==
          "invalid_argument/invalid_password_hash");
  }
}

TEST_CASE("create user rejects a user id that exists", "[core][decide]") {
  Ledger ledger;
  for (std::string_view user_id : {"alice", "bob", "carol", "dave"}) {
    INFO(user_id);
    Status status =
        rejection(ledger, CreateUser{std::string(user_id), Privilege::kUser, kPasswordHash});
    CHECK(status.code() == StatusCode::kAlreadyExists);
    CHECK(status.reason() == "user_exists");
    CHECK(status.field() == "user");
  }
}

// ------------------------------------------------------ user state commands

TEST_CASE("change privilege is accepted when the privilege changes", "[core][decide]") {
  Ledger ledger;
  CHECK(accepted<UserPrivilegeChanged>(ledger, ChangePrivilege{"alice", Privilege::kAdmin}) ==
        UserPrivilegeChanged{"alice", Privilege::kAdmin});
  CHECK(accepted<UserPrivilegeChanged>(ledger, ChangePrivilege{"bob", Privilege::kAuditor}) ==
        UserPrivilegeChanged{"bob", Privilege::kAuditor});
}

TEST_CASE("every user command rejects an unknown user with user_not_found", "[core][decide]") {
  Ledger ledger;
  const std::vector<Command> commands = {
      ChangePrivilege{"zoe", Privilege::kAdmin},
      DisableUser{"zoe"},
      EnableUser{"zoe"},
      ChangePassword{"zoe", kPasswordHash},
      LockUser{"zoe", "reason"},
      UnlockUser{"zoe"},
      // Near misses of existing ids are unknown users too.
      DisableUser{"Alice"},
      DisableUser{"alice "},
      DisableUser{""},
      // The reason is not looked at before the user.
      LockUser{"zoe", "bad\nreason"},
  };
  for (const auto& command : commands) {
    INFO("command #" << command.index());
    Status status = rejection(ledger, command);
    CHECK(status.code() == StatusCode::kNotFound);
    CHECK(status.reason() == "user_not_found");
  }
}

TEST_CASE("a user command that would change nothing is rejected as unchanged", "[core][decide]") {
  Ledger ledger;
  const std::vector<Command> commands = {
      ChangePrivilege{"alice", Privilege::kUser},
      ChangePrivilege{"bob", Privilege::kAdmin},
      ChangePrivilege{"dave", Privilege::kAuditor},
      DisableUser{"carol"},
      EnableUser{"alice"},
      EnableUser{"dave"},
      LockUser{"dave", "again"},
      UnlockUser{"alice"},
      UnlockUser{"carol"},
  };
  for (const auto& command : commands) {
    INFO("command #" << command.index());
    Status status = rejection(ledger, command);
    CHECK(status.code() == StatusCode::kFailedPrecondition);
    CHECK(status.reason() == "unchanged");
  }
}

TEST_CASE("disable user is accepted for an enabled user", "[core][decide]") {
  Ledger ledger;
  CHECK(accepted<UserDisabled>(ledger, DisableUser{"alice"}) == UserDisabled{"alice"});
  // A locked user can still be disabled.
  CHECK(accepted<UserDisabled>(ledger, DisableUser{"dave"}) == UserDisabled{"dave"});
}

TEST_CASE("enable user is accepted for a disabled user", "[core][decide]") {
  Ledger ledger;
  CHECK(accepted<UserEnabled>(ledger, EnableUser{"carol"}) == UserEnabled{"carol"});
}

TEST_CASE("change password is accepted for an existing user", "[core][decide]") {
  Ledger ledger;
  CHECK(accepted<PasswordChanged>(ledger, ChangePassword{"alice", kOtherPasswordHash}) ==
        PasswordChanged{"alice", kOtherPasswordHash});
  CHECK(accepted<PasswordChanged>(ledger, ChangePassword{"dave", kOtherPasswordHash}) ==
        PasswordChanged{"dave", kOtherPasswordHash});
}

TEST_CASE("change password rejects a password hash that is not an encoded scrypt hash",
          "[core][decide]") {
  Ledger ledger;
  for (const std::string& hash :
       {""s, "new password"s, "scrypt"s, "scrypt$" + std::string(506, 'a')}) {
    INFO("hash of " << hash.size() << " bytes");
    Status status = rejection(ledger, ChangePassword{"alice", hash});
    CHECK(status.code() == StatusCode::kInvalidArgument);
    CHECK(status.reason() == "invalid_password_hash");
  }
}

TEST_CASE("lock user is accepted for an unlocked user with a printable reason", "[core][decide]") {
  Ledger ledger;
  CHECK(accepted<UserLocked>(ledger, LockUser{"alice", "too_many_failed_sign_ins", 1}) ==
        UserLocked{"alice", "too_many_failed_sign_ins", 1});
  CHECK(accepted<UserLocked>(ledger, LockUser{"alice", ""}) == UserLocked{"alice", ""});
  const std::string unicode = "gesperrt: zu viele Versuche \xe2\x9c\x8b";
  CHECK(accepted<UserLocked>(ledger, LockUser{"bob", unicode}) == UserLocked{"bob", unicode});
  // A disabled user can still be locked.
  CHECK(accepted<UserLocked>(ledger, LockUser{"carol", "x"}) == UserLocked{"carol", "x"});
}

TEST_CASE("lock user accepts a reason of exactly 200 bytes and rejects 201", "[core][decide]") {
  Ledger ledger;
  REQUIRE(kMaxReasonLength == 200);
  CHECK(outcome(ledger.decide(LockUser{"alice", std::string(200, 'r')})) == "ok:user_locked");
  // 100 two-byte characters are 200 bytes; one more is over.
  CHECK(outcome(ledger.decide(LockUser{"alice", repeat("\xc3\xa9", 100)})) == "ok:user_locked");
  for (const std::string& reason :
       {std::string(201, 'r'), repeat("\xc3\xa9", 101), std::string(10000, 'r')}) {
    Status status = rejection(ledger, LockUser{"alice", reason});
    CHECK(status.code() == StatusCode::kInvalidArgument);
    CHECK(status.reason() == "invalid_reason");
    CHECK(status.field() == "reason");
  }
}

TEST_CASE("lock user rejects a reason with control characters or invalid UTF-8", "[core][decide]") {
  Ledger ledger;
  for (const std::string& reason :
       {"line\nbreak"s, "tab\there"s, "nul\0byte"s, "\x1b[31mred"s, "del\x7f"s, "next\xc2\x85line"s,
        "bad\xff"s, "overlong\xc0\x80"s, "cut\xe2\x82"s}) {
    INFO("reason '" << reason << "'");
    Status status = rejection(ledger, LockUser{"alice", reason});
    CHECK(status.code() == StatusCode::kInvalidArgument);
    CHECK(status.reason() == "invalid_reason");
  }
}

TEST_CASE("unlock user is accepted for a locked user", "[core][decide]") {
  Ledger ledger;
  CHECK(accepted<UserUnlocked>(ledger, UnlockUser{"dave"}) == UserUnlocked{"dave"});
}

// ------------------------------------------------------------------- CreateKey

TEST_CASE("create key is accepted with the name trimmed", "[core][decide]") {
  Ledger ledger;
  CHECK(accepted<KeyCreated>(
            ledger, CreateKey{std::string(kNewKey), "alice", "  Deploy key \xe2\x9c\x93 \xc2\xa0\t",
                              secret_hash(9)}) ==
        KeyCreated{std::string(kNewKey), "alice", "Deploy key \xe2\x9c\x93", secret_hash(9)});
  CHECK(
      accepted<KeyCreated>(ledger, CreateKey{std::string(kNewKey), "bob", "ci", secret_hash(10)}) ==
      KeyCreated{std::string(kNewKey), "bob", "ci", secret_hash(10)});
  // A locked user may still create keys (locking stops sign-ins).
  CHECK(outcome(ledger.decide(CreateKey{std::string(kNewKey), "dave", "k", secret_hash(1)})) ==
        "ok:key_created");
  CHECK(accepted<KeyCreated>(ledger, CreateKey{std::string(kNewKey), "alice",
                                               repeat("\xf0\x9f\x94\x91", 100), secret_hash(1)})
            .name == repeat("\xf0\x9f\x94\x91", 100));
}

TEST_CASE("create key rejects a key id that is not 12 base62 characters", "[core][decide]") {
  Ledger ledger;
  for (const std::string& key_id : {""s, "NewKey00001"s, "NewKey0000001"s, "NewKey_00001"s,
                                    "NewKey-00001"s, "NewKey 00001"s, "NewKey0000\xc3\xa9"s}) {
    INFO("key id '" << key_id << "'");
    Status status = rejection(ledger, CreateKey{key_id, "alice", "name", secret_hash(1)});
    CHECK(status.code() == StatusCode::kInvalidArgument);
    CHECK(status.reason() == "invalid_key_id");
    CHECK(status.field() == "id");
  }
}

TEST_CASE("create key rejects an invalid name with the name's reason", "[core][decide]") {
  Ledger ledger;
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "name_empty"},
      {" \t\xc2\xa0 ", "name_empty"},
      {std::string(101, 'n'), "name_too_long"},
      {repeat("\xe2\x82\xac", 101), "name_too_long"},
      {"bad\x01name", "name_control_characters"},
      {"bad\nname", "name_control_characters"},
      {"evil\xe2\x80\xaetxt.exe", "name_invisible_characters"},
      {"bad\xffname", "invalid_utf8"},
  };
  for (const auto& [name, reason] : cases) {
    INFO("expecting " << reason);
    Status status =
        rejection(ledger, CreateKey{std::string(kNewKey), "alice", name, secret_hash(1)});
    CHECK(status.code() == StatusCode::kInvalidArgument);
    CHECK(status.reason() == reason);
    CHECK(status.field() == "name");
  }
  CHECK(outcome(ledger.decide(CreateKey{std::string(kNewKey), "alice", std::string(100, 'n'),
                                        secret_hash(1)})) == "ok:key_created");
}

TEST_CASE("create key rejects an unknown owner", "[core][decide]") {
  Ledger ledger;
  for (std::string_view owner : {"zoe", "", "system"}) {
    INFO("owner '" << owner << "'");
    Status status =
        rejection(ledger, CreateKey{std::string(kNewKey), std::string(owner), "n", secret_hash(1)});
    CHECK(status.code() == StatusCode::kNotFound);
    CHECK(status.reason() == "user_not_found");
  }
}

TEST_CASE("create key rejects a disabled owner", "[core][decide]") {
  Ledger ledger;
  Status status = rejection(ledger, CreateKey{std::string(kNewKey), "carol", "n", secret_hash(1)});
  CHECK(status.code() == StatusCode::kFailedPrecondition);
  CHECK(status.reason() == "user_disabled");
}

TEST_CASE("create key rejects a key id that exists, live, deleted or another user's",
          "[core][decide]") {
  Ledger ledger;
  for (std::string_view key_id : {kAliceKey, kAliceDeletedKey, kBobKey, kCarolKey}) {
    INFO(key_id);
    Status status = rejection(ledger, CreateKey{std::string(key_id), "alice", "n", secret_hash(1)});
    CHECK(status.code() == StatusCode::kAlreadyExists);
    CHECK(status.reason() == "key_exists");
    CHECK(status.field() == "id");
  }
}

// ---------------------------------------------------------- RenameKey, DeleteKey

TEST_CASE("rename key is accepted for the owner's live key with the name trimmed",
          "[core][decide]") {
  Ledger ledger;
  CHECK(accepted<KeyRenamed>(ledger, RenameKey{std::string(kAliceKey), "alice",
                                               "\xe3\x80\x80 New name \xf0\x9f\x9a\x80  "}) ==
        KeyRenamed{std::string(kAliceKey), "New name \xf0\x9f\x9a\x80"});
  CHECK(accepted<KeyRenamed>(ledger, RenameKey{std::string(kBobKey), "bob", "same"}) ==
        KeyRenamed{std::string(kBobKey), "same"});
}

TEST_CASE(
    "rename and delete report an unknown, deleted or other user's key identically as "
    "key_not_found",
    "[core][decide]") {
  Ledger ledger;
  const std::vector<std::pair<std::string, std::string>> keys_and_callers = {
      {std::string(kUnknownKey), "alice"},       // no such key
      {std::string(kAliceDeletedKey), "alice"},  // the caller's own deleted key
      {std::string(kBobKey), "alice"},           // someone else's live key
      {std::string(kCarolKey), "alice"},
      {std::string(kAliceKey), "bob"},  // an admin is no owner either
      {std::string(kAliceKey), ""},
      {std::string(kAliceKey), "Alice"},
      {"not a key id", "alice"},
  };
  std::vector<Status> statuses;
  for (const auto& [key_id, caller] : keys_and_callers) {
    INFO("key " << key_id << " as '" << caller << "'");
    Status renamed = rejection(ledger, RenameKey{key_id, caller, "new name"});
    Status deleted = rejection(ledger, DeleteKey{key_id, caller, "reason"});
    // Invalid input on a key that is not the caller's is still not found, so
    // the error cannot be used to probe for keys.
    Status renamed_badly = rejection(ledger, RenameKey{key_id, caller, ""});
    Status deleted_badly = rejection(ledger, DeleteKey{key_id, caller, "bad\nreason"});
    for (const Status& status : {renamed, deleted, renamed_badly, deleted_badly}) {
      CHECK(status.code() == StatusCode::kNotFound);
      CHECK(status.reason() == "key_not_found");
      statuses.push_back(status);
    }
  }
  // Nothing in the status tells the cases apart.
  for (const Status& status : statuses) {
    CHECK(status.message() == statuses.front().message());
    CHECK(status.field() == statuses.front().field());
    CHECK(status.message().find("bob") == std::string::npos);
    CHECK(status.message().find("alice") == std::string::npos);
  }
}

TEST_CASE("rename key rejects an invalid name with the name's reason", "[core][decide]") {
  Ledger ledger;
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "name_empty"},
      {"   ", "name_empty"},
      {std::string(101, 'n'), "name_too_long"},
      {"a\x7f", "name_control_characters"},
      {"a\xe2\x81\xa6z", "name_invisible_characters"},
      {"\xed\xa0\x80", "invalid_utf8"},
  };
  for (const auto& [name, reason] : cases) {
    INFO("expecting " << reason);
    Status status = rejection(ledger, RenameKey{std::string(kAliceKey), "alice", name});
    CHECK(status.code() == StatusCode::kInvalidArgument);
    CHECK(status.reason() == reason);
    CHECK(status.field() == "name");
  }
}

TEST_CASE("delete key is accepted for the owner's live key", "[core][decide]") {
  Ledger ledger;
  CHECK(accepted<KeyDeleted>(ledger, DeleteKey{std::string(kAliceKey), "alice", "rotated"}) ==
        KeyDeleted{std::string(kAliceKey), "rotated"});
  CHECK(accepted<KeyDeleted>(ledger, DeleteKey{std::string(kAliceKey), "alice", ""}) ==
        KeyDeleted{std::string(kAliceKey), ""});
  CHECK(
      accepted<KeyDeleted>(ledger, DeleteKey{std::string(kBobKey), "bob", std::string(200, 'r')}) ==
      KeyDeleted{std::string(kBobKey), std::string(200, 'r')});
  // A disabled owner may still delete their keys.
  CHECK(outcome(ledger.decide(DeleteKey{std::string(kCarolKey), "carol", "leaving"})) ==
        "ok:key_deleted");
}

TEST_CASE("delete key rejects an invalid reason", "[core][decide]") {
  Ledger ledger;
  for (const std::string& reason :
       {std::string(201, 'r'), "line\nbreak"s, "nul\0"s, "c1\xc2\x9b"s, "bad\xff"s}) {
    INFO("reason of " << reason.size() << " bytes");
    Status status = rejection(ledger, DeleteKey{std::string(kAliceKey), "alice", reason});
    CHECK(status.code() == StatusCode::kInvalidArgument);
    CHECK(status.reason() == "invalid_reason");
    CHECK(status.field() == "reason");
  }
}

// ---------------------------------------------------------------- RecordKeyUse

TEST_CASE("record key use is accepted for any live key and a valid IP address", "[core][decide]") {
  Ledger ledger;
  CHECK(accepted<KeyUsed>(ledger, RecordKeyUse{std::string(kAliceKey), "203.0.113.9", 123}) ==
        KeyUsed{std::string(kAliceKey), "203.0.113.9", 123});
  CHECK(accepted<KeyUsed>(ledger, RecordKeyUse{std::string(kBobKey), "2001:db8::1", 456}) ==
        KeyUsed{std::string(kBobKey), "2001:db8::1", 456});
  // Uses are recorded even when the owner is disabled: the key still exists.
  CHECK(outcome(ledger.decide(RecordKeyUse{std::string(kCarolKey), "::1", 1})) == "ok:key_used");
}

TEST_CASE("record key use rejects an unknown or deleted key", "[core][decide]") {
  Ledger ledger;
  for (std::string_view key_id : {kUnknownKey, kAliceDeletedKey, std::string_view("")}) {
    INFO("key '" << key_id << "'");
    Status status = rejection(ledger, RecordKeyUse{std::string(key_id), "127.0.0.1", 1});
    CHECK(status.code() == StatusCode::kNotFound);
    CHECK(status.reason() == "key_not_found");
  }
}

TEST_CASE("record key use rejects a client address that is not an IP address", "[core][decide]") {
  Ledger ledger;
  for (const std::string& ip : {""s, "garbage"s, "1.2.3.4:80"s, "[::1]"s, "256.0.0.1"s}) {
    INFO("ip '" << ip << "'");
    Status status = rejection(ledger, RecordKeyUse{std::string(kAliceKey), ip, 1});
    CHECK(status.code() == StatusCode::kInvalidArgument);
    CHECK(status.reason() == "invalid_ip");
    CHECK(status.field() == "client_ip");
  }
}

TEST_CASE("record key use rejects a client address with a NUL byte and text after it",
          "[core][decide]") {
  // The address is stored in the event as given; what follows the NUL must
  // not slip past validation into the log.
  Ledger ledger;
  CHECK(outcome(ledger.decide(RecordKeyUse{std::string(kAliceKey), "127.0.0.1\0junk"s, 1})) ==
        "invalid_argument/invalid_ip");
}

// --------------------------------------------------------------------- purity

TEST_CASE("deciding never changes the view and gives the same answer twice", "[core][decide]") {
  Ledger ledger;
  const projections::LedgerState before = ledger.state();
  const std::vector<Command> commands = {
      CreateUser{"erin", Privilege::kUser, kPasswordHash},
      CreateUser{"alice", Privilege::kUser, kPasswordHash},
      ChangePrivilege{"alice", Privilege::kAdmin},
      DisableUser{"alice"},
      EnableUser{"carol"},
      ChangePassword{"alice", kOtherPasswordHash},
      LockUser{"alice", "r"},
      UnlockUser{"dave"},
      CreateKey{std::string(kNewKey), "alice", " n ", secret_hash(1)},
      RenameKey{std::string(kAliceKey), "alice", "renamed"},
      DeleteKey{std::string(kAliceKey), "alice", "gone"},
      RecordKeyUse{std::string(kAliceKey), "127.0.0.1", 5},
      RenameKey{std::string(kBobKey), "alice", "x"},
  };
  for (const auto& command : commands) {
    auto first = ledger.decide(command);
    auto second = ledger.decide(command);
    CHECK(outcome(first) == outcome(second));
    if (first.is_ok() && second.is_ok()) CHECK(*first == *second);
  }
  CHECK(ledger.state() == before);
}

TEST_CASE("a command decided and applied is then decided against the new state", "[core][decide]") {
  Ledger ledger;
  auto apply_decided = [&](const Command& command) {
    auto decided = ledger.decide(command);
    REQUIRE(decided.is_ok());
    ledger.apply(*decided);
  };
  apply_decided(CreateUser{"erin", Privilege::kUser, kPasswordHash});
  CHECK(outcome(ledger.decide(CreateUser{"erin", Privilege::kUser, kPasswordHash})) ==
        "already_exists/user_exists");

  apply_decided(CreateKey{std::string(kNewKey), "erin", "k", secret_hash(5)});
  CHECK(outcome(ledger.decide(CreateKey{std::string(kNewKey), "erin", "k", secret_hash(5)})) ==
        "already_exists/key_exists");

  apply_decided(DisableUser{"erin"});
  CHECK(outcome(ledger.decide(DisableUser{"erin"})) == "failed_precondition/unchanged");
  CHECK(outcome(ledger.decide(CreateKey{"NewKey000002", "erin", "k", secret_hash(5)})) ==
        "failed_precondition/user_disabled");

  apply_decided(DeleteKey{std::string(kNewKey), "erin", "done"});
  CHECK(outcome(ledger.decide(DeleteKey{std::string(kNewKey), "erin", "done"})) ==
        "not_found/key_not_found");
  CHECK(outcome(ledger.decide(RecordKeyUse{std::string(kNewKey), "::1", 1})) ==
        "not_found/key_not_found");
}

TEST_CASE("a lock that ends by itself may be renewed or made permanent; a permanent one is final",
          "[core][decide][lockout]") {
  constexpr TimeNs kMinute = 60'000'000'000;
  Ledger ledger;
  CHECK(accepted<UserLocked>(ledger, LockUser{"alice", "too_many_failed_sign_ins", 15 * kMinute}) ==
        UserLocked{"alice", "too_many_failed_sign_ins", 15 * kMinute});
  ledger.apply(UserLocked{"alice", "too_many_failed_sign_ins", 15 * kMinute});
  // Deciding knows no clock: the lock may have ended already.
  CHECK(accepted<UserLocked>(ledger, LockUser{"alice", "too_many_failed_sign_ins", 30 * kMinute}) ==
        UserLocked{"alice", "too_many_failed_sign_ins", 30 * kMinute});
  CHECK(accepted<UserLocked>(ledger, LockUser{"alice", "locked by an administrator"}) ==
        UserLocked{"alice", "locked by an administrator"});
  ledger.apply(UserLocked{"alice", "locked by an administrator"});
  Status status = rejection(ledger, LockUser{"alice", "too_many_failed_sign_ins", 15 * kMinute});
  CHECK(status.reason() == "unchanged");
}

TEST_CASE("a lock that would end before it begins is rejected", "[core][decide][lockout]") {
  Ledger ledger;
  Status status = rejection(ledger, LockUser{"alice", "too_many_failed_sign_ins", -1});
  CHECK(status.code() == StatusCode::kInvalidArgument);
  CHECK(status.reason() == "invalid_lockout");
}

TEST_CASE("a lock for failed sign-ins without a length is rejected: the fold would read it as old",
          "[core][decide][lockout]") {
  Ledger ledger;
  Status status = rejection(ledger, LockUser{"alice", "too_many_failed_sign_ins"});
  CHECK(status.code() == StatusCode::kInvalidArgument);
  CHECK(status.reason() == "invalid_lockout");
  // Another reason without a length is an administrator's lock.
  CHECK(accepted<UserLocked>(ledger, LockUser{"alice", "locked by an administrator"}) ==
        UserLocked{"alice", "locked by an administrator"});
}

TEST_CASE(
    "an administrator cannot take their own access away nor give themselves a one-time "
    "password",
    "[core][decide]") {
  Ledger ledger;  // bob is an admin
  const std::vector<std::pair<Command, std::string>> refused = {
      {ChangePrivilege{"bob", Privilege::kUser, "bob"}, "privilege"},
      {ChangePrivilege{"bob", Privilege::kAuditor, "bob"}, "privilege"},
      {DisableUser{"bob", "bob"}, "disabled"},
      {LockUser{"bob", "locked by an administrator", 0, "bob"}, "locked"},
      {ChangePassword{"bob", std::string(kPasswordHash), true, "bob"}, "password"},
  };
  for (const auto& [command, field] : refused) {
    INFO("command #" << command.index());
    Status status = rejection(ledger, command);
    CHECK(status.code() == StatusCode::kFailedPrecondition);
    CHECK(status.reason() == "cannot_change_self");
    CHECK(status.field() == field);
  }
  // The same changes asked by another administrator, or by the system, and
  // one's own password chosen with the current one, are decided as usual.
  CHECK(accepted<UserPrivilegeChanged>(ledger, ChangePrivilege{"bob", Privilege::kUser, "root"}) ==
        UserPrivilegeChanged{"bob", Privilege::kUser});
  CHECK(accepted<UserDisabled>(ledger, DisableUser{"bob"}) == UserDisabled{"bob"});
  CHECK(accepted<UserLocked>(ledger, LockUser{"bob", "too_many_failed_sign_ins", 1, "system"}) ==
        UserLocked{"bob", "too_many_failed_sign_ins", 1});
  CHECK(accepted<PasswordChanged>(
            ledger, ChangePassword{"bob", std::string(kPasswordHash), false, "bob"}) ==
        PasswordChanged{"bob", std::string(kPasswordHash), false});
}
