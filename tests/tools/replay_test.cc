// `keyledger replay` on the scripted history: the state at a seq or a time
// equals what the script expects there, and --out writes a database that
// verify accepts, holding exactly that prefix.
#include <catch2/catch.hpp>
#include <future>
#include <string>
#include <vector>

#include "core/hash.h"
#include "storage/rocks_event_log.h"
#include "tests/support/raw_rocks.h"
#include "tests/tools/scripted_history.h"

using namespace keyledger;
using namespace keyledger::testing;
using nlohmann::json;

namespace {

std::vector<std::string> with(std::vector<std::string> args, const std::vector<std::string>& more) {
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

std::string verify_ok_output(std::uint64_t seq, const LogHead& head) {
  return "ok: " + std::to_string(seq) +
         " events, hash chain intact, stored projection equals replay\nhead seq " +
         std::to_string(head.seq) + " hash " + to_hex(head.hash) + "\n";
}

}  // namespace

TEST_CASE("replay --until-seq shows the state the script expects at that seq", "[tools][replay]") {
  ScriptedHistory history;
  for (std::uint64_t seq : {4, 8, 12, 16, 19, 21}) {
    auto result = history.run(with(
        {"replay", "--format", "json", "--until-seq", std::to_string(seq)}, history.data_args()));
    INFO("--until-seq " << seq << "\n" << result.err);
    REQUIRE(result.exit_code == 0);
    CHECK(parse_json(result.out) == expected_replay_rows(history.state_after(seq)));
    CHECK(result.err == "state as of seq " + std::to_string(seq) + "\n");
  }

  // Spot checks written out by hand, independent of the model.
  auto at_12 =
      history.run(with({"replay", "--format", "json", "--until-seq", "12"}, history.data_args()));
  REQUIRE(at_12.exit_code == 0);
  const json rows = parse_json(at_12.out);
  REQUIRE(rows.size() == 6);  // admin (no keys), alice ×2, bob ×2, carol ×1
  CHECK(rows[0] == json{{"user", "admin"},
                        {"privilege", "admin"},
                        {"user_status", "active"},
                        {"key_id", nullptr},
                        {"key_name", nullptr},
                        {"key_created_at", nullptr},
                        {"key_status", nullptr},
                        {"key_deleted_at", nullptr},
                        {"last_used_ip", nullptr},
                        {"last_used_at", nullptr}});
  CHECK(rows[1] == json{{"user", "alice"},
                        {"privilege", "user"},
                        {"user_status", "active"},
                        {"key_id", "aliceKey0001"},
                        {"key_name", "billing, v2"},
                        {"key_created_at", "2026-03-01T10:00:00.000Z"},
                        {"key_status", "live"},
                        {"key_deleted_at", nullptr},
                        {"last_used_ip", "10.0.0.5"},
                        {"last_used_at", "2026-03-02T07:59:58.000Z"}});
  CHECK(rows[3]["key_id"] == "bobKey000001");
  CHECK(rows[3]["key_status"] == "deleted");
  CHECK(rows[3]["key_deleted_at"] == "2026-03-02T12:00:00.000Z");
  CHECK(rows[5]["user"] == "carol");
  CHECK(rows[5]["privilege"] == "user");  // auditor only from seq 13

  // No bound: the whole log.
  auto whole = history.run(with({"replay", "--format", "json"}, history.data_args()));
  REQUIRE(whole.exit_code == 0);
  CHECK(parse_json(whole.out) ==
        expected_replay_rows(history.state_after(ScriptedHistory::kEvents)));
}

TEST_CASE("replay --at shows the state as of a date or an RFC 3339 time", "[tools][replay]") {
  ScriptedHistory history;
  struct Point {
    std::string at;
    std::uint64_t seq;  // the last event at or before `at`
  };
  const std::vector<Point> points = {
      {"2026-02-01", 0},
      {"2026-03-01T09:30:00Z", 4},
      {"2026-03-02", 8},
      {"2026-03-02T09:00:00Z", 10},  // exactly event 10's time: included
      {"2026-03-03T10:04:00Z", 14},
      {"2026-03-04T10:05:00Z", 19},       // alice is locked here
      {"2026-03-04T11:10:00+01:00", 20},  // 10:10Z: just unlocked
      {"2026-03-10", 21},
  };
  for (const auto& point : points) {
    auto result =
        history.run(with({"replay", "--format", "json", "--at", point.at}, history.data_args()));
    INFO("--at " << point.at << "\n" << result.err);
    REQUIRE(result.exit_code == 0);
    CHECK(parse_json(result.out) == expected_replay_rows(history.state_after(point.seq)));
    CHECK(result.err == "state as of seq " + std::to_string(point.seq) + "\n");
  }

  auto locked = history.run(
      with({"replay", "--format", "json", "--at", "2026-03-04T10:05:00Z"}, history.data_args()));
  REQUIRE(locked.exit_code == 0);
  bool saw_alice = false, saw_bob = false;
  const json rows = parse_json(locked.out);
  for (const auto& row : rows) {
    if (row["user"] == "alice") {
      saw_alice = true;
      CHECK(row["user_status"] == "locked");
    }
    if (row["user"] == "bob") {
      saw_bob = true;
      CHECK(row["user_status"] == "disabled");
    }
  }
  CHECK(saw_alice);
  CHECK(saw_bob);
}

TEST_CASE("replay prints CSV and tables too", "[tools][replay]") {
  ScriptedHistory history;
  auto csv =
      history.run(with({"replay", "--format", "csv", "--until-seq", "4"}, history.data_args()));
  REQUIRE(csv.exit_code == 0);
  CHECK(csv.out ==
        R"("user","privilege","user_status","key_id","key_name","key_created_at","key_status",)"
        R"("key_deleted_at","last_used_ip","last_used_at")"
        "\r\n"
        R"("admin","admin","active","","","","","","","")"
        "\r\n"
        R"("alice","user","active","","","","","","","")"
        "\r\n"
        R"("bob","user","active","","","","","","","")"
        "\r\n"
        R"("carol","user","active","","","","","","","")"
        "\r\n");
  auto csv_at_8 =
      history.run(with({"replay", "--format", "csv", "--until-seq", "8"}, history.data_args()));
  REQUIRE(csv_at_8.exit_code == 0);
  CHECK(csv_at_8.out.find(R"("bob","user","active","bobKey000002","'=cmd|'/c calc'!A1",)"
                          R"("2026-03-01T11:15:00.000Z","live","","","")"
                          "\r\n") != std::string::npos);
  auto csv_at_12 =
      history.run(with({"replay", "--format", "csv", "--until-seq", "12"}, history.data_args()));
  REQUIRE(csv_at_12.exit_code == 0);
  CHECK(
      csv_at_12.out.find(R"("bob","user","active","bobKey000001","backup",)"
                         R"("2026-03-01T11:00:00.000Z","deleted","2026-03-02T12:00:00.000Z","","")"
                         "\r\n") != std::string::npos);

  auto table =
      history.run(with({"replay", "--format", "table", "--until-seq", "4"}, history.data_args()));
  REQUIRE(table.exit_code == 0);
  CHECK(table.out ==
        "user   privilege  user_status  key_id  key_name  key_created_at  key_status  "
        "key_deleted_at  last_used_ip  last_used_at\n"
        "admin  admin      active\n"
        "alice  user       active\n"
        "bob    user       active\n"
        "carol  user       active\n");
}

TEST_CASE("replay --out writes a database holding exactly that prefix", "[tools][replay]") {
  ScriptedHistory history;
  TempDir out;

  SECTION("up to a seq") {
    const std::string target = (out / "at-12").string();
    auto written =
        history.run(with({"replay", "--until-seq", "12", "--out", target}, history.data_args()));
    INFO(written.err);
    REQUIRE(written.exit_code == 0);
    CHECK(written.out.empty());

    auto verified = history.run({"verify", "--data", target});
    INFO(verified.err);
    REQUIRE(verified.exit_code == 0);
    CHECK(verified.out == verify_ok_output(12, history.head_after(12)));

    auto replayed = history.run({"replay", "--format", "json", "--data", target});
    REQUIRE(replayed.exit_code == 0);
    CHECK(parse_json(replayed.out) == expected_replay_rows(history.state_after(12)));

    auto audited = history.run({"audit", "--format", "json", "--include-use", "--data", target});
    REQUIRE(audited.exit_code == 0);
    CHECK(parse_json(audited.out) == expected_audit_json({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}));

    // keyledgerd can open it read-write and carry on from there.
    {
      TestLedger reopened(std::filesystem::path(target) / "ledger", /*sync=*/false);
      CHECK(reopened.log().head() == history.head_after(12));
      reopened.clock().set(time_of("2026-04-01T00:00:00Z"));
      auto renamed =
          reopened.execute(RenameKey{"aliceKey0002", "alice", "after the copy"}, "alice");
      REQUIRE(renamed.is_ok());
      CHECK(renamed->seq == 13);
    }
    auto extended = history.run(
        {"verify", "--data", target, "--expect-head", to_hex(history.head_after(12).hash)});
    CHECK(extended.exit_code == 0);
  }

  SECTION("up to a time, while the source is open for writing") {
    history.open();
    const std::string target = (out / "at-time").string();
    auto written = history.run(
        with({"replay", "--at", "2026-03-03T10:04:00Z", "--out", target}, history.data_args()));
    INFO(written.err);
    REQUIRE(written.exit_code == 0);
    auto verified = history.run({"verify", "--data", target});
    REQUIRE(verified.exit_code == 0);
    CHECK(verified.out == verify_ok_output(14, history.head_after(14)));
    history.close();
  }

  SECTION("the whole log") {
    const std::string target = (out / "all").string();
    REQUIRE(history.run(with({"replay", "--out", target}, history.data_args())).exit_code == 0);
    auto verified = history.run({"verify", "--data", target});
    REQUIRE(verified.exit_code == 0);
    CHECK(verified.out ==
          verify_ok_output(ScriptedHistory::kEvents, history.head_after(ScriptedHistory::kEvents)));
  }

  SECTION("never into a folder that holds something") {
    auto refused = history.run(with(
        {"replay", "--until-seq", "3", "--out", history.data_dir().string()}, history.data_args()));
    CHECK(refused.exit_code == 2);
    CHECK(lines_of(refused.err).back().rfind("keyledger", 0) == 0);
    // The source is untouched.
    auto verified = history.run(with({"verify"}, history.data_args()));
    CHECK(verified.exit_code == 0);
  }
}

TEST_CASE("replay refuses a seq beyond the end of the log", "[tools][replay]") {
  ScriptedHistory history;
  auto result = history.run(with({"replay", "--until-seq", "22"}, history.data_args()));
  CHECK(result.exit_code == 2);
  CHECK(result.out.empty());
  CHECK(result.err.find("the log ends at seq 21") != std::string::npos);
}

TEST_CASE("replay --until-seq 0 is the empty state", "[tools][replay]") {
  ScriptedHistory history;
  auto empty =
      history.run(with({"replay", "--format", "json", "--until-seq", "0"}, history.data_args()));
  INFO(empty.err);
  REQUIRE(empty.exit_code == 0);
  CHECK(parse_json(empty.out) == json::array());
  CHECK(empty.err == "state as of seq 0\n");

  TempDir out;
  const std::string target = (out / "nothing").string();
  auto written =
      history.run(with({"replay", "--until-seq", "0", "--out", target}, history.data_args()));
  REQUIRE(written.exit_code == 0);
  auto verified = history.run({"verify", "--data", target});
  REQUIRE(verified.exit_code == 0);
  CHECK(verified.out == verify_ok_output(0, LogHead{}));
}

TEST_CASE("replay --out copies a log longer than one write batch", "[tools][replay]") {
  // 2 + 4,400 events: the copy is written in several batches of 4,096.
  TempDir dir;
  const auto data = dir / "data";
  std::filesystem::create_directories(data);
  {
    TestLedger ledger(data / "ledger", /*sync=*/false);
    ledger.create_user("alice");
    REQUIRE(
        ledger.execute(CreateKey{"aliceKey0001", "alice", "first", sha256("s")}, "alice").is_ok());
    std::vector<std::future<StatusOr<CommittedEvent>>> pending;
    for (int i = 0; i < 4400; ++i)
      pending.push_back(
          ledger.writer().submit(RenameKey{"aliceKey0001", "alice", "name " + std::to_string(i)},
                                 EventOrigin{"alice", "192.0.2.10", "bulk"}));
    for (auto& result : pending) REQUIRE(result.get().is_ok());
    REQUIRE(ledger.log().head().seq == 4402);
  }
  for (std::uint64_t until : {4099, 4402}) {
    const std::string target = (dir / ("copy-" + std::to_string(until))).string();
    auto written = run_keyledger(
        {"replay", "--until-seq", std::to_string(until), "--out", target, "--data", data.string()});
    INFO(written.err);
    REQUIRE(written.exit_code == 0);
    auto verified = run_keyledger({"verify", "--data", target});
    INFO(verified.out << verified.err);
    REQUIRE(verified.exit_code == 0);
    CHECK(verified.out.rfind("ok: " + std::to_string(until) + " events", 0) == 0);
    // The same head as the source has at that seq, and the same state.
    auto source_export = run_keyledger(
        {"export", "--after-seq", std::to_string(until - 1), "--data", data.string()});
    auto copy_export =
        run_keyledger({"export", "--after-seq", std::to_string(until - 1), "--data", target});
    REQUIRE(source_export.exit_code == 0);
    REQUIRE(copy_export.exit_code == 0);
    CHECK(lines_of(copy_export.out).size() == 1);
    CHECK(lines_of(copy_export.out).front() == lines_of(source_export.out).front());
    auto source_state = run_keyledger({"replay", "--format", "json", "--until-seq",
                                       std::to_string(until), "--data", data.string()});
    auto copy_state = run_keyledger({"replay", "--format", "json", "--data", target});
    REQUIRE(source_state.exit_code == 0);
    REQUIRE(copy_state.exit_code == 0);
    CHECK(copy_state.out == source_state.out);
    CHECK(parse_json(copy_state.out)[0]["key_name"] == "name " + std::to_string(until - 3));
  }
}

// The copy behind --out reads the log a second time; a damaged event is
// named with its seq and why (tests/tools/log_copy_test.cc covers the copy
// itself), never reported as "the log changed".
TEST_CASE("replay --out names an event that does not decode and writes nothing",
          "[tools][replay]") {
  ScriptedHistory history;
  RawRocks(history.db_path()).put("events", storage::event_key(5), "not an event");
  TempDir out;
  const std::string target = (out / "copy").string();
  auto result =
      history.run(with({"replay", "--until-seq", "12", "--out", target}, history.data_args()));
  CHECK(result.exit_code == 1);
  CHECK(result.out.empty());
  CHECK(result.err == "keyledger replay: event 5: event size is not a whole number of words\n");
  CHECK_FALSE(std::filesystem::exists(target));
}
