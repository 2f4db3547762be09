// What the tests of keyledger_cluster_tests share: one NATS cluster per
// process, fresh stream names, and JetStreamEventStreams connected as the
// leader or a follower.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "server/replication/jetstream_stream.h"
#include "tests/support/nats_cluster.h"

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

}  // namespace keyledger::testing
