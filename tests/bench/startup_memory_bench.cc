// Start-up time and memory with many live keys. Builds a ledger of `keys`
// live keys once, then per run: raw RocksDB open + full iteration of every
// column family (the reference: the least any start must read), keyledgerd
// started on it until GET /readyz answers 200 and its resident memory then,
// and an empty keyledgerd's resident memory. Prints two Markdown tables.
//
//   keyledger_bench_startup_memory [--keys N] [--runs R]
#include <rocksdb/db.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>
#include <future>
#include <stdexcept>
#include <thread>

#include "core/random.h"
#include "core/token.h"
#include "projections/live_projection.h"
#include "projections/stored_projection.h"
#include "server/writer/group_commit_writer.h"
#include "storage/rocks_event_log.h"
#include "tests/bench/bench_common.h"
#include "tests/support/http_client.h"
#include "tests/support/temp_dir.h"

namespace {

using namespace keyledger;
using bench::seconds_since;

// `keys` live keys spread over keys/1000 + 1 users, written through the
// writer with sync off (the fixture is not what is measured).
void build_key_ledger(const std::filesystem::path& path, std::uint64_t keys) {
  storage::RocksOptions options;
  options.sync = false;
  auto log = storage::RocksEventLog::open(path, options);
  if (!log.is_ok()) throw std::runtime_error(log.status().to_string());
  // Stamped while empty, as keyledgerd would: its start must not rebuild it.
  if (!projections::upgrade_stored_projection(**log).is_ok())
    throw std::runtime_error("cannot stamp the projection version");
  projections::LiveProjection projection;
  SystemClock clock;
  SeededRandom random(3);
  writer::GroupCommitWriter writer(**log, projection, clock);
  const std::uint64_t users = keys / 1000 + 1;
  const std::string password_hash = bench::fixture_password_hash();
  for (std::uint64_t u = 0; u < users; ++u)
    if (!writer.execute(CreateUser{"user" + std::to_string(u), Privilege::kUser, password_hash}, {})
             .is_ok())
      throw std::runtime_error("cannot create a fixture user");
  std::vector<std::future<StatusOr<CommittedEvent>>> pending;
  auto drain = [&] {
    for (auto& future : pending)
      if (!future.get().is_ok()) throw std::runtime_error("cannot create a fixture key");
    pending.clear();
  };
  for (std::uint64_t i = 0; i < keys; ++i) {
    Hash256 secret_hash;
    random.fill(secret_hash);
    pending.push_back(
        writer.submit(CreateKey{generate_key_id(random), "user" + std::to_string(i % users),
                                "service " + std::to_string(i), secret_hash},
                      EventOrigin{"bench", "127.0.0.1", ""}));
    if (pending.size() == 4096) drain();
  }
  drain();
}

// The reference: open the database read-write with every column family and
// read every record once.
double raw_open_and_iterate_seconds(const std::filesystem::path& path) {
  const auto start = std::chrono::steady_clock::now();
  rocksdb::Options options;
  std::vector<std::string> names;
  if (!rocksdb::DB::ListColumnFamilies(options, path.string(), &names).ok())
    throw std::runtime_error("cannot list column families");
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  for (const auto& name : names) families.emplace_back(name, rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  if (!rocksdb::DB::Open(options, path.string(), families, &handles, &db).ok())
    throw std::runtime_error("cannot open the fixture raw");
  std::uint64_t bytes = 0;
  for (auto* handle : handles) {
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), handle));
    for (it->SeekToFirst(); it->Valid(); it->Next()) bytes += it->key().size() + it->value().size();
  }
  for (auto* handle : handles) db->DestroyColumnFamilyHandle(handle).PermitUncheckedError();
  delete db;
  if (bytes == 0) throw std::runtime_error("the fixture is empty");
  return seconds_since(start);
}

struct StartResult {
  double seconds = 0;
  std::uint64_t resident = 0;
};

