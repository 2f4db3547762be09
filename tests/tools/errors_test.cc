// `keyledger` on bad input: bad arguments (exit 2), a missing or
// non-keyledger folder (exit 3), an unreadable or corrupt database (exit 4,
// or 1 where verify names the damage). Always one clear line on standard
// error, never a crash. And --help for every subcommand.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "storage/rocks_event_log.h"
#include "tests/support/files.h"
#include "tests/support/raw_rocks.h"
#include "tests/support/skip.h"
#include "tests/tools/scripted_history.h"

using namespace keyledger;
using namespace keyledger::testing;

namespace {

const std::vector<std::string> kSubcommands = {"audit", "replay", "verify", "export", "stats"};

std::vector<std::string> with(std::vector<std::string> args, const std::vector<std::string>& more) {
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

std::string shown(const std::vector<std::string>& args) {
  std::string text = "keyledger";
  for (const auto& arg : args) text += " " + arg;
  return text;
}

// No crash: a normal exit with a code the tool documents, nothing about
// aborts or exceptions on standard error.
void check_no_crash(const CommandResult& result) {
  CHECK(result.exit_code >= 0);
  CHECK(result.exit_code <= 5);
  CHECK_FALSE(result.signalled());
  CHECK(result.err.find("Aborted") == std::string::npos);
  CHECK(result.err.find("terminate called") == std::string::npos);
  CHECK(result.err.find("Segmentation") == std::string::npos);
}

// Exactly one line on standard error, starting "keyledger".
void check_one_line_error(const CommandResult& result) {
  const auto lines = lines_of(result.err);
  CHECK(lines.size() == 1);
  CHECK(result.err.rfind("keyledger", 0) == 0);
  CHECK((!result.err.empty() && result.err.back() == '\n'));
}

// A copy of the history's data folder, to damage.
std::filesystem::path copy_of(const ScriptedHistory& history, const TempDir& dir) {
  const auto target = dir.path() / "data";
  std::filesystem::copy(history.data_dir(), target, std::filesystem::copy_options::recursive);
  return target;
}

struct Damage {
  std::string what;
  std::function<void(const std::filesystem::path& db)> apply;
  int exit_code;
  int verify_exit_code = -1;  // -1: the same as exit_code
};

// Applies each damage to a fresh copy of the history and runs every
// subcommand on it.
void check_damages(const ScriptedHistory& history, const std::vector<Damage>& damages) {
  for (const auto& damage : damages) {
    TempDir dir;
    const auto data = copy_of(history, dir);
    damage.apply(data / "ledger");
    for (const auto& subcommand : kSubcommands) {
      const std::vector<std::string> args = {subcommand, "--data", data.string()};
      auto result = history.run(args);
      INFO(damage.what << "\n"
                       << shown(args) << "\nexit " << result.exit_code << "\nstdout: " << result.out
                       << "\nstderr: " << result.err);
      check_no_crash(result);
      if (subcommand == "verify" && damage.verify_exit_code == 1) {
        CHECK(result.exit_code == 1);
        CHECK(result.out == "FAILED: event 22: event is missing (the head names seq 99)\n");
        continue;
      }
      CHECK(result.exit_code == damage.exit_code);
      CHECK(result.out.empty());
      check_one_line_error(result);
    }
  }
}

}  // namespace

TEST_CASE("a missing or non-keyledger --data folder exits 3 with one line", "[tools][errors]") {
  TempDir dir;
  const auto missing = dir / "no-such-folder";

  const auto empty = dir / "empty";
  std::filesystem::create_directories(empty);

  const auto random_files = dir / "random";
  std::filesystem::create_directories(random_files / "sub");
  write_file(random_files / "notes.txt", "not a database\n");
  write_file(random_files / "sub" / "data.bin", std::string("\x00\x01\x02\xff", 4));

  const auto a_file = dir / "a-file";
  write_file(a_file, "just a file\n");

  const auto foreign = dir / "foreign";
  create_foreign_rocksdb(foreign);

  // keyledgerd's layout with an empty database folder (never started).
  const auto no_database = dir / "never-started";
  std::filesystem::create_directories(no_database / "ledger");
  write_file(no_database / "pepper", std::string(32, 'p'));

  for (const auto& folder : {missing, empty, random_files, a_file, foreign, no_database}) {
    for (const auto& subcommand : kSubcommands) {
      const std::vector<std::string> args = {subcommand, "--data", folder.string()};
      auto result = run_keyledger(args);
      INFO(shown(args) << "\nstdout: " << result.out << "\nstderr: " << result.err);
      check_no_crash(result);
      CHECK(result.exit_code == 3);
      CHECK(result.out.empty());
      check_one_line_error(result);
    }
  }
  // Nothing was created where nothing was.
  CHECK_FALSE(std::filesystem::exists(missing));
  CHECK(std::filesystem::is_empty(empty));
  CHECK(std::filesystem::is_empty(no_database / "ledger"));
}

TEST_CASE("bad arguments exit 2 with one line", "[tools][errors]") {
  ScriptedHistory history;
  const std::vector<std::vector<std::string>> cases = {
      {"audit", "--format", "xml"},
      {"replay", "--format", "xml"},
      {"stats", "--format", "xml"},
      {"audit", "--since", "garbage"},
      {"audit", "--until", "2026-13-01"},
      {"audit", "--since", "2026-03-01T10:00:00"},  // a time needs a zone
      {"audit", "--action", "frobnicated"},
      {"audit", "--action", "created,,deleted"},
      {"audit", "--action", "created,user-frobnicated"},
      {"audit", "--no-such-flag"},
      {"replay", "--until-seq", "3", "--at", "2026-03-02"},
      {"replay", "--until-seq", "0", "--at", "2026-03-02"},
      {"replay", "--at", "yesterday"},
      {"replay", "--until-seq", "abc"},
      {"replay", "--until-seq", "-1"},
      {"verify", "--expect-head", "not hex at all"},
      {"verify", "--expect-head", "abc123"},
      {"verify", "--expect-head", std::string(64, 'g')},
      {"export", "--after-seq", "minus one"},
      {"export", "--after-seq", "-1"},
      {"frobnicate"},
      {},
      {"--data", "somewhere"},
  };
  for (const auto& args : cases) {
    // A valid --data, so the arguments are the only problem.
    const auto full = args.empty() || args.front() == "frobnicate" || args.front() == "--data"
                          ? args
                          : with(args, history.data_args());
    auto result = run_keyledger(full);
    INFO(shown(full) << "\nstdout: " << result.out << "\nstderr: " << result.err);
    check_no_crash(result);
    CHECK(result.exit_code == 2);
    CHECK(result.out.empty());
    check_one_line_error(result);
  }
}

TEST_CASE("a bad value is refused with its option and what the option needs", "[tools][errors]") {
  ScriptedHistory history;
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"stats", "--format", "xml"}, "--format: must be table, json or csv, got 'xml'"},
      {{"audit", "--until", "2026-13-01"},
       "--until: must be RFC 3339 or YYYY-MM-DD, got '2026-13-01'"},
      {{"replay", "--at", "yesterday"}, "--at: must be RFC 3339 or YYYY-MM-DD, got 'yesterday'"},
      {{"verify", "--expect-head", "abc123"}, "--expect-head: must be 64 hex digits, got 'abc123'"},
      {{"export", "--after-seq", "-1"},
       "--after-seq: must be a whole number (0 or more), got '-1'"},
  };
  for (const auto& [args, message] : cases) {
    auto result = run_keyledger(with(args, history.data_args()));
    INFO(shown(args) << "\nstderr: " << result.err);
    CHECK(result.exit_code == 2);
    CHECK(result.out.empty());
    CHECK(result.err.find(message) != std::string::npos);
  }
}

