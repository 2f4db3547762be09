// A connection's socket with the slot it holds and the deadline of its
// pending read or write: what an HTTP session and a verify-port session
// share. A deadline that expires closes the socket, so the pending read or
// write completes with an error and timed_out() tells the session why.
#pragma once

#include <boost/asio/ip/tcp.hpp>

#include "server/http/connection_limiter.h"
#include "server/http/connection_timers.h"
#include "server/http/tcp_listener.h"

namespace keyledger::server {

class TimedConnection {
 public:
  using Socket = TcpListener::SessionSocket;

  // `timers` outlives the connection (see Deadline).
  TimedConnection(Socket&& socket, ConnectionSlot slot, ConnectionTimers& timers)
      : slot_(std::move(slot)),
        socket_(std::move(socket)),
        deadline_(timers, [this] { expire(); }) {}
  // The deadline's callback holds `this`.
  TimedConnection(const TimedConnection&) = delete;
  TimedConnection& operator=(const TimedConnection&) = delete;

  Socket& socket() { return socket_; }
  // Armed only while a read or write is pending, whose handler keeps the
  // session (and so this connection) alive.
  Deadline& deadline() { return deadline_; }
  // Whether the deadline expired: the socket is closed.
  bool timed_out() const { return timed_out_; }

  // Disarms the deadline, shuts the socket down in direction `how`, and
  // closes it. Errors are ignored: the peer may be gone already.
  void close(boost::asio::ip::tcp::socket::shutdown_type how);

 private:
  void expire();

  ConnectionSlot slot_;  // held while the connection (and so its socket) lives
  Socket socket_;
  Deadline deadline_;
  bool timed_out_ = false;
};

}  // namespace keyledger::server
