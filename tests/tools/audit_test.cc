// `keyledger audit` on the scripted history: the exact rows in JSON, CSV
// and table form, every filter, spreadsheet-formula safety, and reading
// beside a live writer.
#include <algorithm>
#include <catch2/catch.hpp>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
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

std::vector<std::uint64_t> all_but_uses() {
  std::vector<std::uint64_t> seqs;
  for (std::uint64_t seq = 1; seq <= ScriptedHistory::kEvents; ++seq)
    if (seq != 9 && seq != 15) seqs.push_back(seq);
  return seqs;
}

std::vector<std::uint64_t> every_seq() {
  std::vector<std::uint64_t> seqs;
  for (std::uint64_t seq = 1; seq <= ScriptedHistory::kEvents; ++seq) seqs.push_back(seq);
  return seqs;
}

// The cells of one CRLF-terminated CSV line in which every cell is quoted
// (RFC 4180, "" for a quote); nullopt if a cell is not quoted.
std::optional<std::vector<std::string>> quoted_csv_cells(const std::string& line) {
  if (line.size() < 3 || line.back() != '\r') return std::nullopt;
  std::vector<std::string> cells;
  std::size_t i = 0;
  const std::size_t end = line.size() - 1;
  while (true) {
    if (i >= end || line[i] != '"') return std::nullopt;
    std::string cell;
    for (++i;; ++i) {
      if (i >= end) return std::nullopt;
      if (line[i] != '"') {
        cell += line[i];
      } else if (i + 1 < end && line[i + 1] == '"') {
        cell += '"';
        ++i;
      } else {
        break;
      }
    }
    cells.push_back(cell);
    ++i;  // past the closing quote
    if (i == end) return cells;
    if (line[i] != ',') return std::nullopt;
    ++i;
  }
}

std::string crlf_lines(const std::vector<std::string>& lines) {
  std::string text;
  for (const auto& line : lines) text += line + "\r\n";
  return text;
}

}  // namespace

TEST_CASE("audit prints the exact rows of the history as JSON", "[tools][audit]") {
  ScriptedHistory history;

  auto plain = history.run(with({"audit"}, history.data_args()));
  INFO(plain.err);
  REQUIRE(plain.exit_code == 0);
  // Not a terminal: JSON by default; uses are left out unless asked for.
  const json rows = parse_json(plain.out);
  CHECK(rows == expected_audit_json(all_but_uses()));

  auto explicit_json = history.run(with({"audit", "--format", "json"}, history.data_args()));
  REQUIRE(explicit_json.exit_code == 0);
  CHECK(explicit_json.out == plain.out);

  auto with_use =
      history.run(with({"audit", "--format", "json", "--include-use"}, history.data_args()));
  REQUIRE(with_use.exit_code == 0);
  const json all_rows = parse_json(with_use.out);
  CHECK(all_rows == expected_audit_json(every_seq()));
  // Spot checks of the exact shape, independent of the helper.
  REQUIRE(all_rows.size() == 21);
  CHECK(all_rows[8] == json{{"seq", 9},
                            {"time", "2026-03-02T08:00:00.000Z"},
                            {"action", "key_used"},
                            {"actor", "system"},
                            {"actor_ip", nullptr},
                            {"owner", "alice"},
                            {"key_id", "aliceKey0001"},
                            {"name", nullptr},
                            {"privilege", nullptr},
                            {"client_ip", "10.0.0.5"},
                            {"used_at", "2026-03-02T07:59:58.000Z"},
                            {"reason", nullptr}});
  CHECK(all_rows[12]["action"] == "user_privilege_changed");
  CHECK(all_rows[12]["seq"].is_number_unsigned());
  CHECK(all_rows[12]["privilege"] == "auditor");
  CHECK(all_rows[6]["name"] == "backup");  // trimmed when created

  // The database folder itself works as --data too.
  auto direct = history.run({"audit", "--format", "json", "--data", history.db_path().string()});
  REQUIRE(direct.exit_code == 0);
  CHECK(direct.out == plain.out);
}