TEST_CASE("each subcommand's --help exits 0 and shows examples", "[tools][errors]") {
  for (const auto& subcommand : kSubcommands) {
    auto result = run_keyledger({subcommand, "--help"});
    INFO(subcommand << "\n" << result.out << result.err);
    CHECK(result.exit_code == 0);
    CHECK(result.out.find("Examples") != std::string::npos);
    CHECK(result.out.find("--data") != std::string::npos);
    CHECK(result.err.empty());
  }
  auto top = run_keyledger({"--help"});
  CHECK(top.exit_code == 0);
  for (const auto& subcommand : kSubcommands) CHECK(top.out.find(subcommand) != std::string::npos);
  CHECK(top.out.find("Exit codes") != std::string::npos);
}

TEST_CASE("garbage bytes in the events never crash a tool", "[tools][errors][corrupt]") {
  ScriptedHistory history;
  std::mt19937_64 random(1234);
  std::string noise(96, '\0');
  for (auto& c : noise) c = static_cast<char>(random() & 0xff);
  const std::vector<std::pair<std::string, std::string>> garbage = {
      {"random bytes", noise},
      {"a word of zeros", std::string(8, '\0')},
      {"all ones", std::string(64, '\xff')},
      {"not a whole number of words", "garbage"},
      {"a huge segment count",
       std::string("\xff\xff\xff\x7f\x00\x00\x00\x00", 8) + std::string(32, 'x')},
      {"a huge segment size",
       std::string("\x00\x00\x00\x00\xff\xff\xff\x7f", 8) + std::string(24, '\x01')},
      {"empty", ""},
  };
  for (const auto& [what, bytes] : garbage) {
    for (std::uint64_t seq : {std::uint64_t{5}, ScriptedHistory::kEvents}) {
      TempDir dir;
      const auto data = copy_of(history, dir);
      RawRocks(data / "ledger").put("events", storage::event_key(seq), bytes);
      for (const auto& subcommand : kSubcommands) {
        const std::vector<std::string> args = {subcommand, "--data", data.string()};
        auto result = history.run(args);
        INFO(what << " in event " << seq << "\n"
                  << shown(args) << "\nexit " << result.exit_code << "\nstdout: " << result.out
                  << "\nstderr: " << result.err);
        check_no_crash(result);
        if (subcommand == "verify") {
          // verify reports the damage itself and names the event.
          CHECK(result.exit_code == 1);
          CHECK(result.out.rfind("FAILED: event " + std::to_string(seq) + ": ", 0) == 0);
          CHECK(lines_of(result.out).size() == 1);
          continue;
        }
        if (subcommand == "replay" && seq != ScriptedHistory::kEvents) {
          CHECK(result.exit_code == 1);
          CHECK(result.err.find("event " + std::to_string(seq) + ":") != std::string::npos);
          check_one_line_error(result);
          continue;
        }
        CHECK(result.exit_code == 4);
        check_one_line_error(result);
      }
    }
  }
}

