#include "server/daemon/daemon.h"

#include <sys/resource.h>
#include <sys/stat.h>

#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>

#include "server/daemon/http_routes.h"
#include "server/daemon/nats_options.h"
#include "server/daemon/node.h"
#include "server/daemon/part_options.h"
#include "server/daemon/start_checks.h"
#include "server/daemon/start_failure.h"
#include "server/replication/jetstream_stream.h"
#include "server/replication/nats_connection.h"

namespace keyledger::server {
namespace {

namespace asio = boost::asio;

// Each connection is a descriptor; the usual soft limit (1024) would make
// accept fail long before --max-connections. Raise it as far as the hard
// limit allows and say so when the cap still cannot be reached.
void raise_open_file_limit(unsigned max_connections, JsonLog& log) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  if (limit.rlim_cur < limit.rlim_max) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  // RocksDB's files, the listeners and the logs need descriptors too.
  constexpr rlim_t kReserve = 256;
  if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < max_connections + kReserve)
    log.warn(
        "the open-file limit is below --max-connections plus a reserve for the database; "
        "accepts will fail first",
        {{"open_file_limit", static_cast<unsigned long long>(limit.rlim_cur)},
         {"max_connections", max_connections},
         {"reserve", static_cast<unsigned long long>(kReserve)}});
}

// A node given --nats without credentials says, once at start, that the
// stream is open to whoever the NATS servers let in (issue 20).
void warn_if_nats_open(const NatsConfig& nats, JsonLog& log) {
  if (nats.urls.empty()) return;
  replication::NatsConnectionOptions options;
  options.user = nats.user;
  if (const std::string warning = replication::open_access_warning(options); !warning.empty())
    log.warn(warning, {{"nats_stream", nats.stream}});
}

}  // namespace

Daemon::Daemon(const ServerConfig& config, JsonLog& log)
    : node_(std::make_unique<Node>(config, log)) {}

Daemon::~Daemon() = default;

int Daemon::run() { return node_->run(); }

Node::Node(const ServerConfig& config, JsonLog& log)
    : config_(config),
      log_(log),
      data_(config.data_dir),
      admin_password_(admin_password_from_environment()),
      trusted_proxies_(config.trusted_proxies),
      connections_(connection_limits(config, trusted_proxies_)),
      contexts_(io_thread_count(config)),
      metrics_(&connections_),
      applied_seq_(config.min_seq_wait),
      limiter_(clock_, config.max_failed_verifications_per_minute),
      access_log_(log, config.access_log) {}

Node::~Node() = default;

int Node::run() {
  // Everything keyledgerd creates holds secrets or password hashes: the
  // ledger's files (which RocksDB creates 0644 under the usual umask 022),
  // the pepper, the one-time password file. With 077 each is private to
  // keyledgerd's user from the moment it exists, whoever creates it.
  ::umask(077);
  warn_if_nats_open(config_.nats, log_);
  if (int refused = check()) return refused;
  if (int refused = bind()) return refused;
  if (int refused = open()) return refused;
  if (int refused = start()) return refused;
  serve();
  stop();
  return 0;
}

int Node::check() { return check_before_binding(config_, data_, admin_password_, log_); }

// Before anything is created: a start that cannot serve must leave no data
// folder, pepper or admin behind (whose one-time password it would have
// shown to nobody).
int Node::bind() {
  if (int refused = bind_listening_ports(config_, contexts_.main, log_, ports_)) return refused;
  http_port_ = ports_.http->local_endpoint().port();
  return 0;
}

int Node::open() {
  if (Status prepared = prepare_data_folder(data_, log_); !prepared.is_ok())
    return fail_start(log_, kExitDataNotWritable, "cannot use the data folder", prepared,
                      {{"path", config_.data_dir}});
  if (int refused = open_ledger(config_, data_, random_, log_, ledger_)) return refused;
  raise_open_file_limit(config_.max_connections, log_);
  return 0;
}

// A follower (issue 20) diverges here: it builds no LeaderLedger (it
// applies the leader's events rather than deciding commands), gives the
// hot path the sink that keeps its uses for the leader and no writer, and
// builds no ApiParts.
int Node::start() {
  if (config_.follower) return start_follower();
  leader_ = std::make_unique<LeaderLedger>(config_, data_, ledger_, clock_, random_,
                                           writer_options(), log_);
  if (int refused = leader_->start(admin_password_)) return refused;
  applied_seq_.advanced(ledger_.log->head().seq);  // the writer's commits advance it from here
  if (int refused = start_publishing()) return refused;
  start_hot_path(leader_->key_uses(), writer_figures(leader_->writer()), nullptr,
                 ReplicationFigures{.publisher = publisher_status(),
                                    .cluster = [this] { return cluster_->figures(); }});
  start_cluster_view();
  make_api();
  make_routes();
  return 0;
}

