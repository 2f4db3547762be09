// How every NATS connection of a node is made from its NATS flags: the
// leader's publisher and uses intake, a follower's stream and uses
// reports all connect with the same servers, credentials and CA.
#pragma once

#include <string>

#include "server/daemon/config.h"
#include "server/replication/nats_connection.h"

namespace keyledger::server {

// The connection options for `nats`, named `name` (what the NATS server's
// monitoring shows for the connection).
replication::NatsConnectionOptions nats_connection_options(const NatsConfig& nats,
                                                           std::string name);

}  // namespace keyledger::server