TEST_CASE("an event missing from the log or stored under another seq is named by every tool",
          "[tools][errors][corrupt]") {
  ScriptedHistory history;
  const std::vector<std::pair<std::string, std::function<void(RawRocks&)>>> damages = {
      {"event 5 erased", [](RawRocks& raw) { raw.erase("events", storage::event_key(5)); }},
      {"event 7 stored as event 5",
       [](RawRocks& raw) {
         raw.put("events", storage::event_key(5), *raw.get("events", storage::event_key(7)));
       }},
  };
  for (const auto& [what, damage] : damages) {
    TempDir dir;
    const auto data = copy_of(history, dir);
    {
      RawRocks raw(data / "ledger");
      damage(raw);
    }
    for (const auto& subcommand : kSubcommands) {
      const std::vector<std::string> args = {subcommand, "--data", data.string()};
      auto result = history.run(args);
      INFO(what << "\n"
                << shown(args) << "\nexit " << result.exit_code << "\nstdout: " << result.out
                << "\nstderr: " << result.err);
      check_no_crash(result);
      if (subcommand == "verify") {
        CHECK(result.exit_code == 1);
        CHECK(result.out.rfind("FAILED: event 5: ", 0) == 0);
        continue;
      }
      // Replay finds it on its chain walk; audit, export and stats through
      // the event reader, where they used to go on past it.
      CHECK(result.exit_code == (subcommand == "replay" ? 1 : 4));
      // export streams: the events before the damage are out already.
      CHECK(lines_of(result.out).size() == (subcommand == "export" ? 4 : 0));
      check_one_line_error(result);
      CHECK(result.err.find("event 5: ") != std::string::npos);
    }
  }
}

TEST_CASE("a damaged database exits 4 (or 3 if it is not keyledger's) with one line",
          "[tools][errors][corrupt]") {
  ScriptedHistory history;
  const std::vector<Damage> damages = {
      {"a stored head that is too short",
       [](const std::filesystem::path& db) { RawRocks(db).put("meta", "head", "short"); }, 4},
      {"a stored head naming an event that is not there",
       [&](const std::filesystem::path& db) {
         std::string head = storage::event_key(99) + std::string(32, '\x01');
         RawRocks raw(db);
         raw.put("meta", "head", head);
         raw.put("meta", "projection_head", head);
       },
       4, /*verify: reports the missing event itself*/ 1},
      {"an event key that is not 8 bytes",
       [](const std::filesystem::path& db) { RawRocks(db).put("events", "zzz", "value"); }, 4},
      {"another format",
       [](const std::filesystem::path& db) { RawRocks(db).put("meta", "format", "keyledger/99"); },
       3},
  };
  check_damages(history, damages);
}

