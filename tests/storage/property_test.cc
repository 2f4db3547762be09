// Property test: long random sequences of commands, valid and invalid, go
// through the real writer (alone and in bursts that share a batch). A
// reference model kept here predicts which are accepted and what state they
// leave; the live projection, the stored projection and a fresh fold of the
// whole log must all agree with each other and with the model.
#include <catch2/catch.hpp>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <future>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "core/hash.h"
#include "projections/stored_projection.h"
#include "tests/support/state_diff.h"
#include "tests/support/test_ledger.h"

using namespace keyledger;
using keyledger::testing::TestLedger;

namespace {

// Inputs with the answer the rules must give, kept independent of the
// validation code under test.
struct UserIdCase {
  std::string id;
  bool valid;
};
const std::vector<UserIdCase> kUserIds = {
    {"alice", true},
    {"bob", true},
    {"carol", true},
    {"dave", true},
    {"erin", true},
    {"frank.o", true},
    {"g-h_i", true},
    {"0zed", true},
    {"Alice", false},
    {"system", false},
    {"-leading-dash", false},
    {"", false},
    {std::string(65, 'a'), false},
};

struct NameCase {
  std::string raw;
  std::optional<std::string> stored;  // the name after trimming, or rejected
};
const std::vector<NameCase> kNames = {
    {"ci runner", "ci runner"},
    {"  deploy bot  ", "deploy bot"},
    {"r\u00e9plica \u00b7 prod", "r\u00e9plica \u00b7 prod"},
    {"\u00a0backup\u3000", "backup"},
    {"laptop", "laptop"},
    {std::string(100, 'y'), std::string(100, 'y')},
    {"", std::nullopt},
    {"   ", std::nullopt},
    {"tab\there", std::nullopt},
    {std::string(101, 'x'), std::nullopt},
    {"\u202e"
     "evil",
     std::nullopt},
    {"bad \xff"
     " utf8",
     std::nullopt},
};

struct ReasonCase {
  std::string text;
  bool valid;
};
const std::vector<ReasonCase> kReasons = {
    {"rotated", true},      {"", true}, {"left the company", true}, {std::string(201, 'r'), false},
    {"line\nbreak", false},
};

struct IpCase {
  std::string text;
  bool valid;
};
const std::vector<IpCase> kIps = {
    {"10.0.0.1", true},   {"192.168.1.20", true}, {"2001:db8::1", true}, {"::1", true},
    {"300.1.1.1", false}, {"localhost", false},   {"", false},
};

std::string pool_key_id(int i) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "key%09d", i);
  return buffer;
}
const std::vector<std::string> kBadKeyIds = {"short", "has space 12", "!!!!!!!!!!!!", "",
                                             "key0000000001"};

// The reference model: what the ledger's rules say, written out plainly.
struct ModelUser {
  Privilege privilege = Privilege::kUser;
  bool disabled = false;
  bool locked = false;
  std::string password_hash;
};
struct ModelKey {
  std::string owner;
  std::string name;
  bool deleted = false;
  std::string last_used_ip;
  TimeNs last_used_at_ns = 0;
};

struct Model {
  std::map<std::string, ModelUser> users;
  std::map<std::string, ModelKey> keys;
  std::map<std::string, bool> user_id_valid;
  std::map<std::string, std::optional<std::string>> names;
  std::map<std::string, bool> reason_valid;
  std::map<std::string, bool> ip_valid;

  Model() {
    for (const auto& c : kUserIds) user_id_valid[c.id] = c.valid;
    for (const auto& c : kNames) names[c.raw] = c.stored;
    for (const auto& c : kReasons) reason_valid[c.text] = c.valid;
    for (const auto& c : kIps) ip_valid[c.text] = c.valid;
  }

  static bool valid_hash(const std::string& hash) { return hash.rfind("scrypt$", 0) == 0; }
  static bool valid_key_id(const std::string& id) {
    if (id.size() != 12) return false;
    for (char c : id)
      if (!std::isalnum(static_cast<unsigned char>(c))) return false;
    return true;
  }
  ModelUser* user(const std::string& id) {
    auto it = users.find(id);
    return it == users.end() ? nullptr : &it->second;
  }
  ModelKey* live_key(const std::string& id, const std::string& owner) {
    auto it = keys.find(id);
    if (it == keys.end() || it->second.deleted || it->second.owner != owner) return nullptr;
    return &it->second;
  }

