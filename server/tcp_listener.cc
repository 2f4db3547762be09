#include "server/tcp_listener.h"

#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

namespace keyledger::server {
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

TcpListener::TcpListener(asio::io_context& io, OnConnection on_connection)
    : io_(io),
      on_connection_(std::move(on_connection)),
      acceptor_(asio::make_strand(io)),
      retry_timer_(acceptor_.get_executor()) {}

bool TcpListener::listen(const tcp::endpoint& endpoint, std::string& error) {
  boost::system::error_code ec;
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    error = ec.message();
    return false;
  }
  accept();
  return true;
}

tcp::endpoint TcpListener::local_endpoint() const {
  boost::system::error_code ignored;
  return acceptor_.local_endpoint(ignored);
}

void TcpListener::stop_accepting() {
  asio::post(acceptor_.get_executor(), [this] {
    boost::system::error_code ignored;
    retry_timer_.cancel();
    acceptor_.close(ignored);
  });
}

void TcpListener::accept() {
  acceptor_.async_accept(asio::make_strand(io_),
                         [this](boost::system::error_code error, tcp::socket socket) {
                           if (error == asio::error::operation_aborted || !acceptor_.is_open())
                             return;
                           if (error) {
                             // Out of descriptors or memory: retrying at once would spin a core.
                             retry_timer_.expires_after(std::chrono::milliseconds(50));
                             retry_timer_.async_wait([this](boost::system::error_code wait_error) {
                               if (wait_error != asio::error::operation_aborted) accept();
                             });
                             return;
                           }
                           boost::system::error_code ignored;
                           socket.set_option(tcp::no_delay(true), ignored);
                           on_connection_(std::move(socket));
                           accept();
                         });
}

}  // namespace keyledger::server
