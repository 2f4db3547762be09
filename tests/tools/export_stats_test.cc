// `keyledger export` and `keyledger stats` on the scripted history: one
// JSON line per event with stable fields, resumable with --after-seq, never
// a secret; and the numbers stats reports.
#include <algorithm>
#include <catch2/catch.hpp>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/hash.h"
#include "tests/tools/scripted_history.h"

using namespace keyledger;
using namespace keyledger::testing;
using nlohmann::json;

namespace {

std::vector<std::string> with(std::vector<std::string> args, const std::vector<std::string>& more) {
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

std::set<std::string> keys_of(const json& object) {
  std::set<std::string> keys;
  for (const auto& [key, value] : object.items()) keys.insert(key);
  return keys;
}

// The fields each event type exports, besides the common ones.
const std::map<std::string, std::set<std::string>>& fields_by_type() {
  static const std::map<std::string, std::set<std::string>> kFields = {
      {"user_created", {"user", "privilege"}},
      {"user_privilege_changed", {"user", "privilege"}},
      {"user_disabled", {"user"}},
      {"user_enabled", {"user"}},
      {"user_password_changed", {"user"}},
      {"user_locked", {"user", "reason"}},
      {"user_unlocked", {"user"}},
      {"key_created", {"key_id", "owner", "name"}},
      {"key_renamed", {"key_id", "name"}},
      {"key_deleted", {"key_id", "reason"}},
      {"key_used", {"key_id", "client_ip", "used_at"}},
  };
  return kFields;
}

// An absent value is null, never "".
json or_null(const std::string& text) { return text.empty() ? json(nullptr) : json(text); }

// The record `keyledger stats --format json` prints; REQUIREs one object.
json stats_of(const std::string& output) {
  const json record = parse_json(output);
  REQUIRE(record.is_object());
  return record;
}

}  // namespace

TEST_CASE("export writes one JSON line per event with stable fields", "[tools][export]") {
  ScriptedHistory history;
  auto result = history.run(with({"export"}, history.data_args()));
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  CHECK(result.err.empty());
  const auto lines = lines_of(result.out);
  REQUIRE(lines.size() == ScriptedHistory::kEvents);
  CHECK(result.out.back() == '\n');

  const std::set<std::string> common = {"seq",   "time",     "time_ns",    "type",
                                        "actor", "actor_ip", "request_id", "prev_hash"};
  for (std::uint64_t seq = 1; seq <= ScriptedHistory::kEvents; ++seq) {
    const std::string& line = lines[seq - 1];
    INFO("line " << seq << ": " << line);
    CHECK(line.find('\n') == std::string::npos);
    const json event = parse_json(line);
    REQUIRE(event.is_object());
    CHECK(event["seq"] == seq);
    CHECK(event["seq"].is_number_unsigned());
    CHECK(event["time"] == expected_audit_rows()[seq - 1].time);
    // Above 2^53, so a string that every JSON reader keeps exact.
    CHECK(event["time_ns"] == std::to_string(history.event_time(seq)));
    CHECK(event["type"] == expected_audit_rows()[seq - 1].action);
    CHECK(event["actor"] == expected_audit_rows()[seq - 1].actor);
    CHECK(event["actor_ip"] == or_null(expected_audit_rows()[seq - 1].actor_ip));
    CHECK(event["request_id"] == "req-" + std::to_string(seq));
    CHECK(event["prev_hash"] == to_hex(history.head_after(seq - 1).hash));
    const std::string type = event["type"];
    REQUIRE(fields_by_type().count(type) == 1);
    std::set<std::string> expected_keys = common;
    expected_keys.insert(fields_by_type().at(type).begin(), fields_by_type().at(type).end());
    CHECK(keys_of(event) == expected_keys);
  }

  // Whole lines, written out.
  CHECK(parse_json(lines[0]) == json{{"seq", 1},
                                     {"time", "2026-03-01T09:00:00.000Z"},
                                     {"time_ns", std::to_string(time_of("2026-03-01T09:00:00Z"))},
                                     {"type", "user_created"},
                                     {"actor", "system"},
                                     {"actor_ip", nullptr},
                                     {"request_id", "req-1"},
                                     {"prev_hash", std::string(64, '0')},
                                     {"user", "admin"},
                                     {"privilege", "admin"}});
  CHECK(parse_json(lines[7]) == json{{"seq", 8},
                                     {"time", "2026-03-01T11:15:00.000Z"},
                                     {"time_ns", std::to_string(time_of("2026-03-01T11:15:00Z"))},
                                     {"type", "key_created"},
                                     {"actor", "bob"},
                                     {"actor_ip", "198.51.100.7"},
                                     {"request_id", "req-8"},
                                     {"prev_hash", to_hex(history.head_after(7).hash)},
                                     {"key_id", "bobKey000002"},
                                     {"owner", "bob"},
                                     {"name", "=cmd|'/c calc'!A1"}});
  CHECK(parse_json(lines[14]) == json{{"seq", 15},
                                      {"time", "2026-03-03T10:05:00.000Z"},
                                      {"time_ns", std::to_string(time_of("2026-03-03T10:05:00Z"))},
                                      {"type", "key_used"},
                                      {"actor", "system"},
                                      {"actor_ip", nullptr},
                                      {"request_id", "req-15"},
                                      {"prev_hash", to_hex(history.head_after(14).hash)},
                                      {"key_id", "bobKey000002"},
                                      {"client_ip", "2001:db8::7"},
                                      {"used_at", "2026-03-03T10:04:59.250Z"}});
  // Written out as text too: a quoted time_ns, a bare seq.
  CHECK(lines[0].rfind("{\"seq\":1,\"time\":\"2026-03-01T09:00:00.000Z\",\"time_ns\":\"" +
                           std::to_string(time_of("2026-03-01T09:00:00Z")) +
                           "\",\"type\":\"user_created\",",
                       0) == 0);
  CHECK(result.out.find("password_hash") == std::string::npos);
  CHECK(result.out.find("secret") == std::string::npos);
}

TEST_CASE("export resumes after a seq, also while the ledger grows", "[tools][export]") {
  ScriptedHistory history;
  auto full = history.run(with({"export"}, history.data_args()));
  REQUIRE(full.exit_code == 0);
  const auto lines = lines_of(full.out);
  REQUIRE(lines.size() == ScriptedHistory::kEvents);

  auto from_zero = history.run(with({"export", "--after-seq", "0"}, history.data_args()));
  REQUIRE(from_zero.exit_code == 0);
  CHECK(from_zero.out == full.out);

  auto tail = history.run(with({"export", "--after-seq", "15"}, history.data_args()));
  REQUIRE(tail.exit_code == 0);
  CHECK(lines_of(tail.out) == std::vector<std::string>(lines.begin() + 15, lines.end()));

  for (const char* beyond : {"21", "1000", "18446744073709551615"}) {
    auto nothing = history.run(with({"export", "--after-seq", beyond}, history.data_args()));
    CHECK(nothing.exit_code == 0);
    CHECK(nothing.out.empty());
  }

  // A SIEM keeps exporting from the last seq it has while keyledgerd writes.
  TestLedger& ledger = history.open();
  ledger.clock().set(time_of("2026-03-07T08:00:00Z"));
  REQUIRE(ledger.execute(EnableUser{"bob"}, "admin").is_ok());
  REQUIRE(ledger.execute(DeleteKey{"bobKey000002", "bob", "cleanup"}, "bob").is_ok());
  auto more = history.run(with({"export", "--after-seq", "21"}, history.data_args()));
  REQUIRE(more.exit_code == 0);
  const auto new_lines = lines_of(more.out);
  REQUIRE(new_lines.size() == 2);
  CHECK(parse_json(new_lines[0])["seq"] == 22);
  CHECK(parse_json(new_lines[0])["type"] == "user_enabled");
  CHECK(parse_json(new_lines[1])["seq"] == 23);
  CHECK(parse_json(new_lines[1])["type"] == "key_deleted");
  CHECK(parse_json(new_lines[1])["reason"] == "cleanup");
  auto everything = history.run(with({"export"}, history.data_args()));
  REQUIRE(everything.exit_code == 0);
  CHECK(everything.out == full.out + more.out);
  history.close();
}

TEST_CASE("no tool ever prints a password hash or a secret hash", "[tools][secrets]") {
  ScriptedHistory history;
  REQUIRE_FALSE(history.secrets().empty());
  const std::vector<std::vector<std::string>> commands = {
      {"audit", "--format", "json", "--include-use"},
      {"audit", "--format", "csv", "--include-use"},
      {"audit", "--format", "table", "--include-use"},
      {"replay", "--format", "json"},
      {"replay", "--format", "csv"},
      {"replay", "--format", "table"},
      {"verify"},
      {"export"},
      {"stats", "--format", "json"},
      {"stats", "--format", "table"},
  };
  for (const auto& command : commands) {
    INFO(command.front());
    auto result = history.run(with(command, history.data_args()));  // run() checks the output
    CHECK(result.exit_code == 0);
    CHECK(result.out.find("scrypt") == std::string::npos);
  }
}

TEST_CASE("stats prints one record with typed fields, counting events by type, users and keys",
          "[tools][stats]") {
  ScriptedHistory history;
  auto result = history.run(with({"stats", "--format", "json"}, history.data_args()));
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  // In the order the table shows them, every event type present (0 when none).
  const auto ordered = nlohmann::ordered_json::parse(result.out);
  std::vector<std::string> fields;
  for (const auto& [name, value] : ordered.items()) fields.push_back(name);
  CHECK(fields == std::vector<std::string>{
                      "head_seq", "head_hash", "users", "users_disabled", "keys_live",
                      "keys_deleted", "log_bytes_on_disk", "events_key_created",
                      "events_key_deleted", "events_key_renamed", "events_key_used",
                      "events_user_created", "events_user_disabled", "events_user_enabled",
                      "events_user_locked", "events_user_password_changed",
                      "events_user_privilege_changed", "events_user_unlocked"});
  const json stats = stats_of(result.out);
  CHECK(stats["head_seq"] == 21);
  CHECK(stats["head_hash"] == to_hex(history.head_after(21).hash));
  CHECK(stats["users"] == 4);
  CHECK(stats["users_disabled"] == 1);
  CHECK(stats["keys_live"] == 4);
  CHECK(stats["keys_deleted"] == 2);
  CHECK(stats["log_bytes_on_disk"].is_number_unsigned());
  CHECK(stats["log_bytes_on_disk"] > 0);
  CHECK(stats["events_key_created"] == 6);
  CHECK(stats["events_key_deleted"] == 2);
  CHECK(stats["events_key_renamed"] == 2);
  CHECK(stats["events_key_used"] == 2);
  CHECK(stats["events_user_created"] == 4);
  CHECK(stats["events_user_disabled"] == 1);
  CHECK(stats["events_user_enabled"] == 0);
  CHECK(stats["events_user_locked"] == 1);
  CHECK(stats["events_user_password_changed"] == 1);
  CHECK(stats["events_user_privilege_changed"] == 1);
  CHECK(stats["events_user_unlocked"] == 1);

  auto csv = history.run(with({"stats", "--format", "csv"}, history.data_args()));
  REQUIRE(csv.exit_code == 0);
  CHECK(csv.out.rfind(R"("metric","value")"
                      "\r\n"
                      R"("head_seq","21")"
                      "\r\n"
                      R"("head_hash",")" +
                          to_hex(history.head_after(21).hash) + "\"\r\n" + R"("users","4")" +
                          "\r\n",
                      0) == 0);
  CHECK(csv.out.find(R"("events_user_enabled","0")") != std::string::npos);
  auto table = history.run(with({"stats", "--format", "table"}, history.data_args()));
  REQUIRE(table.exit_code == 0);
  CHECK(lines_of(table.out).size() == fields.size() + 1);
  std::size_t width = 0;
  for (const auto& field : fields) width = std::max(width, field.size());
  CHECK(table.out.find("\nhead_seq" + std::string(width - 8 + 2, ' ') + "21\n") !=
        std::string::npos);