  // Applies `command` if the rules accept it; returns whether they do.
  bool apply(const Command& command) {
    return std::visit([this](const auto& c) { return apply_one(c); }, command);
  }

  bool apply_one(const CreateUser& c) {
    if (!user_id_valid.at(c.user_id) || !valid_hash(c.password_hash) || user(c.user_id))
      return false;
    users[c.user_id] = ModelUser{c.privilege, false, false, c.password_hash};
    return true;
  }
  bool apply_one(const ChangePrivilege& c) {
    ModelUser* u = user(c.user_id);
    if (!u || u->privilege == c.privilege) return false;
    u->privilege = c.privilege;
    return true;
  }
  bool apply_one(const DisableUser& c) {
    ModelUser* u = user(c.user_id);
    if (!u || u->disabled) return false;
    u->disabled = true;
    return true;
  }
  bool apply_one(const EnableUser& c) {
    ModelUser* u = user(c.user_id);
    if (!u || !u->disabled) return false;
    u->disabled = false;
    return true;
  }
  bool apply_one(const ChangePassword& c) {
    ModelUser* u = user(c.user_id);
    if (!u || !valid_hash(c.password_hash)) return false;
    u->password_hash = c.password_hash;
    return true;
  }
  bool apply_one(const LockUser& c) {
    ModelUser* u = user(c.user_id);
    if (!u || !reason_valid.at(c.reason) || u->locked) return false;
    u->locked = true;
    return true;
  }
  bool apply_one(const UnlockUser& c) {
    ModelUser* u = user(c.user_id);
    if (!u || !u->locked) return false;
    u->locked = false;
    return true;
  }
  bool apply_one(const CreateKey& c) {
    const auto& name = names.at(c.name);
    ModelUser* owner = user(c.owner);
    if (!valid_key_id(c.key_id) || !name || !owner || owner->disabled || keys.count(c.key_id))
      return false;
    keys[c.key_id] = ModelKey{c.owner, *name, false, "", 0};
    return true;
  }
  bool apply_one(const RenameKey& c) {
    ModelKey* key = live_key(c.key_id, c.owner);
    const auto& name = names.at(c.name);
    if (!key || !name) return false;
    key->name = *name;
    return true;
  }
  bool apply_one(const DeleteKey& c) {
    ModelKey* key = live_key(c.key_id, c.owner);
    if (!key || !reason_valid.at(c.reason)) return false;
    key->deleted = true;
    return true;
  }
  bool apply_one(const RecordKeyUse& c) {
    auto it = keys.find(c.key_id);
    if (it == keys.end() || it->second.deleted || !ip_valid.at(c.client_ip)) return false;
    // The fold keeps the newest use; an older one is accepted but ignored.
    if (c.used_at_ns >= it->second.last_used_at_ns) {
      it->second.last_used_ip = c.client_ip;
      it->second.last_used_at_ns = c.used_at_ns;
    }
    return true;
  }
};

class CommandGenerator {
 public:
  CommandGenerator(std::uint64_t seed, const Model& model, std::vector<std::string> hashes)
      : rng_(seed), model_(model), hashes_(std::move(hashes)) {}

  Command next() {
    const int roll = pick(100);
    if (roll < 8) return CreateUser{user_id(), privilege(), password_hash()};
    if (roll < 14) return ChangePrivilege{user_id(), privilege()};
    if (roll < 19) return DisableUser{user_id()};
    if (roll < 24) return EnableUser{user_id()};
    if (roll < 28) return LockUser{user_id(), pick_from(kReasons).text};
    if (roll < 32) return UnlockUser{user_id()};
    if (roll < 36) return ChangePassword{user_id(), password_hash()};
    if (roll < 61) {
      Hash256 secret = sha256("secret " + std::to_string(counter_++));
      return CreateKey{new_key_id(), user_id(), pick_from(kNames).raw, secret};
    }
    if (roll < 76) {
      auto [id, owner] = key_and_owner();
      return RenameKey{id, owner, pick_from(kNames).raw};
    }
    if (roll < 86) {
      auto [id, owner] = key_and_owner();
      return DeleteKey{id, owner, pick_from(kReasons).text};
    }
    auto [id, owner] = key_and_owner();
    (void)owner;
    const TimeNs used_at =
        1'700'000'000'000'000'000 + static_cast<TimeNs>(pick(2000)) * 1'000'000'000;
    return RecordKeyUse{id, pick_from(kIps).text, used_at};
  }

