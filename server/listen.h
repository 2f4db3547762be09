// Opening a listening TCP socket the same way for every port keyledgerd
// serves.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <string>

namespace keyledger::server {

// Opens, binds and listens; on failure fills `error` and returns false.
inline bool open_listener(boost::asio::ip::tcp::acceptor& acceptor,
                          const boost::asio::ip::tcp::endpoint& endpoint, std::string& error) {
  boost::system::error_code ec;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(boost::asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(boost::asio::socket_base::max_listen_connections, ec);
  if (ec) error = ec.message();
  return !ec;
}

}  // namespace keyledger::server
