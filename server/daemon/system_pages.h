// The operational pages: GET /healthz, /readyz and /metrics, which the
// daemon registers beside the other parts' routes. They answer with the
// HTTP part's JSON and text responses. (The API description and its
// documentation page are server/web's.)
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "server/http/http_types.h"
#include "server/http/router.h"
#include "server/replication/cluster_figures.h"
#include "server/replication/event_publisher.h"

namespace keyledger::server {

// What /readyz reports of the ledger: on a leader, the writer's
// (leader_parts.h's WriterLedgerHealth).
class LedgerHealth {
 public:
  virtual ~LedgerHealth() = default;
  virtual std::uint64_t head_seq() const = 0;
  // The writer's last commit failed (a full disk): writes are refused.
  virtual bool storage_failing() const = 0;
};

// A follower's figures (issue 20) at the time of the call, for /readyz
// and /metrics; the daemon's follower parts (follower_parts.h) copy them
// from the follow loop, so that neither page depends on replication.
struct FollowerFigures {
  std::uint64_t applied_seq = 0;      // the follower's head
  std::uint64_t stream_last_seq = 0;  // as last asked (0 before)
  bool stream_last_known = false;
  // Time since the follower last confirmed it held every event of the
  // stream; negative before its first confirmation.
  double staleness_seconds = -1;
  double max_staleness_seconds = 0;
  bool stale = true;             // past --max-staleness (or never confirmed): verify answers 503
  bool connected = false;        // the last call on the stream succeeded
  bool storage_failing = false;  // the last append to its own log failed
  std::string refused;           // why it stopped applying for good; empty while it applies
  std::uint64_t events_applied = 0;  // since start
  std::uint64_t redeliveries = 0;
  std::uint64_t gap_events_filled = 0;
  std::uint64_t stream_failures = 0;
  std::uint64_t key_uses_held = 0;     // last uses kept for the leader (not sent yet)
  std::uint64_t key_uses_refused = 0;  // uses the holder had no room for (the tracker retries)
  // stream_last_seq - applied_seq, 0 when not known or not behind.
  std::uint64_t lag() const {
    return stream_last_known && stream_last_seq > applied_seq ? stream_last_seq - applied_seq : 0;
  }
};

// Gives a follower's figures at the time it is called; empty on a leader.
using FollowerFiguresSource = std::function<FollowerFigures()>;
// A leader's publisher figures at the time of the call (issue 20); empty
// where nothing is published (no --nats).
using PublisherStatusSource = std::function<replication::PublisherStatus()>;

// The text of /metrics (Prometheus text exposition format 0.0.4).
class MetricsRenderer {
 public:
  virtual ~MetricsRenderer() = default;
  virtual std::string render() const = 0;
};

// What a node adds to /readyz and /metrics about replication: a
// follower's figures, or a leader's publishing (--nats). Both empty on a
// single node.
struct ReplicationFigures {
  FollowerFiguresSource follower = {};
  PublisherStatusSource publisher = {};
  // A leader's followers (the cluster view); empty on a follower.
  replication::ClusterFiguresSource cluster = {};
};

// Thread-safe; what it is given outlives it.
class SystemPages {
 public:
  // `ready` is false until start-up has finished and again while shutting
  // down; `ledger` says the head and whether storage refuses writes.
  SystemPages(const std::atomic<bool>& ready, const LedgerHealth& ledger,
              const MetricsRenderer& metrics, ReplicationFigures replication = {})
      : ready_(ready), ledger_(ledger), metrics_(metrics), replication_(std::move(replication)) {}

  // 200 {"status": "ok"}: the process answers.
  HttpResponse healthz(const Exchange& exchange) const;
  // 503 {"status": "not ready"} until ready; then 200 with the role
  // ("leader" or "follower"), the head and whether storage is failing.
  // A leader with a publisher adds its figures under "replication"; it
  // stays 200 while writes are refused (storage failing, or the stream too
  // far behind): verification goes on from memory. A follower adds its
  // applied seq, the stream's last seq, the lag, its staleness and the
  // bound, whether it reaches the stream and why it refused the stream (if
  // it did); it is ready only while it is not stale and has refused
  // nothing: else 503 with status "stale" or "refused" and the same
  // figures.
  HttpResponse readyz(const Exchange& exchange) const;
  // 200, the Prometheus text.
  HttpResponse metrics(const Exchange& exchange) const;

 private:
  HttpResponse follower_readyz(const Exchange& exchange, const FollowerFigures& figures) const;

  const std::atomic<bool>& ready_;
  const LedgerHealth& ledger_;
  const MetricsRenderer& metrics_;
  const ReplicationFigures replication_;
};

// Registers GET /healthz, /readyz and /metrics on `router`, answered by
// `pages` (which outlive the router).
void add_system_routes(Router& router, const SystemPages& pages);
// (method, pattern) of the routes add_system_routes() registers, in order.
std::vector<std::pair<std::string, std::string>> system_route_table();

}  // namespace keyledger::server
