// What RocksEventLog::open accepts and refuses, and what a read-only
// instance may do.
#include <catch2/catch.hpp>
#include <fstream>
#include <iterator>
#include <map>
#include <random>
#include <string>

#include "core/chain_verifier.h"
#include "core/event_codec.h"
#include "storage/rocks_event_log.h"
#include "tests/support/files.h"
#include "tests/support/raw_rocks.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_ledger.h"

using namespace keyledger;
using keyledger::testing::TempDir;
using keyledger::testing::TestLedger;
using keyledger::testing::write_file;
namespace fs = std::filesystem;

namespace {

// Every file under `root` (relative path → contents).
std::map<std::string, std::string> folder_contents(const fs::path& root) {
  std::map<std::string, std::string> out;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    const std::string relative = fs::relative(entry.path(), root).string();
    if (entry.is_directory()) {
      out[relative + "/"] = "";
      continue;
    }
    std::ifstream in(entry.path(), std::ios::binary);
    out[relative] = std::string(std::istreambuf_iterator<char>(in), {});
  }
  return out;
}

std::string random_bytes(std::mt19937& rng, std::size_t size) {
  std::string out(size, '\0');
  for (auto& c : out) c = static_cast<char>(rng() & 0xff);
  return out;
}

void expect_not_a_ledger(const StatusOr<std::unique_ptr<storage::RocksEventLog>>& opened) {
  REQUIRE_FALSE(opened.is_ok());
  INFO(opened.status().to_string());
  CHECK(opened.status().code() == StatusCode::kFailedPrecondition);
  CHECK(opened.status().reason() == "not_a_keyledger_database");
}

std::uint64_t count_events(const EventLog& log) {
  std::uint64_t count = 0;
  REQUIRE(log.read_events(1,
                          [&](std::uint64_t, std::string_view) {
                            ++count;
                            return true;
                          })
              .is_ok());
  return count;
}

}  // namespace

TEST_CASE("a folder of unrelated files is refused and left exactly as it was", "[storage]") {
  const auto mode = GENERATE(storage::OpenMode::kReadWrite, storage::OpenMode::kReadOnly);
  INFO("mode " << static_cast<int>(mode));
  TempDir dir;
  const fs::path folder = dir / "photos";
  fs::create_directories(folder / "2023");
  std::mt19937 rng(3);
  write_file(folder / "notes.txt", "shopping list\n");
  write_file(folder / "image.bin", random_bytes(rng, 4096));
  write_file(folder / "2023" / "LOG", random_bytes(rng, 100));
  const auto before = folder_contents(folder);

  expect_not_a_ledger(storage::RocksEventLog::open(folder, {.mode = mode}));
  CHECK(folder_contents(folder) == before);
}

TEST_CASE("a folder of unrelated files that include one named CURRENT is refused untouched",
          "[storage]") {
  const auto mode = GENERATE(storage::OpenMode::kReadWrite, storage::OpenMode::kReadOnly);
  INFO("mode " << static_cast<int>(mode));
  TempDir dir;
  const fs::path folder = dir / "other-app";
  fs::create_directories(folder);
  std::mt19937 rng(4);
  write_file(folder / "CURRENT", "version 7 of my app\n");
  write_file(folder / "data.bin", random_bytes(rng, 1024));
  const auto before = folder_contents(folder);

  expect_not_a_ledger(storage::RocksEventLog::open(folder, {.mode = mode}));
  std::string added;
  for (const auto& [name, contents] : folder_contents(folder))
    if (!before.count(name)) added += " " + name;
  INFO("files added:" << added);
  CHECK(folder_contents(folder) == before);
}

TEST_CASE("a path that is a plain file is refused and left as it was", "[storage]") {
  TempDir dir;
  write_file(dir / "ledger", "not a folder");
  expect_not_a_ledger(storage::RocksEventLog::open(dir / "ledger", {}));
  CHECK(fs::is_regular_file(dir / "ledger"));
  CHECK(fs::file_size(dir / "ledger") == 12);
}

TEST_CASE("another application's RocksDB database is refused as not a keyledger database",
          "[storage]") {
  TempDir dir;
  keyledger::testing::create_foreign_rocksdb(dir / "foreign");
  for (auto mode : {storage::OpenMode::kReadOnly, storage::OpenMode::kReadWrite})
    expect_not_a_ledger(storage::RocksEventLog::open(dir / "foreign", {.mode = mode}));
  // It was not turned into a ledger along the way.
  CHECK(storage::RocksEventLog::open(dir / "foreign", {.mode = storage::OpenMode::kReadOnly})
            .status()
            .reason() == "not_a_keyledger_database");
}

TEST_CASE("read-only open of a missing folder fails and creates nothing", "[storage]") {
  TempDir dir;
  const fs::path missing = dir / "missing";
  auto opened = storage::RocksEventLog::open(missing, {.mode = storage::OpenMode::kReadOnly});
  REQUIRE_FALSE(opened.is_ok());
  CHECK(opened.status().reason() == "not_a_keyledger_database");
  CHECK_FALSE(fs::exists(missing));
}