  SECTION("of a prefix written by replay --out") {
    TempDir out;
    const std::string target = (out / "at-12").string();
    REQUIRE(history.run(with({"replay", "--until-seq", "12", "--out", target}, history.data_args()))
                .exit_code == 0);
    auto prefix = history.run({"stats", "--format", "json", "--data", target});
    REQUIRE(prefix.exit_code == 0);
    const json at_12 = stats_of(prefix.out);
    CHECK(at_12["head_seq"] == 12);
    CHECK(at_12["head_hash"] == to_hex(history.head_after(12).hash));
    CHECK(at_12["users"] == 4);
    CHECK(at_12["users_disabled"] == 0);
    CHECK(at_12["keys_live"] == 4);
    CHECK(at_12["keys_deleted"] == 1);
    CHECK(at_12["events_user_created"] == 4);
    CHECK(at_12["events_key_created"] == 5);
    CHECK(at_12["events_key_renamed"] == 1);
    CHECK(at_12["events_key_deleted"] == 1);
    CHECK(at_12["events_key_used"] == 1);
    CHECK(at_12["events_user_disabled"] == 0);
  }

  SECTION("beside a live writer") {
    TestLedger& ledger = history.open();
    ledger.clock().set(time_of("2026-03-08T00:00:00Z"));
    REQUIRE(ledger.execute(EnableUser{"bob"}, "admin").is_ok());
    auto live = history.run(with({"stats", "--format", "json"}, history.data_args()));
    REQUIRE(live.exit_code == 0);
    const json now = stats_of(live.out);
    CHECK(now["head_seq"] == 22);
    CHECK(now["head_hash"] == to_hex(ledger.log().head().hash));
    CHECK(now["users_disabled"] == 0);
    CHECK(now["events_user_enabled"] == 1);
    history.close();
  }
}

