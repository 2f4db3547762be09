#include "tests/tools/scripted_history.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cctype>
#include <cstdlib>

#include "core/hash.h"
#include "core/password_hasher.h"
#include "core/random.h"
#include "core/time_format.h"

namespace keyledger::testing {
namespace {

// The script's view of each command, folded into the model. Deliberately
// written without projections/: it is what the script expects to happen.
struct ModelApply {
  ModelState& state;
  std::string time;

  void operator()(const CreateUser& c) {
    state.users[c.user_id] = ModelUser{std::string(privilege_name(c.privilege))};
  }
  void operator()(const ChangePrivilege& c) {
    state.users.at(c.user_id).privilege = privilege_name(c.privilege);
  }
  void operator()(const DisableUser& c) { state.users.at(c.user_id).disabled = true; }
  void operator()(const EnableUser& c) { state.users.at(c.user_id).disabled = false; }
  void operator()(const ChangePassword&) {}
  void operator()(const LockUser& c) { state.users.at(c.user_id).locked = true; }
  void operator()(const UnlockUser& c) { state.users.at(c.user_id).locked = false; }
  void operator()(const CreateKey& c) {
    // The script's names are already trimmed except where it says so.
    std::string name = c.name;
    while (!name.empty() && name.front() == ' ') name.erase(name.begin());
    while (!name.empty() && name.back() == ' ') name.pop_back();
    state.keys[c.key_id] = ModelKey{c.owner, name, time, "", "", ""};
    state.keys_of[c.owner].push_back(c.key_id);
  }
  void operator()(const RenameKey& c) { state.keys.at(c.key_id).name = c.name; }
  void operator()(const DeleteKey& c) { state.keys.at(c.key_id).deleted = time; }
  void operator()(const RecordKeyUse& c) {
    auto& key = state.keys.at(c.key_id);
    key.last_used_ip = c.client_ip;
    key.last_used_at = format_rfc3339(c.used_at_ns);
  }
};

Hash256 secret_hash_of(const std::string& key_id) { return sha256("secret of " + key_id); }

std::string upper(std::string text) {
  for (auto& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

}  // namespace

CommandResult run_keyledger(const std::vector<std::string>& args) {
  return run_command(keyledger_tool_path(), args);
}

TimeNs time_of(const std::string& text) {
  auto time = parse_rfc3339_or_date(text);
  INFO(text);
  REQUIRE(time.has_value());
  return *time;
}

const std::vector<std::string>& audit_columns() {
  static const std::vector<std::string> kColumns = {"seq",       "time",      "action",  "actor",
                                                    "actor_ip",  "owner",     "key_id",  "name",
                                                    "privilege", "client_ip", "used_at", "reason"};
  return kColumns;
}

std::vector<std::string> ExpectedAuditRow::cells() const {
  return {std::to_string(seq), time,      action,  actor, actor_ip, owner, key_id, name,
          privilege,           client_ip, used_at, reason};
}

const std::vector<ExpectedAuditRow>& expected_audit_rows() {
  // seq, time, action, actor, actor_ip, owner, key_id, name, privilege,
  // client_ip, used_at, reason
  static const std::vector<ExpectedAuditRow> kRows = {
      {1, "2026-03-01T09:00:00.000Z", "user_created", "system", "", "admin", "", "", "admin", "",
       "", ""},
      {2, "2026-03-01T09:01:00.000Z", "user_created", "admin", "203.0.113.1", "alice", "", "",
       "user", "", "", ""},
      {3, "2026-03-01T09:02:00.000Z", "user_created", "admin", "203.0.113.1", "bob", "", "", "user",
       "", "", ""},
      {4, "2026-03-01T09:03:00.000Z", "user_created", "admin", "203.0.113.1", "carol", "", "",
       "user", "", "", ""},
      {5, "2026-03-01T10:00:00.000Z", "key_created", "alice", "192.0.2.10", "alice", "aliceKey0001",
       "billing", "", "", "", ""},
      {6, "2026-03-01T10:30:00.250Z", "key_created", "alice", "192.0.2.10", "alice", "aliceKey0002",
       "deploy bot", "", "", "", ""},
      {7, "2026-03-01T11:00:00.000Z", "key_created", "bob", "198.51.100.7", "bob", "bobKey000001",
       "backup", "", "", "", ""},
      {8, "2026-03-01T11:15:00.000Z", "key_created", "bob", "198.51.100.7", "bob", "bobKey000002",
       "=cmd|'/c calc'!A1", "", "", "", ""},
      {9, "2026-03-02T08:00:00.000Z", "key_used", "system", "", "alice", "aliceKey0001", "", "",
       "10.0.0.5", "2026-03-02T07:59:58.000Z", ""},
      {10, "2026-03-02T09:00:00.000Z", "key_renamed", "alice", "192.0.2.10", "alice",
       "aliceKey0001", "billing, v2", "", "", "", ""},
      {11, "2026-03-02T09:30:00.000Z", "key_created", "carol", "192.0.2.33", "carol",
       "carolKey0001", "Zürich café", "", "", "", ""},
      {12, "2026-03-02T12:00:00.000Z", "key_deleted", "bob", "198.51.100.7", "bob", "bobKey000001",
       "", "", "", "", "rotated"},
      {13, "2026-03-03T09:00:00.000Z", "user_privilege_changed", "admin", "203.0.113.1", "carol",
       "", "", "auditor", "", "", ""},
      {14, "2026-03-03T10:00:00.000Z", "key_created", "alice", "192.0.2.10", "alice",
       "aliceKey0003", "say \"hi\"", "", "", "", ""},
      {15, "2026-03-03T10:05:00.000Z", "key_used", "system", "", "bob", "bobKey000002", "", "",
       "2001:db8::7", "2026-03-03T10:04:59.250Z", ""},
      {16, "2026-03-03T11:00:00.000Z", "key_deleted", "alice", "192.0.2.10", "alice",
       "aliceKey0003", "", "", "", "", "+1 leaked"},
      {17, "2026-03-04T09:00:00.000Z", "user_disabled", "admin", "203.0.113.1", "bob", "", "", "",
       "", "", ""},
      {18, "2026-03-04T09:30:00.000Z", "key_renamed", "alice", "192.0.2.10", "alice",
       "aliceKey0002", "deploy bot (prod)", "", "", "", ""},
      {19, "2026-03-04T10:00:00.000Z", "user_locked", "system", "", "alice", "", "", "", "", "",
       "10 failed sign-ins"},
      {20, "2026-03-04T10:10:00.000Z", "user_unlocked", "admin", "203.0.113.1", "alice", "", "", "",
       "", "", ""},
      {21, "2026-03-05T09:00:00.000Z", "user_password_changed", "carol", "192.0.2.33", "carol", "",
       "", "", "", "", ""},
  };
  return kRows;
}

ScriptedHistory::ScriptedHistory()
    : dir_(std::make_unique<TempDir>()), data_dir_(dir_->path() / "data") {
  std::filesystem::create_directories(data_dir_);
  build();
}

ScriptedHistory::~ScriptedHistory() { close(); }

TestLedger& ScriptedHistory::open() {
  if (!ledger_) ledger_ = std::make_unique<TestLedger>(db_path(), /*sync=*/false);
  return *ledger_;
}

void ScriptedHistory::close() { ledger_.reset(); }

void ScriptedHistory::build() {
  TestLedger& ledger = open();
  SeededRandom random(7);
  PasswordHasher hasher(random, kTestScryptCost);
  auto password_hash = [&](const std::string& password) {
    auto hash = hasher.hash(password);
    REQUIRE(hash.is_ok());
    secrets_.push_back(*hash);
    return *hash;
  };
  auto new_key = [&](const std::string& key_id, const std::string& owner, const std::string& name) {
    const Hash256 hash = secret_hash_of(key_id);
    secrets_.push_back(to_hex(hash));
    secrets_.push_back(upper(to_hex(hash)));
    return CreateKey{key_id, owner, name, hash};
  };
  heads_.push_back(ledger.log().head());
  times_.push_back(0);
  states_.emplace_back();
  auto step = [&](const std::string& time, const std::string& actor, const std::string& actor_ip,
                  Command command) {
    const std::uint64_t seq = heads_.size();
    ledger.clock().set(time_of(time));
    ModelState next = states_.back();
    std::visit(ModelApply{next, format_rfc3339(time_of(time))}, command);
    auto result = ledger.writer().execute(
        std::move(command), EventOrigin{actor, actor_ip, "req-" + std::to_string(seq)});
    INFO("script step " << seq << ": " << result.status().to_string());
    REQUIRE(result.is_ok());
    REQUIRE(result->seq == seq);
    REQUIRE(result->time_ns == time_of(time));
    heads_.push_back(ledger.log().head());
    times_.push_back(time_of(time));
    states_.push_back(std::move(next));
  };
  const std::string admin_ip = "203.0.113.1", alice_ip = "192.0.2.10", bob_ip = "198.51.100.7",
                    carol_ip = "192.0.2.33";
  step("2026-03-01T09:00:00Z", "system", "",
       CreateUser{"admin", Privilege::kAdmin, password_hash("admin password")});
  step("2026-03-01T09:01:00Z", "admin", admin_ip,
       CreateUser{"alice", Privilege::kUser, password_hash("alice password")});
  step("2026-03-01T09:02:00Z", "admin", admin_ip,
       CreateUser{"bob", Privilege::kUser, password_hash("bob password")});
  step("2026-03-01T09:03:00Z", "admin", admin_ip,
       CreateUser{"carol", Privilege::kUser, password_hash("carol password")});
  step("2026-03-01T10:00:00Z", "alice", alice_ip, new_key("aliceKey0001", "alice", "billing"));
  step("2026-03-01T10:30:00.250Z", "alice", alice_ip,
       new_key("aliceKey0002", "alice", "deploy bot"));
  step("2026-03-01T11:00:00Z", "bob", bob_ip, new_key("bobKey000001", "bob", "  backup  "));
  step("2026-03-01T11:15:00Z", "bob", bob_ip, new_key("bobKey000002", "bob", "=cmd|'/c calc'!A1"));
  step("2026-03-02T08:00:00Z", "system", "",
       RecordKeyUse{"aliceKey0001", "10.0.0.5", time_of("2026-03-02T07:59:58Z")});
  step("2026-03-02T09:00:00Z", "alice", alice_ip,
       RenameKey{"aliceKey0001", "alice", "billing, v2"});
  step("2026-03-02T09:30:00Z", "carol", carol_ip, new_key("carolKey0001", "carol", "Zürich café"));
  step("2026-03-02T12:00:00Z", "bob", bob_ip, DeleteKey{"bobKey000001", "bob", "rotated"});
  step("2026-03-03T09:00:00Z", "admin", admin_ip, ChangePrivilege{"carol", Privilege::kAuditor});
  step("2026-03-03T10:00:00Z", "alice", alice_ip, new_key("aliceKey0003", "alice", "say \"hi\""));
  step("2026-03-03T10:05:00Z", "system", "",
       RecordKeyUse{"bobKey000002", "2001:db8::7", time_of("2026-03-03T10:04:59.250Z")});
  step("2026-03-03T11:00:00Z", "alice", alice_ip, DeleteKey{"aliceKey0003", "alice", "+1 leaked"});
  step("2026-03-04T09:00:00Z", "admin", admin_ip, DisableUser{"bob"});
  step("2026-03-04T09:30:00Z", "alice", alice_ip,
       RenameKey{"aliceKey0002", "alice", "deploy bot (prod)"});
  step("2026-03-04T10:00:00Z", "system", "", LockUser{"alice", "10 failed sign-ins"});
  step("2026-03-04T10:10:00Z", "admin", admin_ip, UnlockUser{"alice"});
  step("2026-03-05T09:00:00Z", "carol", carol_ip,
       ChangePassword{"carol", password_hash("carol's new password")});
  REQUIRE(ledger.log().head().seq == kEvents);
  REQUIRE(expected_audit_rows().size() == kEvents);
  close();
}

CommandResult ScriptedHistory::run(const std::vector<std::string>& args) const {
  CommandResult result = run_keyledger(args);
  check_no_secrets(result.out, secrets_);
  check_no_secrets(result.err, secrets_);
  return result;
}

void check_no_secrets(const std::string& text, const std::vector<std::string>& secrets) {
  CHECK(text.find("scrypt$") == std::string::npos);
  for (const auto& secret : secrets) {
    INFO("a secret or password hash appears in the output: " << secret);
    CHECK(text.find(secret) == std::string::npos);
  }
}

nlohmann::json expected_replay_rows(const ModelState& state) {
  auto or_null = [](const std::string& text) {
    return text.empty() ? nlohmann::json(nullptr) : nlohmann::json(text);
  };
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& [user_id, user] : state.users) {  // std::map: sorted by id
    const std::string status = user.disabled ? "disabled" : user.locked ? "locked" : "active";
    nlohmann::json base = {{"user", user_id},         {"privilege", user.privilege},
                           {"user_status", status},   {"key_id", nullptr},
                           {"key_name", nullptr},     {"key_created_at", nullptr},
                           {"key_status", nullptr},   {"key_deleted_at", nullptr},
                           {"last_used_ip", nullptr}, {"last_used_at", nullptr}};
    auto owned = state.keys_of.find(user_id);
    if (owned == state.keys_of.end()) {
      rows.push_back(base);
      continue;
    }
    for (const auto& key_id : owned->second) {
      const ModelKey& key = state.keys.at(key_id);
      nlohmann::json row = base;
      row["key_id"] = key_id;
      row["key_name"] = key.name;
      row["key_created_at"] = key.created;
      row["key_status"] = key.deleted.empty() ? "live" : "deleted";
      row["key_deleted_at"] = or_null(key.deleted);
      row["last_used_ip"] = or_null(key.last_used_ip);
      row["last_used_at"] = or_null(key.last_used_at);
      rows.push_back(std::move(row));
    }
  }
  return rows;
}

nlohmann::json expected_audit_json(const std::vector<std::uint64_t>& seqs) {
  nlohmann::json rows = nlohmann::json::array();
  for (std::uint64_t seq : seqs) {
    const auto cells = expected_audit_rows().at(seq - 1).cells();
    nlohmann::json row = nlohmann::json::object();
    for (std::size_t i = 0; i < cells.size(); ++i)
      row[audit_columns()[i]] =
          cells[i].empty() ? nlohmann::json(nullptr) : nlohmann::json(cells[i]);
    row["seq"] = seq;  // a number; every other cell is text or null
    rows.push_back(std::move(row));
  }
  return rows;
}

std::vector<std::uint64_t> seqs_of(const nlohmann::json& rows) {
  std::vector<std::uint64_t> seqs;
  for (const auto& row : rows) seqs.push_back(row.at("seq").get<std::uint64_t>());
  return seqs;
}

nlohmann::json parse_json(const std::string& text) {
  nlohmann::json parsed = nlohmann::json::parse(text, nullptr, false);
  INFO("not JSON: " << text);
  REQUIRE_FALSE(parsed.is_discarded());
  return parsed;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

}  // namespace keyledger::testing