TEST_CASE("read-only open of an empty folder fails and leaves it empty", "[storage]") {
  TempDir dir;
  fs::create_directories(dir / "empty");
  auto opened = storage::RocksEventLog::open(dir / "empty", {.mode = storage::OpenMode::kReadOnly});
  REQUIRE_FALSE(opened.is_ok());
  CHECK(fs::is_empty(dir / "empty"));
}

TEST_CASE("read-write open of a missing or empty folder creates an empty ledger", "[storage]") {
  TempDir dir;
  const fs::path path = GENERATE(as<std::string>{}, "new", "empty");
  if (path == "empty") fs::create_directories(dir.path() / path);
  {
    auto opened = storage::RocksEventLog::open(dir.path() / path, {});
    INFO(opened.status().to_string());
    REQUIRE(opened.is_ok());
    CHECK((*opened)->head() == LogHead{});
    CHECK(count_events(**opened) == 0);
    auto report = verify_chain(**opened);
    REQUIRE(report.is_ok());
    CHECK(report->ok());
    CHECK(report->events == 0);
  }
  // And it opens again, now as an existing ledger, also read-only.
  auto again =
      storage::RocksEventLog::open(dir.path() / path, {.mode = storage::OpenMode::kReadOnly});
  INFO(again.status().to_string());
  REQUIRE(again.is_ok());
  CHECK((*again)->head() == LogHead{});
}

TEST_CASE("a read-only instance refuses to append and changes nothing", "[storage]") {
  TempDir dir;
  const auto path = dir / "ledger";
  LogHead head;
  {
    TestLedger ledger(path, /*sync=*/false);
    ledger.create_user("alice");
    head = ledger.log().head();
  }
  auto opened = storage::RocksEventLog::open(path, {.mode = storage::OpenMode::kReadOnly});
  REQUIRE(opened.is_ok());
  auto& log = **opened;
  CHECK(log.head() == head);

  Event event{2, 1, EventOrigin{}, head.hash, UserCreated{"bob", Privilege::kUser, "scrypt$x"}};
  const std::string bytes = encode_event(event);
  const LogHead new_head{2, chain_hash(head.hash, bytes)};
  const std::vector<EncodedEvent> events{{2, bytes}};
  const std::vector<RecordChange> changes{{RecordTable::kUsers, "bob", std::string("x")}};
  Status appended = log.append(events, changes, new_head);
  INFO(appended.to_string());
  CHECK_FALSE(appended.is_ok());
  CHECK(appended.code() == StatusCode::kFailedPrecondition);
  CHECK(appended.reason() == "read_only");
  CHECK(log.head() == head);
  CHECK(count_events(log) == 1);

  opened = storage::RocksEventLog::open(path, {.mode = storage::OpenMode::kReadOnly});
  REQUIRE(opened.is_ok());
  CHECK((*opened)->head() == head);
}

TEST_CASE("a read-only instance reads the events while the writer keeps its handle open",
          "[storage]") {
  TestLedger ledger(/*sync=*/false);
  ledger.create_user("alice");
  ledger.create_user("bob");
  const LogHead head = ledger.log().head();

  auto reader = storage::RocksEventLog::open(ledger.path(), {.mode = storage::OpenMode::kReadOnly});
  INFO(reader.status().to_string());
  REQUIRE(reader.is_ok());
  CHECK((*reader)->head() == head);
  CHECK(count_events(**reader) == 2);
  auto report = verify_chain(**reader);
  REQUIRE(report.is_ok());
  CHECK(report->ok());

  // The writer goes on; the read-only instance keeps its consistent view.
  ledger.create_user("carol");
  CHECK(ledger.log().head().seq == 3);
  CHECK((*reader)->head() == head);
  report = verify_chain(**reader);
  REQUIRE(report.is_ok());
  CHECK(report->ok());
}

TEST_CASE("a second read-write open of a ledger in use is refused and harms nothing", "[storage]") {
  TestLedger ledger(/*sync=*/false);
  ledger.create_user("alice");
  auto second = storage::RocksEventLog::open(ledger.path(), {});
  REQUIRE_FALSE(second.is_ok());
  INFO(second.status().to_string());
  CHECK(second.status().code() == StatusCode::kUnavailable);
  ledger.create_user("bob");
  ledger.reopen();
  CHECK(ledger.log().head().seq == 2);
}

TEST_CASE("the meta records a format, and an unknown format is refused", "[storage]") {
  TempDir dir;
  const auto path = dir / "ledger";
  { TestLedger ledger(path, /*sync=*/false); }
  {
    keyledger::testing::RawRocks raw(path);
    CHECK(raw.get("meta", "format") == std::optional<std::string>("keyledger/1"));
    raw.put("meta", "format", "keyledger/99");
  }
  expect_not_a_ledger(storage::RocksEventLog::open(path, {}));
}