TEST_CASE("audit CSV quotes every cell, is exact and CRLF-terminated", "[tools][audit]") {
  ScriptedHistory history;
  auto csv = history.run(with({"audit", "--format", "csv", "--include-use"}, history.data_args()));
  INFO(csv.err);
  REQUIRE(csv.exit_code == 0);
  const std::string expected = crlf_lines({
      R"csv("seq","time","action","actor","actor_ip","owner","key_id","name","privilege","client_ip","used_at","reason")csv",
      R"csv("1","2026-03-01T09:00:00.000Z","user_created","system","","admin","","","admin","","","")csv",
      R"csv("2","2026-03-01T09:01:00.000Z","user_created","admin","203.0.113.1","alice","","","user","","","")csv",
      R"csv("3","2026-03-01T09:02:00.000Z","user_created","admin","203.0.113.1","bob","","","user","","","")csv",
      R"csv("4","2026-03-01T09:03:00.000Z","user_created","admin","203.0.113.1","carol","","","user","","","")csv",
      R"csv("5","2026-03-01T10:00:00.000Z","key_created","alice","192.0.2.10","alice","aliceKey0001","billing","","","","")csv",
      R"csv("6","2026-03-01T10:30:00.250Z","key_created","alice","192.0.2.10","alice","aliceKey0002","deploy bot","","","","")csv",
      R"csv("7","2026-03-01T11:00:00.000Z","key_created","bob","198.51.100.7","bob","bobKey000001","backup","","","","")csv",
      R"csv("8","2026-03-01T11:15:00.000Z","key_created","bob","198.51.100.7","bob","bobKey000002","'=cmd|'/c calc'!A1","","","","")csv",
      R"csv("9","2026-03-02T08:00:00.000Z","key_used","system","","alice","aliceKey0001","","","10.0.0.5","2026-03-02T07:59:58.000Z","")csv",
      R"csv("10","2026-03-02T09:00:00.000Z","key_renamed","alice","192.0.2.10","alice","aliceKey0001","billing, v2","","","","")csv",
      R"csv("11","2026-03-02T09:30:00.000Z","key_created","carol","192.0.2.33","carol","carolKey0001","Zürich café","","","","")csv",
      R"csv("12","2026-03-02T12:00:00.000Z","key_deleted","bob","198.51.100.7","bob","bobKey000001","","","","","rotated")csv",
      R"csv("13","2026-03-03T09:00:00.000Z","user_privilege_changed","admin","203.0.113.1","carol","","","auditor","","","")csv",
      R"csv("14","2026-03-03T10:00:00.000Z","key_created","alice","192.0.2.10","alice","aliceKey0003","say ""hi""","","","","")csv",
      R"csv("15","2026-03-03T10:05:00.000Z","key_used","system","","bob","bobKey000002","","","2001:db8::7","2026-03-03T10:04:59.250Z","")csv",
      R"csv("16","2026-03-03T11:00:00.000Z","key_deleted","alice","192.0.2.10","alice","aliceKey0003","","","","","'+1 leaked")csv",
      R"csv("17","2026-03-04T09:00:00.000Z","user_disabled","admin","203.0.113.1","bob","","","","","","")csv",
      R"csv("18","2026-03-04T09:30:00.000Z","key_renamed","alice","192.0.2.10","alice","aliceKey0002","deploy bot (prod)","","","","")csv",
      R"csv("19","2026-03-04T10:00:00.000Z","user_locked","system","","alice","","","","","","10 failed sign-ins")csv",
      R"csv("20","2026-03-04T10:10:00.000Z","user_unlocked","admin","203.0.113.1","alice","","","","","","")csv",
      R"csv("21","2026-03-05T09:00:00.000Z","user_password_changed","carol","192.0.2.33","carol","","","","","","")csv",
  });
  CHECK(csv.out == expected);
  // The formula-looking name is never a cell starting with '='.
  CHECK(csv.out.find(",=cmd") == std::string::npos);
  CHECK(csv.out.find(",\"=cmd") == std::string::npos);

  SECTION("a filter that matches nothing prints the header only") {
    auto empty =
        history.run(with({"audit", "--format", "csv", "--user", "carol", "--action", "key_deleted"},
                         history.data_args()));
    REQUIRE(empty.exit_code == 0);
    CHECK(
        empty.out ==
        R"csv("seq","time","action","actor","actor_ip","owner","key_id","name","privilege","client_ip","used_at","reason")csv"
        "\r\n");
  }
}

TEST_CASE("audit CSV neutralises formulas after leading white space, whatever the separator",
          "[tools][audit]") {
  // Names and reasons that a spreadsheet would run, written through the
  // real write path (which trims names but keeps a reason as given).
  TempDir dir;
  const auto data = dir / "data";
  std::filesystem::create_directories(data);
  {
    TestLedger ledger(data / "ledger", /*sync=*/false);
    ledger.clock().set(time_of("2026-04-01T10:00:00Z"));
    ledger.create_user("dora");
    const std::vector<std::pair<std::string, std::string>> keys = {
        {"doraKey00001", "x;=1+1"},
        {"doraKey00002", "-2"},
        {"doraKey00003", "@SUM(A1:A9)"},
        {"doraKey00004",
         "\xEF\xBC\x9D"
         "1+1"},  // full-width =
        {"doraKey00005", "say \"=1\", ok"},
        {"doraKey00006", "plain"}};
    for (const auto& [key_id, name] : keys)
      REQUIRE(ledger.execute(CreateKey{key_id, "dora", name, sha256(key_id)}, "dora").is_ok());
    for (const auto& [key_id, reason] :
         std::vector<std::pair<std::string, std::string>>{{"doraKey00001", " =cmd|' /C calc'!A0"},
                                                          {"doraKey00002", "   +1"},
                                                          {"doraKey00003", "\xE3\x80\x80@x"},
                                                          {"doraKey00006", "a=b"}})
      REQUIRE(ledger.execute(DeleteKey{key_id, "dora", reason}, "dora").is_ok());
  }
  auto csv = run_keyledger({"audit", "--format", "csv", "--data", data.string(), "--user", "dora",
                            "--action", "key_created,key_deleted"});
  INFO(csv.err << csv.out);
  REQUIRE(csv.exit_code == 0);
  const auto lines = lines_of(csv.out);
  REQUIRE(lines.size() == 11);  // the header, 6 creations, 4 deletions
  std::vector<std::vector<std::string>> rows;
  for (const auto& line : lines) {
    auto cells = quoted_csv_cells(line);
    REQUIRE(cells.has_value());  // every cell quoted
    REQUIRE(cells->size() == 12);
    rows.push_back(*cells);
  }
  const std::size_t name = 7, reason = 11;
  CHECK(rows[1][name] == "x;=1+1");  // quoted, so a ';' separator cannot split it
  CHECK(rows[2][name] == "'-2");
  CHECK(rows[3][name] == "'@SUM(A1:A9)");
  CHECK(rows[4][name] ==
        "'\xEF\xBC\x9D"
        "1+1");
  CHECK(rows[5][name] == "say \"=1\", ok");
  CHECK(rows[6][name] == "plain");
  CHECK(rows[7][reason] == "' =cmd|' /C calc'!A0");
  CHECK(rows[8][reason] == "'   +1");
  CHECK(rows[9][reason] == "'\xE3\x80\x80@x");  // after an ideographic space
  CHECK(rows[10][reason] == "a=b");
}

TEST_CASE("audit table columns line up, counting characters rather than bytes", "[tools][audit]") {
  ScriptedHistory history;
  auto table =
      history.run(with({"audit", "--format", "table", "--user", "carol"}, history.data_args()));
  INFO(table.err);
  REQUIRE(table.exit_code == 0);
  const auto lines = lines_of(table.out);
  REQUIRE(lines.size() == 5);
  CHECK(lines[0] ==
        "seq  time                      action                  actor  actor_ip     owner  key_id  "
        "      name         privilege  client_ip  used_at  reason");
  CHECK(lines[1] ==
        "4    2026-03-01T09:03:00.000Z  user_created            admin  203.0.113.1  carol          "
        "                   user");
  CHECK(lines[2] ==
        "11   2026-03-02T09:30:00.000Z  key_created             carol  192.0.2.33   carol  "
        "carolKey0001  Zürich café");
  CHECK(lines[3] ==
        "13   2026-03-03T09:00:00.000Z  user_privilege_changed  admin  203.0.113.1  carol          "
        "                   auditor");
  CHECK(lines[4] ==
        "21   2026-03-05T09:00:00.000Z  user_password_changed   carol  192.0.2.33   carol");

  auto empty = history.run(
      with({"audit", "--format", "table", "--key", "carolKey0001", "--action", "key_deleted"},
           history.data_args()));
  REQUIRE(empty.exit_code == 0);
  CHECK(empty.out ==
        "seq  time  action  actor  actor_ip  owner  key_id  name  privilege  client_ip  used_at  "
        "reason\n");
}

TEST_CASE("audit filters select exactly the matching rows", "[tools][audit]") {
  ScriptedHistory history;
  struct Case {
    std::vector<std::string> args;
    std::vector<std::uint64_t> seqs;
  };
  const std::vector<Case> cases = {
      {{"--key", "aliceKey0001"}, {5, 10}},
      {{"--key", "aliceKey0001", "--include-use"}, {5, 9, 10}},
      {{"--key", "bobKey000001", "--since", "2026-03-03"}, {}},
      {{"--user", "bob"}, {3, 7, 8, 12, 17}},
      {{"--user", "bob", "--include-use"}, {3, 7, 8, 12, 15, 17}},
      {{"--user", "alice"}, {2, 5, 6, 10, 14, 16, 18, 19, 20}},
      {{"--actor", "admin"}, {2, 3, 4, 13, 17, 20}},
      {{"--actor", "system"}, {1, 19}},
      {{"--actor", "system", "--include-use"}, {1, 9, 15, 19}},
      {{"--actor", "bob", "--action", "user_*"}, {}},
      {{"--action", "key_deleted"}, {12, 16}},
      {{"--action", "key_created,key_renamed"}, {5, 6, 7, 8, 10, 11, 14, 18}},
      {{"--action", "user_*"}, {1, 2, 3, 4, 13, 17, 19, 20, 21}},
      {{"--action", "key_*"}, {5, 6, 7, 8, 9, 10, 11, 12, 14, 15, 16, 18}},
      {{"--action", "key_deleted,user_*"}, {1, 2, 3, 4, 12, 13, 16, 17, 19, 20, 21}},
      {{"--action", "key_used"}, {9, 15}},
      {{"--action", "user_disabled,user_privilege_changed"}, {13, 17}},
      {{"--action", "user_locked,user_unlocked,user_password_changed"}, {19, 20, 21}},
      // Older spellings are still read.
      {{"--action", "deleted"}, {12, 16}},
      {{"--action", "created,renamed"}, {5, 6, 7, 8, 10, 11, 14, 18}},
      {{"--action", "used"}, {9, 15}},
      {{"--action", "deleted,user-*"}, {1, 2, 3, 4, 12, 13, 16, 17, 19, 20, 21}},
      {{"--action", "user-locked,user-unlocked,user-password-changed"}, {19, 20, 21}},
      {{"--action", "password_changed"}, {21}},
      {{"--since", "2026-03-02", "--until", "2026-03-03"}, {10, 11, 12}},
      {{"--since", "2026-03-02", "--until", "2026-03-03", "--include-use"}, {9, 10, 11, 12}},
      // Since is inclusive, until exclusive; offsets are honoured
      // (09:30+01:00 is 08:30Z).
      {{"--since", "2026-03-03T10:00:00Z", "--until", "2026-03-04T09:30:00+01:00"}, {14, 16}},
      {{"--since", "2026-03-03T10:00:00Z", "--until", "2026-03-04T09:30:00+01:00", "--include-use"},
       {14, 15, 16}},
      {{"--since", "2026-03-01T10:30:00.250Z", "--until", "2026-03-01T11:15:00Z"}, {6, 7}},
      {{"--since", "2026-03-04T10:00:00+00:00"}, {19, 20, 21}},
      {{"--until", "2026-03-01T09:01:00Z"}, {1}},
      {{"--since", "2026-03-06"}, {}},
      {{"--user", "alice", "--action", "key_renamed"}, {10, 18}},
      {{"--user", "alice", "--actor", "system", "--include-use"}, {9, 19}},
      {{"--key", "aliceKey0002", "--since", "2026-03-02"}, {18}},
      {{"--user", "carol", "--action", "user_*", "--actor", "admin"}, {4, 13}},
  };
  for (const auto& c : cases) {
    std::vector<std::string> args = {"audit", "--format", "json"};
    args.insert(args.end(), c.args.begin(), c.args.end());
    args = with(args, history.data_args());
    auto result = history.run(args);
    std::string shown;
    for (const auto& arg : c.args) shown += arg + " ";
    INFO("keyledger audit " << shown << "\n" << result.err);
    REQUIRE(result.exit_code == 0);
    const json rows = parse_json(result.out);
    CHECK(seqs_of(rows) == c.seqs);
    CHECK(rows == expected_audit_json(c.seqs));
  }
}

TEST_CASE("audit reads a ledger that is open for writing, and sees later appends",
          "[tools][audit]") {
  ScriptedHistory history;
  TestLedger& ledger = history.open();
  auto before =
      history.run(with({"audit", "--format", "json", "--include-use"}, history.data_args()));
  INFO(before.err);
  REQUIRE(before.exit_code == 0);
  CHECK(parse_json(before.out) == expected_audit_json(every_seq()));

  ledger.clock().set(time_of("2026-03-06T12:00:00Z"));
  auto renamed = ledger.writer().execute(RenameKey{"carolKey0001", "carol", "reports"},
                                         EventOrigin{"carol", "192.0.2.33", "req-22"});
  REQUIRE(renamed.is_ok());
  auto after = history.run(
      with({"audit", "--format", "json", "--since", "2026-03-06"}, history.data_args()));
  REQUIRE(after.exit_code == 0);
  const json rows = parse_json(after.out);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0]["seq"] == 22);
  CHECK(rows[0]["action"] == "key_renamed");
  CHECK(rows[0]["owner"] == "carol");
  CHECK(rows[0]["name"] == "reports");
  CHECK(rows[0]["time"] == "2026-03-06T12:00:00.000Z");
  history.close();
}

TEST_CASE("audit says there is no such user, actor or key rather than printing nothing",
          "[tools][audit]") {
  ScriptedHistory history;
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"--user", "nobody"}, "keyledger audit: --user: no such user 'nobody' in this ledger\n"},
      {{"--actor", "nobody"}, "keyledger audit: --actor: no such user 'nobody' in this ledger\n"},
      {{"--key", "nosuchkey000"},
       "keyledger audit: --key: no such key 'nosuchkey000' in this ledger\n"},
      // Ids are case-sensitive, and a time window does not make a user exist.
      {{"--user", "Alice"}, "keyledger audit: --user: no such user 'Alice' in this ledger\n"},
      {{"--user", "nobody", "--since", "2026-03-06"},
       "keyledger audit: --user: no such user 'nobody' in this ledger\n"},
  };
  for (const auto& format : {"json", "csv", "table"}) {
    for (const auto& c : cases) {
      std::vector<std::string> args = {"audit", "--format", format};
      args.insert(args.end(), c.args.begin(), c.args.end());
      auto result = history.run(with(args, history.data_args()));
      INFO(format << " " << c.args.front() << " " << c.args[1]);
      CHECK(result.exit_code == 2);
      CHECK(result.out.empty());
      CHECK(result.err == c.message);
    }
  }
  // Users and keys that exist but match nothing are an empty answer, and
  // 'system' is always an actor.
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"--user", "admin", "--action", "key_*"},
        {"--key", "bobKey000001", "--action", "key_renamed"},
        {"--actor", "system", "--action", "key_created"}}) {
    auto result = history.run(with(with({"audit", "--format", "json"}, args), history.data_args()));
    INFO(args.front() << " " << args[1]);
    CHECK(result.exit_code == 0);
    CHECK(parse_json(result.out) == json::array());
  }
}

TEST_CASE("audit --action accepts exactly the names audit prints and its help lists",
          "[tools][audit]") {
  ScriptedHistory history;
  auto help = run_keyledger({"audit", "--help"});
  REQUIRE(help.exit_code == 0);
  const std::string intro = "Comma-separated actions: ";
  const auto start = help.out.find(intro);
  const auto end = help.out.find(", or key_*", start);
  REQUIRE(start != std::string::npos);
  REQUIRE(end != std::string::npos);
  std::set<std::string> listed;
  const std::string list = help.out.substr(start + intro.size(), end - start - intro.size());
  for (std::size_t at = 0; at < list.size();) {
    const std::size_t comma = std::min(list.find(',', at), list.size());
    listed.insert(list.substr(at, comma - at));
    at = comma + 1;
  }
  CHECK(listed == std::set<std::string>{"key_created", "key_deleted", "key_renamed", "key_used",
                                        "user_created", "user_disabled", "user_enabled",
                                        "user_locked", "user_password_changed",
                                        "user_privilege_changed", "user_unlocked"});

  auto all = history.run(with({"audit", "--format", "json", "--include-use"}, history.data_args()));
  REQUIRE(all.exit_code == 0);
  std::map<std::string, std::vector<std::uint64_t>> seqs_by_action;
  for (const auto& row : parse_json(all.out))
    seqs_by_action[row["action"].get<std::string>()].push_back(row["seq"].get<std::uint64_t>());
  for (const auto& action : listed) {
    auto only =
        history.run(with({"audit", "--format", "json", "--action", action}, history.data_args()));
    INFO(action << ": " << only.err);
    REQUIRE(only.exit_code == 0);
    CHECK(seqs_of(parse_json(only.out)) == seqs_by_action[action]);  // none for user_enabled
  }
  for (const auto& [action, seqs] : seqs_by_action) CHECK(listed.count(action) == 1);
}