  int pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }

 private:
  template <typename T>
  const T& pick_from(const std::vector<T>& items) {
    return items[pick(static_cast<int>(items.size()))];
  }

  // Mostly valid ids, so that most users exist early on.
  std::string user_id() {
    if (pick(10) == 0) return pick_from(kUserIds).id;
    return kUserIds[pick(8)].id;
  }
  Privilege privilege() { return static_cast<Privilege>(pick(3)); }
  std::string password_hash() {
    if (pick(10) == 0) return "plain text password";
    return pick_from(hashes_);
  }
  std::string new_key_id() {
    if (pick(15) == 0) return pick_from(kBadKeyIds);
    return pool_key_id(pick(250));
  }
  // Mostly a live key with its real owner; sometimes a deleted key, a
  // stranger, or an id that may not exist.
  std::pair<std::string, std::string> key_and_owner() {
    const int roll = pick(10);
    if (roll < 7) {
      std::vector<const std::pair<const std::string, ModelKey>*> live;
      for (const auto& entry : model_.keys)
        if (!entry.second.deleted) live.push_back(&entry);
      if (!live.empty()) {
        const auto* entry = live[pick(static_cast<int>(live.size()))];
        return {entry->first, pick(10) < 9 ? entry->second.owner : user_id()};
      }
    }
    if (roll < 8 && !model_.keys.empty()) {
      auto it = model_.keys.begin();
      std::advance(it, pick(static_cast<int>(model_.keys.size())));
      return {it->first, it->second.owner};
    }
    return {pick(8) == 0 ? pick_from(kBadKeyIds) : pool_key_id(pick(250)), user_id()};
  }

  std::mt19937_64 rng_;
  const Model& model_;
  std::vector<std::string> hashes_;
  std::uint64_t counter_ = 0;
};

struct RunCounts {
  std::uint64_t accepted = 0;
  std::uint64_t rejected = 0;
  std::uint64_t bursts = 0;
};

