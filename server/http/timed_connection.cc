#include "server/http/timed_connection.h"

namespace keyledger::server {

void TimedConnection::close(boost::asio::ip::tcp::socket::shutdown_type how) {
  deadline_.disarm();
  boost::system::error_code ignored;
  socket_.shutdown(how, ignored);
  socket_.close(ignored);
}

void TimedConnection::expire() {
  timed_out_ = true;
  boost::system::error_code ignored;
  socket_.close(ignored);
}

}  // namespace keyledger::server
