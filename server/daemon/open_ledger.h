// The ledger as keyledgerd serves it: the event log in DATA/ledger, the
// keyed hash made with its pepper, and the projection folded from it.
#pragma once

#include <memory>
#include <optional>

#include "core/random.h"
#include "core/secret_hasher.h"
#include "projections/live_projection.h"
#include "server/daemon/config.h"
#include "server/daemon/data_folder.h"
#include "server/http/json_log.h"
#include "storage/rocks_event_log.h"

namespace keyledger::server {

struct OpenLedger {
  std::unique_ptr<storage::RocksEventLog> log;
  std::optional<SecretHasher> secret_hasher;
  std::unique_ptr<projections::LiveProjection> projection;
};

// Whether the ledger's appends are synced before they are acknowledged: a
// leader's are (unless --no-sync, for tests); a follower's are not. Its
// durable copy is the replicated stream: an append a power loss takes
// from its write-ahead log (RocksDB recovers a consistent prefix) it
// fetches again from the stream on restart, before it answers anything
// (it starts stale). A synced append per batch cost a follower a disk
// flush on every deletion it applies: the deletion-to-401 tail
// (docs/BENCHMARKS.md, section 7).
bool syncs_appends(const ServerConfig& config);

// Opens (creating on a first start) the ledger in `data` and its pepper,
// rebuilds a stored projection an older fold wrote (logging how long it
// took) and loads the projection, in that order, into `ledger`. 0, or the
// exit code after the error line in `log`.
int open_ledger(const ServerConfig& config, const DataFolder& data, RandomSource& random,
                JsonLog& log, OpenLedger& ledger);

}  // namespace keyledger::server
