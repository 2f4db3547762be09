// Replay throughput: folding a whole log (decode, hash chain, projection)
// against raw RocksDB sequential iteration of the same events, measured
// interleaved in the same run. Prints one Markdown table.
//
//   keyledger_bench_replay [--events N] [--runs R] [--dir DIR]
#include <rocksdb/db.h>

#include <CLI/CLI.hpp>
#include <cstdio>

#include "core/chain_verifier.h"
#include "projections/ledger_state.h"
#include "storage/rocks_event_log.h"
#include "tests/bench/bench_ledger.h"

namespace {

using keyledger::bench::seconds_since;

// Raw RocksDB: iterate the events column family, touching every value.
double raw_iteration_seconds(const std::filesystem::path& path, std::uint64_t& count) {
  rocksdb::Options options;
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  std::vector<std::string> names;
  rocksdb::DB::ListColumnFamilies(options, path.string(), &names).PermitUncheckedError();
  for (const auto& name : names) families.emplace_back(name, rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  if (!rocksdb::DB::OpenForReadOnly(options, path.string(), families, &handles, &db).ok())
    std::exit(1);
  rocksdb::ColumnFamilyHandle* events = nullptr;
  for (auto* handle : handles)
    if (handle->GetName() == "events") events = handle;
  const auto start = std::chrono::steady_clock::now();
  std::uint64_t bytes = 0;
  count = 0;
  {
    rocksdb::ReadOptions read_options;
    read_options.fill_cache = false;
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(read_options, events));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      bytes += it->value().size() + static_cast<unsigned char>(it->value()[0]);
      ++count;
    }
  }
  const double elapsed = seconds_since(start);
  for (auto* handle : handles) db->DestroyColumnFamilyHandle(handle).PermitUncheckedError();
  delete db;
  if (bytes == 0) std::fprintf(stderr, "(no bytes)\n");
  return elapsed;
}

// keyledger replay: chain verification plus the fold into a fresh state.
double replay_seconds(const std::filesystem::path& path, std::uint64_t& count) {
  keyledger::storage::RocksOptions options;
  options.mode = keyledger::storage::OpenMode::kReadOnly;
  auto log = keyledger::storage::RocksEventLog::open(path, options);
  if (!log.is_ok()) std::exit(1);
  const auto start = std::chrono::steady_clock::now();
  keyledger::projections::LedgerState state;
  auto report = keyledger::verify_chain(**log, [&](const keyledger::Event& event) {
    keyledger::projections::apply_event(state, event);
  });
  const double elapsed = seconds_since(start);
  if (!report.is_ok() || !report->ok()) {
    std::fprintf(stderr, "replay failed\n");
    std::exit(1);
  }
  count = report->events;
  return elapsed;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Replay throughput against raw RocksDB iteration of the same log"};
  std::uint64_t events = 1'000'000;
  int runs = 5;
  std::string dir;
  app.add_option("--events", events, "Events in the log")->capture_default_str();
  app.add_option("--runs", runs, "Interleaved runs; medians are reported")->capture_default_str();
  app.add_option("--dir", dir, "Folder for the ledger (default: a temp folder, removed after)");
  CLI11_PARSE(app, argc, argv);

  std::filesystem::path path = dir.empty() ? std::filesystem::temp_directory_path() /
                                                 ("keyledger-bench-" + std::to_string(getpid()))
                                           : std::filesystem::path(dir);
  std::filesystem::remove_all(path);
  std::fprintf(stderr, "building a ledger of %llu events in %s …\n",
               static_cast<unsigned long long>(events), path.c_str());
  const auto built = std::chrono::steady_clock::now();
  keyledger::bench::build_ledger(path, events);
  std::fprintf(stderr, "built in %.1f s\n", seconds_since(built));

  keyledger::bench::Figures raw_rates, replay_rates;
  for (int run = 0; run < runs; ++run) {
    std::uint64_t raw_count = 0, replay_count = 0;
    const double raw = raw_iteration_seconds(path, raw_count);
    const double replay = replay_seconds(path, replay_count);
    raw_rates.add(static_cast<double>(raw_count) / raw);
    replay_rates.add(static_cast<double>(replay_count) / replay);
    std::fprintf(stderr, "run %d: raw %.0f/s, replay %.0f/s\n", run + 1, raw_rates.runs.back(),
                 replay_rates.runs.back());
  }
  namespace bench = keyledger::bench;
  bench::Table table({"what", "events/s, median (min–max)", "ratio"});
  table.add_row(
      {"raw RocksDB sequential iteration (reference)", bench::format_figures(raw_rates), "100%"});
  table.add_row({"keyledger replay (decode + hash chain + fold)",
                 bench::format_figures(replay_rates),
                 bench::format_ratio(replay_rates.median(), raw_rates.median())});
  std::printf("%s\n", table.to_markdown().c_str());
  std::printf("Target (>= 1,000,000 events/s): %s.\n",
              replay_rates.median() >= 1e6 ? "met" : "missed");
  if (dir.empty()) std::filesystem::remove_all(path);
  return 0;
}
