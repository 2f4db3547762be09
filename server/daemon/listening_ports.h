// The ports keyledgerd serves, bound before anything is created: a start
// that cannot serve must leave no data folder, pepper or admin behind
// (whose one-time password it would have shown to nobody).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <optional>

#include "server/daemon/config.h"
#include "server/http/json_log.h"

namespace keyledger::server {

struct ListeningPorts {
  std::optional<boost::asio::ip::tcp::acceptor> http;
  std::optional<boost::asio::ip::tcp::acceptor> verify;  // with --verify-listen
};

// Binds --listen and, when given, --verify-listen on `io`, in that order.
// 0 with every port bound; otherwise the exit code (kExitUsage for an
// address that is not an IP address, kExitAddressUnavailable for one that
// cannot be bound) after the error line in `log`, which names the address,
// the flag and what to do.
int bind_listening_ports(const ServerConfig& config, boost::asio::io_context& io, JsonLog& log,
                         ListeningPorts& ports);

}  // namespace keyledger::server