int Node::start_follower() {
  // KEYLEDGER_ADMIN_PASSWORD is the leader's first admin's; a follower
  // creates no one.
  (void)admin_password_.is_ok();
  auto stream = open_follower_stream(config_, log_);
  if (!stream.is_ok()) return fail_start(log_, kExitFailure, "--nats", stream.status());
  applied_seq_.advanced(ledger_.log->head().seq);  // the follow loop advances it from here
  follower_ = std::make_unique<FollowerLedger>(config_, ledger_, std::move(*stream), steady_clock_,
                                               applied_seq_, log_);
  if (config_.leader_url.empty())
    log_.warn("no --leader-url: not_leader answers cannot say where the leader is");
  log_.always(
      LogLevel::kInfo, "following the stream",
      {{"stream", config_.nats.stream},
       {"applied_seq", ledger_.log->head().seq},
       {"max_staleness_seconds", std::chrono::duration<double>(config_.max_staleness).count()}});
  follower_->start();
  start_hot_path(follower_->key_uses(), {}, &follower_->freshness(),
                 ReplicationFigures{.follower = [this] { return follower_->figures(); }});
  start_reporting_uses();
  make_follower_routes();
  return 0;
}

void Node::start_cluster_view() {
  std::function<std::optional<std::uint64_t>()> published;
  if (replication_)
    published = [this] {
      return std::optional<std::uint64_t>(replication_->publisher().status().published_seq);
    };
  cluster_ = std::make_unique<LeaderCluster>(config_, *ledger_.log, *last_use_, clock_,
                                             steady_clock_, std::move(published), log_);
  cluster_->start();
}

void Node::start_reporting_uses() {
  replication::NatsConnectionOptions options =
      nats_connection_options(config_.nats, "keyledgerd follower (key uses)");
  uses_sender_ = std::make_unique<PublishedUses>(std::move(options),
                                                 replication::uses_subject(config_.nats.stream));
  const std::string name = node_name(config_, http_port_);
  uses_reporter_ = std::make_unique<UsesReporter>(
      follower_->held_uses(), *uses_sender_, name, [this] { return ledger_.log->head().seq; },
      std::chrono::nanoseconds(config_.last_use_flush_interval), log_);
  uses_reporter_->start();
  log_.info("sending key uses to the leader", {{"node", name}});
}

writer::WriterOptions Node::writer_options() {
  writer::WriterOptions options;
  options.on_commit = [this](const writer::CommitInfo& info) {
    metrics_.observe_commit(info.events, info.duration);
  };
  options.on_published = [this](std::uint64_t seq) { applied_seq_.advanced(seq); };
  if (!config_.nats.urls.empty()) publisher_hooks_.hook_into(options);
  return options;
}

int Node::start_publishing() {
  if (config_.nats.urls.empty()) return 0;
  auto id = ledger_id(*ledger_.log);
  if (!id.is_ok()) return fail_start(log_, kExitFailure, "naming the ledger for NATS", id.status());
  replication_ = std::make_unique<LeaderReplication>(
      config_, *ledger_.log, open_event_stream(config_, *id), *id, config_.nats.stream,
      steady_clock_, publisher_hooks_, log_);
  std::vector<std::string> servers;
  for (const std::string& url : config_.nats.urls) servers.push_back(url_for_log(url));
  log_.always(LogLevel::kInfo, "publishing to NATS",
              {{"nats", servers},
               {"stream", config_.nats.stream},
               {"ledger", *id},
               {"max_unpublished_ms", config_.max_unpublished.count()}});
  return 0;
}

PublisherStatusSource Node::publisher_status() {
  if (!replication_) return {};
  return [this] { return replication_->publisher().status(); };
}

void Node::start_hot_path(KeyUseSink& uses, WriterFiguresSource writer,
                          const ReplicaFreshness* freshness, ReplicationFigures replication) {
  last_use_.emplace(uses, *ledger_.projection, clock_, config_.last_use_flush_interval);
  last_use_->start();
  verifier_.emplace(*ledger_.projection, *ledger_.secret_hasher, *last_use_, limiter_, clock_,
                    config_.token_prefix, freshness);
  metrics_page_.emplace(metrics_, *verifier_, std::move(writer), std::move(replication));
}

