// What the tests of keyledger_cluster_tests share: one NATS cluster per
// process, fresh stream names, and JetStreamEventStreams connected as the
// leader or a follower.
#pragma once

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/event_log.h"
#include "server/replication/jetstream_stream.h"
#include "tests/support/nats_cluster.h"
#include "tests/support/tcp_proxy.h"

namespace keyledger::testing {

// A 3-node cluster with keyledger's permissions, started on first use and
// stopped at exit; a test that kills a node restarts it before it ends.
NatsCluster& shared_nats_cluster();

// A stream name no other test of this process (or an earlier run) used.
std::string fresh_stream_name();

// Connection options for `cluster` with `credentials` (none when the user
// is empty), all URLs, short timeouts.
replication::NatsConnectionOptions nats_options(const NatsCluster& cluster,
                                                const NatsCredentials& credentials);

// keyledgerd's flags to reach stream `name` on `cluster` as `credentials`:
// --nats, --nats-stream and, when the cluster has accounts, --nats-user
// and --nats-password-file (the password written, mode 0600, into
// `scratch`, which outlives the process).
std::vector<std::string> keyledgerd_nats_flags(const NatsCluster& cluster,
                                               const NatsCredentials& credentials,
                                               const std::string& name,
                                               const std::filesystem::path& scratch);

// A stream over a new connection as the leader / a follower user (or as
// nobody on a cluster without accounts); REQUIREs that it connects.
std::unique_ptr<replication::JetStreamEventStream> leader_stream(
    const NatsCluster& cluster, const std::string& name, const std::string& ledger_id = "ledger-a");
std::unique_ptr<replication::JetStreamEventStream> follower_stream(const NatsCluster& cluster,
                                                                   const std::string& name);

// Makes stream `name` on `subject` directly with nats.c (as the leader),
// R1, with MaxAge `max_age_seconds` when > 0: a stream keyledger did not
// make.
void make_raw_stream(const NatsCluster& cluster, const std::string& name,
                     const std::string& subject, int max_age_seconds);

// /readyz of the keyledgerd on `port`, parsed (discarded when it does not
// answer JSON or at all).
nlohmann::json readiness(unsigned short port);
// Whether the leader on `port` says the stream has every event of its log.
bool published_all(unsigned short port);
// The head of the ledger in keyledgerd data folder `data_dir`, and its
// events by seq from `from_seq`, read as the tools read a live ledger (a
// read-only instance beside a running keyledgerd).
LogHead head_of(const std::filesystem::path& data_dir);
std::vector<std::string> log_events(const std::filesystem::path& data_dir,
                                    std::uint64_t from_seq = 1);
// Every message of `stream`, read as a follower, by seq from `from_seq`.
std::vector<std::string> stream_messages(const NatsCluster& cluster, const std::string& stream,
                                         std::uint64_t from_seq = 1);

// Restarts every node of the cluster that a test killed when it goes out
// of scope, also when the test fails midway, so later tests find the
// shared cluster whole.
class RestartKilledNodes {
 public:
  explicit RestartKilledNodes(NatsCluster& cluster) : cluster_(cluster) {}
  ~RestartKilledNodes();
  RestartKilledNodes(const RestartKilledNodes&) = delete;
  RestartKilledNodes& operator=(const RestartKilledNodes&) = delete;

 private:
  NatsCluster& cluster_;
};

// A TcpProxy in front of every node of a cluster: a client given urls()
// instead of the cluster's reaches NATS only through them, and pause_all()
// cuts it off from every server (the servers' own ports are not
// advertised to clients), while everyone else still reaches them.
class NatsProxies {
 public:
  explicit NatsProxies(const NatsCluster& cluster);
  // The proxies' URLs, comma-joined, as --nats takes them.
  std::string urls() const;
  void pause_all(ProxyPause how);
  void resume_all();

 private:
  std::vector<std::unique_ptr<TcpProxy>> proxies_;
};

// `flags` (from keyledgerd_nats_flags) with --nats naming `urls` instead.
std::vector<std::string> with_nats_urls(std::vector<std::string> flags, const std::string& urls);

}  // namespace keyledger::testing
