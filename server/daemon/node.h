// The parts of one keyledgerd node and the steps that build, serve and stop
// them: what a Daemon runs (daemon.h). Only daemon.cc includes this header.
//
// Every node has the ledger it reads, the hot path (the last-use tracker,
// the verifier, the verify port) and the HTTP front end. What only a leader
// has is grouped: LeaderLedger (leader_parts.h: the writer, the first
// admin, --unlock, the sink of last uses) and ApiParts (the management
// API). Node::start says where a follower (issue 20) diverges: it has
// FollowerLedger (follower_parts.h: the stream, the applier, the follow
// loop, the freshness its verifier checks) in their place.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "core/clock.h"
#include "core/random.h"
#include "server/api/api_parts.h"
#include "server/api/observers.h"
#include "server/daemon/cluster_view.h"
#include "server/daemon/config.h"
#include "server/daemon/data_folder.h"
#include "server/daemon/follower_parts.h"
#include "server/daemon/io_contexts.h"
#include "server/daemon/leader_parts.h"
#include "server/daemon/leader_replication.h"
#include "server/daemon/listening_ports.h"
#include "server/daemon/metrics.h"
#include "server/daemon/open_ledger.h"
#include "server/daemon/system_pages.h"
#include "server/daemon/uses_reporting.h"
#include "server/http/access_log.h"
#include "server/http/connection_limiter.h"
#include "server/http/http_server.h"
#include "server/http/json_log.h"
#include "server/http/router.h"
#include "server/http/steady_timer_service.h"
#include "server/http/trusted_peers.h"
#include "server/verify/applied_seq.h"
#include "server/verify/credential_verifier.h"
#include "server/verify/key_use_sink.h"
#include "server/verify/last_use_tracker.h"
#include "server/verify/rate_limiter.h"
#include "server/verify/verify_port.h"
#include "server/writer/group_commit_writer.h"

namespace keyledger::server {

// The API counts its password checks into the daemon's Metrics, which a
// follower also serves and which so knows nothing of the API.
class MetricsPasswordChecks final : public PasswordCheckCounter {
 public:
  // `metrics` outlives the adapter.
  explicit MetricsPasswordChecks(Metrics& metrics) : metrics_(metrics) {}
  void observe_password_check() override { metrics_.observe_password_check(); }

 private:
  Metrics& metrics_;
};

class Node {
 public:
  // Daemon's constructor's contract.
  Node(const ServerConfig& config, JsonLog& log);
  ~Node();

  // Daemon::run's contract.
  int run();

 private:
  // The steps of run(), in order. Each step but the last two returns 0, or
  // the exit code after the error line; a refused step leaves the parts
  // built so far to the destructor.
  int check();   // nothing touched yet
  int bind();    // every listening port, before anything is created
  int open();    // the data folder, the ledger, its pepper and projection
  int start();   // the leader's ledger, the hot path, the api (or start_follower)
  void serve();  // the HTTP server and the verify port, until a signal
  void stop();   // the last answers, last uses and commits

  // start() of a follower: its ledger and loop, the hot path, its routes.
  int start_follower();

  writer::WriterOptions writer_options();
  // With --nats: the publisher of the leader's events (after the first
  // admin: the ledger's id is event 1's). 0, or the exit code after the
  // error line.
  int start_publishing();
  // The publisher's figures for /readyz and /metrics; empty without --nats.
  PublisherStatusSource publisher_status();
  // A leader's followers (after the hot path: their uses go to its tracker).
  void start_cluster_view();
  // A follower's reports of its key uses to the leader.
  void start_reporting_uses();
  // The last-use tracker persisting through `uses`, the verifier (checking
  // `freshness` on a follower), and the metrics page (with the writer's
  // figures when `writer` is not empty, and what `replication` adds).
  void start_hot_path(KeyUseSink& uses, WriterFiguresSource writer,
                      const ReplicaFreshness* freshness = nullptr,
                      ReplicationFigures replication = {});
  void make_api();
  // What answers the HTTP routes beside the API, and the router with every
  // route (http_routes.h); a follower's management routes answer not_leader.
  void make_routes();
  void make_follower_routes();
  void serve_verify_port();
  void serve_until_signalled();

  const ServerConfig& config_;
  JsonLog& log_;

  // The parts, declared in the order they are built, so destroyed in the
  // reverse order. Those that start threads, touch the disk or need the
  // ledger are empty (optional, unique_ptr) until the step that builds them.
  SystemClock clock_;
  SteadyClock steady_clock_;  // a follower's staleness, a leader's unpublished age
  SecureRandom random_;
  const DataFolder data_;
  // KEYLEDGER_ADMIN_PASSWORD, checked before binding (the leader's first
  // admin takes it).
  const StatusOr<std::optional<std::string>> admin_password_;
  // Outlive the io_contexts: a connection still queued on one at shutdown
  // gives its slot back when the context destroys it.
  const TrustedPeers trusted_proxies_;
  ConnectionLimiter connections_;
  IoContexts contexts_;
  ListeningPorts ports_;
  std::uint16_t http_port_ = 0;  // once bound: the real port for --listen HOST:0
  OpenLedger ledger_;
  Metrics metrics_;
  MetricsPasswordChecks password_checks_{metrics_};
  // How far verification sees the ledger, for requests with a minimum seq:
  // advanced by the writer (a leader) or the applier (a follower), so it
  // outlives them; its waiters outlive the timers, before the contexts go.
  AppliedSeq applied_seq_;
  // A leader's with --nats: the writer's hooks into the publisher, and the
  // publishing itself, built after the writer (it needs event 1) but
  // destroyed after it (the writer calls it through the hooks).
  PublisherHooks publisher_hooks_;
  std::unique_ptr<LeaderReplication> replication_;
  // A leader's only: the writer the tracker's sink and the API commit
  // through, so built before them and destroyed after them.
  std::unique_ptr<LeaderLedger> leader_;
  // A follower's only: the stream and the loop that apply the leader's
  // events; the tracker's sink and the verifier's freshness, so built
  // before them and destroyed after them.
  std::unique_ptr<FollowerLedger> follower_;
  // The hot path, which every node runs.
  std::optional<LastUseTracker> last_use_;
  // A leader's: the followers it heard from, and their key uses folded
  // into last_use_ (so destroyed before it).
  std::unique_ptr<LeaderCluster> cluster_;
  // A follower's with --nats: its key uses, sent to the leader every
  // flush interval from follower_'s holder.
  std::unique_ptr<UsesSender> uses_sender_;
  std::unique_ptr<UsesReporter> uses_reporter_;
  FailureRateLimiter limiter_;
  AccessLog access_log_;
  std::optional<CredentialVerifier> verifier_;
  std::optional<MetricsPage> metrics_page_;
  // A leader's only: the management API, over the hot path.
  std::unique_ptr<ApiParts> api_;
  // The HTTP routes and what answers them beside the API.
  std::atomic<bool> ready_{false};  // /readyz: start-up finished, not yet shutting down
  std::optional<VerifyHandler> verify_handler_;
  std::unique_ptr<LedgerHealth> ledger_health_;  // a leader's (a follower's is its own)
  std::optional<SystemPages> system_pages_;
  Router router_;
  // Destroyed after the contexts stop (serve() returns then) and before
  // them (the sessions they still hold outlive their timers).
  std::optional<SteadyTimerService> timers_;
  std::optional<HttpServer> server_;
  std::unique_ptr<VerifyPort> verify_port_;
};

}  // namespace keyledger::server
