#include "server/daemon/open_ledger.h"

#include <chrono>

#include "projections/stored_projection.h"
#include "server/daemon/pepper.h"
#include "server/daemon/start_failure.h"

namespace keyledger::server {
namespace {

StatusOr<std::unique_ptr<storage::RocksEventLog>> open_event_log(const ServerConfig& config,
                                                                 const DataFolder& data,
                                                                 JsonLog& log) {
  storage::RocksOptions rocks_options;
  rocks_options.sync = syncs_appends(config);
  rocks_options.diagnostics = [&log](std::string_view line) {
    log.warn("rocksdb", {{"detail", line}});
  };
  return storage::RocksEventLog::open(data.ledger, rocks_options);
}

// Rebuilds the stored projection when an older fold wrote it, saying so
// with the time it took.
Status upgrade_projection(storage::RocksEventLog& event_log, JsonLog& log) {
  const auto upgrade_started = std::chrono::steady_clock::now();
  auto upgraded = projections::upgrade_stored_projection(event_log);
  if (!upgraded.is_ok()) return upgraded.status();
  if (upgraded->from_version != projections::kProjectionVersion)
    log.always(LogLevel::kInfo, "rebuilt the stored projection",
               {{"events", upgraded->events},
                {"from_version", upgraded->from_version},
                {"to_version", projections::kProjectionVersion},
                {"seconds",
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - upgrade_started)
                     .count()}});
  return Status::ok();
}

}  // namespace

bool syncs_appends(const ServerConfig& config) { return config.sync && !config.follower; }

int open_ledger(const ServerConfig& config, const DataFolder& data, RandomSource& random,
                JsonLog& log, OpenLedger& ledger) {
  auto opened = open_event_log(config, data, log);
  if (!opened.is_ok())
    return fail_start(log, kExitFailure, "opening " + data.ledger.string(), opened.status());
  ledger.log = std::move(*opened);
  // After the ledger, which says whether a pepper may still be created and
  // which pepper its key hashes were made with.
  auto hasher = open_ledger_pepper(config.pepper_file, *ledger.log, random, log,
                                   config.rebind_pepper, config.follower);
  if (!hasher.is_ok()) return fail_start(log, kExitFailure, "pepper", hasher.status());
  ledger.secret_hasher.emplace(std::move(*hasher));
  if (Status upgraded = upgrade_projection(*ledger.log, log); !upgraded.is_ok())
    return fail_start(log, kExitFailure, "upgrading the stored projection", upgraded);
  auto projection = projections::LiveProjection::load(*ledger.log);
  if (!projection.is_ok())
    return fail_start(log, kExitFailure, "loading the projection", projection.status());
  ledger.projection = std::move(*projection);
  return 0;
}

}  // namespace keyledger::server
