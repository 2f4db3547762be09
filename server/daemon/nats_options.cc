#include "server/daemon/nats_options.h"

#include <utility>

namespace keyledger::server {

replication::NatsConnectionOptions nats_connection_options(const NatsConfig& nats,
                                                           std::string name) {
  replication::NatsConnectionOptions options;
  options.urls = nats.urls;
  options.user = nats.user;
  options.password = nats.password;
  options.ca_file = nats.ca_file;
  options.name = std::move(name);
  return options;
}

}  // namespace keyledger::server
