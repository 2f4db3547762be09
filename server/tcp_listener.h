// Accepting TCP connections the same way for every port keyledgerd serves:
// each accepted socket gets its own strand and is handed to
// `on_connection`; an accept error (out of descriptors, say) waits briefly
// instead of spinning a core; stop_accepting() closes the socket so no new
// connection arrives while existing sessions finish.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <string>

namespace keyledger::server {

class TcpListener {
 public:
  using OnConnection = std::function<void(boost::asio::ip::tcp::socket)>;

  TcpListener(boost::asio::io_context& io, OnConnection on_connection);

  // Binds and starts accepting; on failure fills `error` and returns false.
  bool listen(const boost::asio::ip::tcp::endpoint& endpoint, std::string& error);
  // The bound endpoint (with the port the system chose for port 0).
  boost::asio::ip::tcp::endpoint local_endpoint() const;
  void stop_accepting();

 private:
  void accept();

  boost::asio::io_context& io_;
  OnConnection on_connection_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer retry_timer_;
};

}  // namespace keyledger::server
