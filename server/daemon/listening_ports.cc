#include "server/daemon/listening_ports.h"

#include <string>

#include "server/daemon/part_options.h"
#include "server/daemon/start_failure.h"
#include "server/http/tcp_listener.h"

namespace keyledger::server {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// What to do about an address that cannot be bound, in the words of `flag`.
std::string bind_advice(const Status& status, const std::string& flag) {
  if (status.is(Reason::kAddressInUse))
    return "address already in use; is another keyledgerd running? choose another with " + flag;
  if (status.is(Reason::kAddressNotAvailable))
    return "no network interface of this machine has that address; choose another with " + flag;
  if (status.is(Reason::kAddressForbidden))
    return "permission denied (ports below 1024 need privileges); choose another with " + flag;
  return status.message() + "; choose another with " + flag;
}

// Binds `endpoint`, given with `flag`, on `io`; on failure writes the
// error line and leaves `exit_code` set.
std::optional<tcp::acceptor> bind_port(asio::io_context& io, const Endpoint& endpoint,
                                       const std::string& flag, JsonLog& log, int& exit_code) {
  const std::string shown = url_host(endpoint.host) + ":" + std::to_string(endpoint.port);
  const LogFields fields = {{"address", shown}, {"flag", flag}};
  boost::system::error_code address_error;
  const auto address = asio::ip::make_address(endpoint.host, address_error);
  if (address_error) {
    exit_code = fail_start(
        log, kExitUsage, flag,
        invalid_argument(Reason::kBadAddress, "'" + endpoint.host + "' is not an IP address"),
        fields);
    return std::nullopt;
  }
  auto bound = bind_listening_socket(io, {address, endpoint.port});
  if (!bound.is_ok()) {
    exit_code = fail_start(
        log, kExitAddressUnavailable, "cannot listen on " + shown,
        Status(bound.status().code(), bound.status().reason_id(),
               bind_advice(bound.status(), flag) + " (" + bound.status().message() + ")"),
        fields);
    return std::nullopt;
  }
  return std::move(*bound);
}

}  // namespace

int bind_listening_ports(const ServerConfig& config, asio::io_context& io, JsonLog& log,
                         ListeningPorts& ports) {
  int exit_code = 0;
  ports.http = bind_port(io, config.listen, "--listen", log, exit_code);
  if (!ports.http) return exit_code;
  if (config.verify_listen) {
    ports.verify = bind_port(io, *config.verify_listen, "--verify-listen", log, exit_code);
    if (!ports.verify) return exit_code;
  }
  return 0;
}

}  // namespace keyledger::server