// Sends `count` generated commands, some alone (execute) and some in bursts
// submitted back to back so that they share batches. Checks every answer
// against the model and that accepted commands get consecutive seqs.
void run_commands(TestLedger& ledger, Model& model, CommandGenerator& generator, int count,
                  RunCounts& counts) {
  std::uint64_t next_seq = ledger.log().head().seq + 1;
  int sent = 0;
  while (sent < count) {
    const int burst = generator.pick(3) == 0 ? std::min(count - sent, 2 + generator.pick(15)) : 1;
    std::vector<Command> commands;
    std::vector<std::future<StatusOr<CommittedEvent>>> futures;
    for (int i = 0; i < burst; ++i) {
      commands.push_back(generator.next());
      futures.push_back(ledger.writer().submit(
          commands.back(), EventOrigin{"system", "127.0.0.1", "prop-" + std::to_string(sent + i)}));
    }
    if (burst > 1) ++counts.bursts;
    for (int i = 0; i < burst; ++i) {
      auto result = futures[i].get();
      const bool expected = model.apply(commands[i]);
      INFO("command #" << sent + i << " of type index " << commands[i].index() << ": "
                       << result.status().to_string());
      REQUIRE(result.is_ok() == expected);
      if (result.is_ok()) {
        CHECK(result->seq == next_seq);
        ++next_seq;
        ++counts.accepted;
      } else {
        CHECK(result.status().code() != StatusCode::kUnavailable);
        CHECK(result.status().code() != StatusCode::kInternal);
        CHECK_FALSE(result.status().reason().empty());
        ++counts.rejected;
      }
    }
    sent += burst;
    if (generator.pick(4) == 0) ledger.clock().advance(generator.pick(5'000) * 1'000'000LL);
  }
}

void check_against_model(const projections::LedgerState& state, const Model& model,
                         TestLedger& ledger) {
  CHECK(state.users().size() == model.users.size());
  CHECK(state.key_count() == model.keys.size());
  for (const auto& [id, expected] : model.users) {
    INFO("user " << id);
    const UserRecord* user = state.find_user(id);
    REQUIRE(user != nullptr);
    CHECK(user->privilege == expected.privilege);
    CHECK(user->disabled == expected.disabled);
    CHECK(user->locked == expected.locked);
    CHECK(user->password_hash == expected.password_hash);
  }
  std::map<std::string, std::size_t> live_by_owner;
  for (const auto& [id, expected] : model.keys) {
    INFO("key " << id);
    std::optional<KeyRecord> key = state.find_key(id);
    REQUIRE(key.has_value());
    CHECK(key->owner == expected.owner);
    CHECK(key->name == expected.name);
    CHECK(key->deleted == expected.deleted);
    CHECK(key->last_used_ip == expected.last_used_ip);
    CHECK(key->last_used_at_ns == expected.last_used_at_ns);
    if (!expected.deleted) ++live_by_owner[expected.owner];
  }
  for (const auto& [id, user] : model.users) {
    std::size_t live = 0;
    for (const auto& key : ledger.projection().live_keys_of(id)) live += key.deleted ? 0 : 1;
    INFO("live keys of " << id);
    CHECK(live == live_by_owner[id]);
  }
}

// The three views of the state agree: in memory, stored, and replayed.
void check_views_agree(TestLedger& ledger, const projections::LedgerState& expected) {
  auto stored = projections::load_stored_state(ledger.log());
  INFO(stored.status().to_string());
  REQUIRE(stored.is_ok());
  auto rebuilt = projections::rebuild_from_log(ledger.log());
  INFO(rebuilt.status().to_string());
  REQUIRE(rebuilt.is_ok());
  INFO((rebuilt->chain.problem ? rebuilt->chain.problem->description : std::string("chain ok")));
  CHECK(rebuilt->chain.ok());
  CHECK(rebuilt->chain.head == ledger.log().head());
  CHECK(rebuilt->chain.events == ledger.log().head().seq);
  const std::string stored_vs_memory =
      keyledger::testing::state_difference(expected, *stored, "memory", "stored");
  CHECK(stored_vs_memory.empty());
  const std::string replay_vs_memory =
      keyledger::testing::state_difference(expected, rebuilt->state, "memory", "replay");
  CHECK(replay_vs_memory.empty());
}

void run_property(std::uint64_t seed, int commands) {
  SeededRandom random(seed);
  PasswordHasher hasher(random, keyledger::testing::kTestScryptCost);
  std::vector<std::string> hashes;
  for (const char* password : {"first password", "second password"}) {
    auto hash = hasher.hash(password);
    REQUIRE(hash.is_ok());
    hashes.push_back(*hash);
  }
  Model model;
  CommandGenerator generator(seed, model, hashes);
  RunCounts counts;
  TestLedger ledger(/*sync=*/false);

  // Half the commands, a restart (the projection comes back from disk), the rest.
  run_commands(ledger, model, generator, commands / 2, counts);
  ledger.reopen();
  run_commands(ledger, model, generator, commands - commands / 2, counts);
  const writer::WriterStats stats = ledger.writer().stats();
  CHECK(stats.commit_failures == 0);

  INFO("seed " << seed << ": " << counts.accepted << " accepted, " << counts.rejected
               << " rejected, " << counts.bursts << " bursts");
  // The generator must exercise both sides of the rules.
  CHECK(counts.accepted > static_cast<std::uint64_t>(commands) / 4);
  CHECK(counts.rejected > static_cast<std::uint64_t>(commands) / 10);
  CHECK(ledger.log().head().seq == counts.accepted);

  const projections::LedgerState memory = ledger.projection().snapshot();
  check_against_model(memory, model, ledger);
  check_views_agree(ledger, memory);

  ledger.reopen();
  const projections::LedgerState reopened = ledger.projection().snapshot();
  const std::string reopened_vs_before =
      keyledger::testing::state_difference(memory, reopened, "before", "reopened");
  CHECK(reopened_vs_before.empty());
  CHECK(ledger.log().head().seq == counts.accepted);
  check_views_agree(ledger, reopened);
  check_against_model(reopened, model, ledger);
}

}  // namespace

TEST_CASE("random command sequences leave memory, disk and replay in the same state as the model",
          "[storage][projections]") {
  const std::uint64_t seed = GENERATE(as<std::uint64_t>{}, 1, 7, 2024);
  INFO("seed " << seed);
  run_property(seed, 1500);
}