// Starts keyledgerd on `data_dir`, waits for /readyz 200, reads its RSS and
// stops it.
StartResult start_keyledgerd(const std::filesystem::path& data_dir) {
  const auto start = std::chrono::steady_clock::now();
  bench::Keyledgerd server(data_dir, {"--no-sync"}, -1);
  testing::HttpClient client(server.http_port());
  while (client.get("/readyz").status != 200)
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  StartResult result{seconds_since(start), 0};
  // Let start-up threads settle before reading the resident size.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  result.resident = bench::resident_bytes(server.pid());
  if (server.stop() != 0) throw std::runtime_error("keyledgerd did not stop cleanly");
  return result;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Start-up time and resident bytes per key with many live keys"};
  std::uint64_t keys = 1'000'000;
  int runs = 5;
  app.add_option("--keys", keys, "Live keys in the fixture")->capture_default_str();
  app.add_option("--runs", runs, "Interleaved runs; medians are reported")->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  try {
    testing::TempDir dir;
    const auto fixture = dir / "fixture";
    std::fprintf(stderr, "building a ledger of %llu keys …\n",
                 static_cast<unsigned long long>(keys));
    const auto built = std::chrono::steady_clock::now();
    std::filesystem::create_directories(fixture);
    build_key_ledger(fixture / "ledger", keys);
    // keyledgerd starts on a ledger with events only beside the pepper its
    // key hashes were made with (server/daemon/pepper.h). The fixture's hashes are
    // random bytes, so any private pepper will do.
    std::ofstream(fixture / "pepper") << std::string(64, 'b');
    std::filesystem::permissions(fixture / "pepper", std::filesystem::perms::owner_read |
                                                         std::filesystem::perms::owner_write);
    std::fprintf(stderr, "built in %.1f s\n", seconds_since(built));
    // The first read-write open recovers the write-ahead log the build left
    // and flushes it; that is the fixture settling, not a start.
    raw_open_and_iterate_seconds(fixture / "ledger");
    const auto empty = dir / "empty";
    start_keyledgerd(empty);  // creates the empty ledger (admin only)

    bench::Figures raw, startup, resident_full, resident_empty, per_key;
    for (int run = 0; run < runs; ++run) {
      raw.add(raw_open_and_iterate_seconds(fixture / "ledger"));
      const StartResult full = start_keyledgerd(fixture);
      const StartResult none = start_keyledgerd(empty);
      startup.add(full.seconds);
      resident_full.add(static_cast<double>(full.resident) / (1 << 20));
      resident_empty.add(static_cast<double>(none.resident) / (1 << 20));
      per_key.add((static_cast<double>(full.resident) - static_cast<double>(none.resident)) /
                  static_cast<double>(keys));
      std::fprintf(stderr, "run %d: raw %.2f s, start %.2f s, %.0f B/key\n", run + 1,
                   raw.runs.back(), startup.runs.back(), per_key.runs.back());
    }
    const std::string n = bench::format_number(static_cast<double>(keys));
    bench::Table times(
        {"what, " + n + " live keys", "seconds, median (min–max)", "time ratio (lower is better)"});
    times.add_row({"raw RocksDB open + full iteration of every column family (reference)",
                   bench::format_figures(raw), "100%"});
    times.add_row({"keyledgerd start until `GET /readyz` answers 200",
                   bench::format_figures(startup),
                   bench::format_ratio(startup.median(), raw.median())});
    bench::Table memory({"what", "median (min–max)"});
    memory.add_row({"keyledgerd resident memory (VmRSS), empty ledger, MiB",
                    bench::format_figures(resident_empty)});
    memory.add_row({"keyledgerd resident memory (VmRSS), " + n + " live keys, MiB",
                    bench::format_figures(resident_full)});
    memory.add_row(
        {"resident bytes per live key (difference / keys)", bench::format_figures(per_key)});
    std::printf("%s\n%s\n", times.to_markdown().c_str(), memory.to_markdown().c_str());
    std::printf("Targets: start-up < 2 s: %s; <= 256 resident bytes per live key: %s.\n",
                startup.median() < 2 ? "met" : "missed",
                per_key.median() <= 256 ? "met" : "missed");
    return 0;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "bench: %s\n", error.what());
    return 1;
  }
}