TEST_CASE("a database the user may not read exits 4", "[tools][errors][corrupt]") {
  // Permissions do not stop root: as root, the tool runs as 'nobody', from
  // a copy in a folder anyone may enter (the checkout may sit in a folder
  // only root may enter, such as one made by mktemp -d).
  std::vector<std::string> as_user;
  TempDir tool_dir;
  std::string tool = keyledger_tool_path();
  if (geteuid() == 0) {
    using std::filesystem::perms;
    std::filesystem::permissions(tool_dir.path(), perms::owner_all | perms::group_read |
                                                      perms::group_exec | perms::others_read |
                                                      perms::others_exec);
    tool = (tool_dir.path() / "keyledger").string();
    std::filesystem::copy_file(keyledger_tool_path(), tool);
    as_user = {"/usr/sbin/runuser", "-u", "nobody", "--"};
    const bool can_drop =
        std::filesystem::exists(as_user.front()) &&
        run_command(as_user.front(), {"-u", "nobody", "--", tool, "--help"}).exit_code == 0;
    if (!can_drop) KEYLEDGER_SKIP("running as root without a way to run the tool as 'nobody'");
  }
  auto run = [&](const std::vector<std::string>& args) {
    if (as_user.empty()) return run_keyledger(args);
    std::vector<std::string> full(as_user.begin() + 1, as_user.end());
    full.push_back(tool);
    full.insert(full.end(), args.begin(), args.end());
    return run_command(as_user.front(), full);
  };
  using std::filesystem::perms;
  ScriptedHistory history;
  TempDir dir;
  const auto data = copy_of(history, dir);
  // Everyone may reach and read the copy ...
  std::filesystem::permissions(dir.path(), perms::owner_all | perms::group_read |
                                               perms::group_exec | perms::others_read |
                                               perms::others_exec);
  for (const auto& entry : std::filesystem::recursive_directory_iterator(data))
    std::filesystem::permissions(
        entry.path(),
        perms::group_read | perms::others_read |
            (entry.is_directory() ? perms::group_exec | perms::others_exec : perms::none),
        std::filesystem::perm_options::add);
  std::filesystem::permissions(data, perms::owner_all | perms::group_read | perms::group_exec |
                                         perms::others_read | perms::others_exec);
  auto readable = run({"verify", "--data", data.string()});
  INFO("verify of a readable copy: " << readable.out << readable.err);
  REQUIRE(readable.exit_code == 0);

  // ... except the database folder itself.
  std::filesystem::permissions(data / "ledger", perms::none);
  for (const auto& subcommand : kSubcommands) {
    const std::vector<std::string> args = {subcommand, "--data", data.string()};
    auto result = run(args);
    INFO(shown(args) << "\nstderr: " << result.err);
    check_no_crash(result);
    CHECK(result.exit_code == 4);
    CHECK(result.out.empty());
    check_one_line_error(result);
    CHECK(result.err.find("Permission denied") != std::string::npos);
  }
  // And a data folder the user may not enter at all.
  std::filesystem::permissions(data, perms::none);
  auto shut = run({"audit", "--data", (data / "ledger").string()});
  CHECK(shut.exit_code == 4);
  check_one_line_error(shut);
  std::filesystem::permissions(data, perms::owner_all);
  std::filesystem::permissions(data / "ledger", perms::owner_all);
}

// Storage decides what a folder is. It currently lists the column families
// first and reads any failure to do so as "not a keyledger database" (exit
// 3), so damaged RocksDB files are reported as a foreign folder rather than
// as a damaged database (exit 4). Kept to the documented exit code, and
// allowed to fail until storage passes the listing error on.
TEST_CASE("a database whose RocksDB files are damaged exits 4", "[tools][errors][corrupt]") {
  ScriptedHistory history;
  const std::vector<Damage> damages = {
      {"a CURRENT file holding garbage",
       [](const std::filesystem::path& db) {
         write_file(db / "CURRENT", "garbage without newline");
       },
       4},
      {"a CURRENT naming a missing manifest",
       [](const std::filesystem::path& db) { write_file(db / "CURRENT", "MANIFEST-999999\n"); }, 4},
      {"an unreadable CURRENT (a folder)",
       [](const std::filesystem::path& db) {
         std::filesystem::remove(db / "CURRENT");
         std::filesystem::create_directories(db / "CURRENT");
       },
       4},
  };
  check_damages(history, damages);
}