TEST_CASE("audit, export and stats give the same data the same names and types",
          "[tools][export][stats][audit]") {
  ScriptedHistory history;
  auto audit =
      history.run(with({"audit", "--format", "json", "--include-use"}, history.data_args()));
  auto exported = history.run(with({"export"}, history.data_args()));
  auto stats = history.run(with({"stats", "--format", "json"}, history.data_args()));
  REQUIRE(audit.exit_code == 0);
  REQUIRE(exported.exit_code == 0);
  REQUIRE(stats.exit_code == 0);
  const json rows = parse_json(audit.out);
  const auto lines = lines_of(exported.out);
  REQUIRE(rows.size() == lines.size());
  const json counts = stats_of(stats.out);
  std::map<std::string, int> by_type;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const json event = parse_json(lines[i]);
    const json& row = rows[i];
    INFO(lines[i] << "\n" << row.dump());
    CHECK(event["seq"] == row["seq"]);  // both numbers
    CHECK(event["type"] == row["action"]);
    CHECK(event["time"] == row["time"]);
    CHECK(event["actor"] == row["actor"]);
    CHECK(event["actor_ip"] == row["actor_ip"]);  // null, not "", for the server's own events
    for (const auto& field : {"key_id", "name", "privilege", "client_ip", "used_at", "reason"})
      if (event.contains(field)) CHECK(event[field] == row[field]);
    ++by_type[event["type"].get<std::string>()];
  }
  for (const auto& [type, count] : by_type) CHECK(counts["events_" + type] == count);
  // The stats record's own numbers are numbers, its hash a string.
  for (const auto& [name, value] : counts.items())
    CHECK((name == "head_hash" ? value.is_string() : value.is_number_unsigned()));
}