void Node::make_api() {
  ApiOptions options = api_options(config_);
  options.sign_in_policy = sign_in_policy(config_);
  options.api_endpoint = api_endpoint(config_, http_port_);
  ClusterBodySource cluster = [this] { return cluster_json(cluster_->figures()); };
  api_ = std::make_unique<ApiParts>(
      ApiDependencies{std::move(options),
                      ApiLedger{*ledger_.projection, leader_->writer(), *ledger_.log, *last_use_},
                      ApiSecurity{*verifier_, leader_->password_hasher(), *ledger_.secret_hasher,
                                  leader_->initial_password()},
                      ApiObservers{password_checks_, log_}, clock_, random_, std::move(cluster)});
}

void Node::make_routes() {
  verify_handler_.emplace(*verifier_, applied_seq_);
  ledger_health_ = std::make_unique<WriterLedgerHealth>(*ledger_.log, leader_->writer());
  system_pages_.emplace(ready_, *ledger_health_, *metrics_page_,
                        ReplicationFigures{.publisher = publisher_status()});
  add_http_routes(router_, {api_->handlers(), *verify_handler_, *system_pages_});
}

void Node::make_follower_routes() {
  verify_handler_.emplace(*verifier_, applied_seq_);
  system_pages_.emplace(ready_, follower_->health(), *metrics_page_,
                        ReplicationFigures{.follower = [this] { return follower_->figures(); }});
  add_follower_http_routes(router_, {*verify_handler_, *system_pages_, config_.leader_url});
}

void Node::serve() {
  timers_.emplace(contexts_.all);
  server_.emplace(contexts_.main, router_,
                  HttpFront{trusted_proxies_, random_, metrics_, access_log_}, http_limits(config_),
                  connections_, *timers_, log_, contexts_.all);
  server_->serve(std::move(*ports_.http));
  ready_.store(true);
  if (ports_.verify) serve_verify_port();
  // Written last: tests and scripts wait for this line.
  log_.always(LogLevel::kInfo, "listening",
              {{"url", http_url(config_.listen.host, http_port_)},
               {"port", http_port_},
               {"data", config_.data_dir}});
  serve_until_signalled();
}

void Node::serve_verify_port() {
  VerifyPortLimits limits;
  limits.trusted_peers = trusted_proxies_;
  verify_port_ =
      std::make_unique<VerifyPort>(contexts_.main, *verifier_, applied_seq_, connections_, *timers_,
                                   metrics_.verify_port(), log_, limits, contexts_.all);
  const std::uint16_t port = ports_.verify->local_endpoint().port();
  verify_port_->start(std::move(*ports_.verify));
  log_.always(LogLevel::kInfo, "verify port listening",
              {{"address", url_host(config_.verify_listen->host) + ":" + std::to_string(port)},
               {"port", port}});
}

// Serves until SIGINT or SIGTERM, then drains in-flight requests (for at
// most ten seconds) and stops every context.
void Node::serve_until_signalled() {
  asio::signal_set signals(contexts_.main, SIGINT, SIGTERM);
  asio::steady_timer drain_timer(contexts_.main);
  int drain_checks = 0;
  std::function<void()> wait_for_drain = [&] {
    if (server_->in_flight() == 0 || ++drain_checks > 500) return contexts_.stop();
    drain_timer.expires_after(std::chrono::milliseconds(20));
    drain_timer.async_wait([&](const boost::system::error_code&) { wait_for_drain(); });
  };
  signals.async_wait([&](const boost::system::error_code& signal_error, int) {
    if (signal_error) return;
    log_.always(LogLevel::kInfo, "shutting down");
    ready_.store(false);
    server_->stop_accepting();
    if (verify_port_) verify_port_->stop_accepting();
    wait_for_drain();
  });
  contexts_.run();
}

void Node::stop() {
  if (follower_) follower_->stop();  // nothing more is applied
  if (api_) api_->join_work();       // its pools, before the log their scans read goes
  if (cluster_) cluster_->stop();    // no follower's use races the final flush
  last_use_->stop();                 // no flusher may race the final flush or outlive the writer
  last_use_->flush_all();
  if (uses_reporter_) uses_reporter_->stop();  // a follower's last uses, to the leader
  if (leader_) leader_->stop();  // drains the writer's queue, before the io_contexts go
  log_.always(LogLevel::kInfo, "stopped cleanly", {{"seq", ledger_.log->head().seq}});
}

}  // namespace keyledger::server
