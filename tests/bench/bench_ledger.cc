#include "tests/bench/bench_ledger.h"

#include <cstdio>
#include <cstdlib>
#include <future>
#include <string>

#include "core/password_hasher.h"
#include "core/random.h"
#include "core/token.h"
#include "projections/live_projection.h"
#include "projections/stored_projection.h"
#include "server/writer/group_commit_writer.h"
#include "storage/rocks_event_log.h"

namespace keyledger::bench {

void build_ledger(const std::filesystem::path& path, std::uint64_t events) {
  storage::RocksOptions options;
  options.sync = false;
  auto log = storage::RocksEventLog::open(path, options);
  if (!log.is_ok()) {
    std::fprintf(stderr, "bench: %s\n", log.status().to_string().c_str());
    std::exit(1);
  }
  // Stamped with this build's projection version while empty, so that
  // keyledgerd's start does not rebuild it (and the benchmarks measure what
  // users' starts do).
  if (!projections::upgrade_stored_projection(**log).is_ok()) std::exit(1);
  projections::LiveProjection projection;
  SystemClock clock;
  SeededRandom random(7);
  {
    writer::GroupCommitWriter writer(**log, projection, clock);
    const std::string password_hash =
        PasswordHasher(random, ScryptCost{10, 8, 1}).hash("bench-password").value();
    std::vector<std::string> users;
    std::vector<std::pair<std::string, std::string>> keys;  // (key id, owner)
    std::vector<std::future<StatusOr<CommittedEvent>>> pending;
    auto drain = [&] {
      for (auto& future : pending) (void)future.get();
      pending.clear();
    };
    for (std::uint64_t i = 0; i < events; ++i) {
      Command command;
      const std::uint64_t kind = i % 10;
      if (i < 100 || users.empty()) {
        users.push_back("user" + std::to_string(users.size()));
        command = CreateUser{users.back(), Privilege::kUser, password_hash};
      } else if (kind < 5 || keys.size() < 10) {
        keys.emplace_back(generate_key_id(random), users[i % users.size()]);
        command =
            CreateKey{keys.back().first, keys.back().second, "service " + std::to_string(i), {}};
      } else if (kind < 8) {
        const auto& key = keys[(i * 7919) % keys.size()];
        command = RecordKeyUse{key.first, "10.0." + std::to_string(i % 250) + ".1", clock.now_ns()};
      } else {
        const auto& key = keys[(i * 104729) % keys.size()];
        command = RenameKey{key.first, key.second, "renamed " + std::to_string(i)};
      }
      pending.push_back(writer.submit(std::move(command), EventOrigin{"bench", "127.0.0.1", ""}));
      if (pending.size() == 4096) drain();
    }
    drain();
  }
}

}  // namespace keyledger::bench
