// `keyledger audit` on the scripted history: the exact rows in JSON, CSV
// and table form, every filter, spreadsheet-formula safety, and reading
// beside a live writer.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

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
  CHECK(all_rows[8] == json{{"seq", "9"},
                            {"time", "2026-03-02T08:00:00.000Z"},
                            {"action", "used"},
                            {"actor", "system"},
                            {"actor_ip", nullptr},
                            {"owner", "alice"},
                            {"key_id", "aliceKey0001"},
                            {"name", nullptr},
                            {"privilege", nullptr},
                            {"client_ip", "10.0.0.5"},
                            {"used_at", "2026-03-02T07:59:58.000Z"},
                            {"reason", nullptr}});
  CHECK(all_rows[12]["action"] == "user-privilege-changed");
  CHECK(all_rows[12]["privilege"] == "auditor");
  CHECK(all_rows[6]["name"] == "backup");  // trimmed when created

  // The database folder itself works as --data too.
  auto direct = history.run({"audit", "--format", "json", "--data", history.db_path().string()});
  REQUIRE(direct.exit_code == 0);
  CHECK(direct.out == plain.out);
}

TEST_CASE("audit CSV is exact, CRLF-terminated and safe to open in a spreadsheet",
          "[tools][audit]") {
  ScriptedHistory history;
  auto csv = history.run(with({"audit", "--format", "csv", "--include-use"}, history.data_args()));
  INFO(csv.err);
  REQUIRE(csv.exit_code == 0);
  const std::string expected = crlf_lines({
      "seq,time,action,actor,actor_ip,owner,key_id,name,privilege,client_ip,used_at,reason",
      "1,2026-03-01T09:00:00.000Z,user-created,system,,admin,,,admin,,,",
      "2,2026-03-01T09:01:00.000Z,user-created,admin,203.0.113.1,alice,,,user,,,",
      "3,2026-03-01T09:02:00.000Z,user-created,admin,203.0.113.1,bob,,,user,,,",
      "4,2026-03-01T09:03:00.000Z,user-created,admin,203.0.113.1,carol,,,user,,,",
      "5,2026-03-01T10:00:00.000Z,created,alice,192.0.2.10,alice,aliceKey0001,billing,,,,",
      "6,2026-03-01T10:30:00.250Z,created,alice,192.0.2.10,alice,aliceKey0002,deploy bot,,,,",
      "7,2026-03-01T11:00:00.000Z,created,bob,198.51.100.7,bob,bobKey000001,backup,,,,",
      "8,2026-03-01T11:15:00.000Z,created,bob,198.51.100.7,bob,bobKey000002,\"'=cmd|'/c "
      "calc'!A1\",,,,",
      "9,2026-03-02T08:00:00.000Z,used,system,,alice,aliceKey0001,,,10.0.0.5,2026-03-02T07:59:58."
      "000Z,",
      "10,2026-03-02T09:00:00.000Z,renamed,alice,192.0.2.10,alice,aliceKey0001,\"billing, v2\",,,,",
      "11,2026-03-02T09:30:00.000Z,created,carol,192.0.2.33,carol,carolKey0001,Zürich café,,,,",
      "12,2026-03-02T12:00:00.000Z,deleted,bob,198.51.100.7,bob,bobKey000001,,,,,rotated",
      "13,2026-03-03T09:00:00.000Z,user-privilege-changed,admin,203.0.113.1,carol,,,auditor,,,",
      "14,2026-03-03T10:00:00.000Z,created,alice,192.0.2.10,alice,aliceKey0003,\"say "
      "\"\"hi\"\"\",,,,",
      "15,2026-03-03T10:05:00.000Z,used,system,,bob,bobKey000002,,,2001:db8::7,2026-03-03T10:04:59."
      "250Z,",
      "16,2026-03-03T11:00:00.000Z,deleted,alice,192.0.2.10,alice,aliceKey0003,,,,,\"'+1 leaked\"",
      "17,2026-03-04T09:00:00.000Z,user-disabled,admin,203.0.113.1,bob,,,,,,",
      "18,2026-03-04T09:30:00.000Z,renamed,alice,192.0.2.10,alice,aliceKey0002,deploy bot "
      "(prod),,,,",
      "19,2026-03-04T10:00:00.000Z,user-locked,system,,alice,,,,,,10 failed sign-ins",
      "20,2026-03-04T10:10:00.000Z,user-unlocked,admin,203.0.113.1,alice,,,,,,",
      "21,2026-03-05T09:00:00.000Z,user-password-changed,carol,192.0.2.33,carol,,,,,,",
  });
  CHECK(csv.out == expected);
  // The formula-looking name is never a bare cell starting with '='.
  CHECK(csv.out.find(",=cmd") == std::string::npos);
  CHECK(csv.out.find("\"'=cmd|'/c calc'!A1\"") != std::string::npos);

  SECTION("a filter that matches nothing prints the header only") {
    auto empty =
        history.run(with({"audit", "--format", "csv", "--user", "nobody"}, history.data_args()));
    REQUIRE(empty.exit_code == 0);
    CHECK(
        empty.out ==
        "seq,time,action,actor,actor_ip,owner,key_id,name,privilege,client_ip,used_at,reason\r\n");
  }
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
        "4    2026-03-01T09:03:00.000Z  user-created            admin  203.0.113.1  carol          "
        "                   user");
  CHECK(lines[2] ==
        "11   2026-03-02T09:30:00.000Z  created                 carol  192.0.2.33   carol  "
        "carolKey0001  Zürich café");
  CHECK(lines[3] ==
        "13   2026-03-03T09:00:00.000Z  user-privilege-changed  admin  203.0.113.1  carol          "
        "                   auditor");
  CHECK(lines[4] ==
        "21   2026-03-05T09:00:00.000Z  user-password-changed   carol  192.0.2.33   carol");

  auto empty = history.run(
      with({"audit", "--format", "table", "--key", "nosuchkey000"}, history.data_args()));
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
      {{"--key", "nosuchkey000"}, {}},
      {{"--user", "bob"}, {3, 7, 8, 12, 17}},
      {{"--user", "bob", "--include-use"}, {3, 7, 8, 12, 15, 17}},
      {{"--user", "alice"}, {2, 5, 6, 10, 14, 16, 18, 19, 20}},
      {{"--actor", "admin"}, {2, 3, 4, 13, 17, 20}},
      {{"--actor", "system"}, {1, 19}},
      {{"--actor", "system", "--include-use"}, {1, 9, 15, 19}},
      {{"--action", "deleted"}, {12, 16}},
      {{"--action", "created,renamed"}, {5, 6, 7, 8, 10, 11, 14, 18}},
      {{"--action", "user-*"}, {1, 2, 3, 4, 13, 17, 19, 20, 21}},
      {{"--action", "deleted,user-*"}, {1, 2, 3, 4, 12, 13, 16, 17, 19, 20, 21}},
      {{"--action", "used"}, {9, 15}},
      {{"--action", "user-disabled,user-privilege-changed"}, {13, 17}},
      {{"--action", "user-locked,user-unlocked,user-password-changed"}, {19, 20, 21}},
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
      {{"--user", "alice", "--action", "renamed"}, {10, 18}},
      {{"--user", "alice", "--actor", "system", "--include-use"}, {9, 19}},
      {{"--key", "aliceKey0002", "--since", "2026-03-02"}, {18}},
      {{"--user", "carol", "--action", "user-*", "--actor", "admin"}, {4, 13}},
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
  CHECK(rows[0]["seq"] == "22");
  CHECK(rows[0]["action"] == "renamed");
  CHECK(rows[0]["owner"] == "carol");
  CHECK(rows[0]["name"] == "reports");
  CHECK(rows[0]["time"] == "2026-03-06T12:00:00.000Z");
  history.close();
}
