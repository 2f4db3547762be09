// What a leader keeps of its followers (issue 20): the FollowerTable their
// reports fill, the intake that folds their key uses into the leader's
// LastUseTracker, and (with --nats) the receiver reading the uses subject
// on its own thread. Its figures answer GET /v1/cluster and /metrics'
// keyledger_cluster_* metrics; the panel's admin section shows them.
#pragma once

#include <functional>
#include <memory>
#include <optional>

#include "core/clock.h"
#include "core/event_log.h"
#include "server/daemon/config.h"
#include "server/daemon/uses_intake.h"
#include "server/http/json_log.h"
#include "server/http/responses.h"
#include "server/replication/cluster_figures.h"
#include "server/replication/follower_table.h"
#include "server/verify/last_use_tracker.h"

namespace keyledger::server {

// The JSON of GET /v1/cluster for `figures`.
Json cluster_json(const replication::ClusterFigures& figures);

// How long a silent follower stays listed: 10 flush intervals.
std::chrono::nanoseconds forget_followers_after(const ServerConfig& config);

class LeaderCluster {
 public:
  // `published_seq` is the publisher's (empty without --nats). Reads
  // nothing yet; what it is given outlives it.
  LeaderCluster(const ServerConfig& config, const EventLog& log, LastUseTracker& tracker,
                const Clock& clock, const MonotonicClock& steady,
                std::function<std::optional<std::uint64_t>()> published_seq, JsonLog& json_log);
  ~LeaderCluster();
  LeaderCluster(const LeaderCluster&) = delete;
  LeaderCluster& operator=(const LeaderCluster&) = delete;

  // With --nats: starts reading the uses subject (it connects on its own
  // thread, so NATS may be down). Without: nothing to read.
  void start();
  void stop();  // idempotent

  replication::ClusterFigures figures();
  FollowerUsesIntake& intake() { return intake_; }

 private:
  const ServerConfig& config_;
  const EventLog& log_;
  std::function<std::optional<std::uint64_t>()> published_seq_;
  JsonLog& json_log_;
  replication::FollowerTable followers_;
  FollowerUsesIntake intake_;
  std::unique_ptr<UsesSource> source_;
  std::unique_ptr<UsesReceiver> receiver_;
};

}  // namespace keyledger::server
