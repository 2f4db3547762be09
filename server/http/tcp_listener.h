// Accepting TCP connections the same way for every port keyledgerd serves:
// each accepted socket is placed on one of the session io_contexts (round
// robin; one per I/O thread, so a connection stays on one thread and its
// session needs no locks or strand) and is handed to
// `on_connection` with the connection's slot in the ConnectionLimiter (the
// session keeps it while open) and the ConnectionTimers of its io_context,
// on which the session times itself; a connection over a cap is closed at once,
// counted, and logged at most every few seconds; an accept error (out of
// descriptors, say) waits briefly instead of spinning a core;
// stop_accepting() closes the socket so no new connection arrives while
// existing sessions finish.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "server/http/connection_limiter.h"
#include "server/http/connection_timers.h"
#include "server/http/json_log.h"

namespace keyledger::server {

// The client's address as text, one spelling per client whatever the socket
// family (an IPv4 client on a dual-stack socket is its IPv4 address), so
// limits, logs and last use all count it as itself. Empty if the peer is
// already gone.
std::string client_address(const boost::asio::ip::tcp::endpoint& peer,
                           const boost::system::error_code& error);
template <typename Socket>
std::string client_address(const Socket& socket) {
  boost::system::error_code error;
  const auto peer = socket.remote_endpoint(error);
  return client_address(peer, error);
}

// Binds `endpoint` and listens, but accepts nothing: keyledgerd binds every
// port it serves before it creates anything, so a taken address fails the
// start with nothing created, and a port 0 is known before the parts that
// show it are built. Connections arriving meanwhile wait in the kernel's
// backlog until a TcpListener on the same `io` starts accepting them.
// Refusals are kUnavailable with the reason address_in_use (EADDRINUSE),
// address_not_available (EADDRNOTAVAIL: no such local address),
// address_forbidden (EACCES: a privileged port) or listen_failed, and the
// system's message.
StatusOr<boost::asio::ip::tcp::acceptor> bind_listening_socket(
    boost::asio::io_context& io, const boost::asio::ip::tcp::endpoint& endpoint);

class TcpListener {
 public:
  // A connection's socket, bound to the session io_context it was placed on
  // (which one thread runs), with the concrete executor type: its session
  // needs no strand and makes no type-erased calls.
  using SessionSocket = boost::asio::basic_stream_socket<boost::asio::ip::tcp,
                                                         boost::asio::io_context::executor_type>;
  using OnConnection = std::function<void(SessionSocket, ConnectionSlot, ConnectionTimers&)>;

  // `connections` is shared by every listener of the process and outlives
  // them, as do `timers` (made for every session context; its clock also
  // spaces the refusal log lines) and `log` (refusals are logged there).
  // `session_contexts` (empty: `io` alone) receive the accepted sockets;
  // they outlive the listener. The acceptor itself runs on `io`.
  TcpListener(boost::asio::io_context& io, ConnectionLimiter& connections, TimerService& timers,
              JsonLog& log, OnConnection on_connection,
              std::vector<boost::asio::io_context*> session_contexts = {});

  // Starts accepting on `bound`, from bind_listening_socket() on the same
  // `io`. Called once.
  void start(boost::asio::ip::tcp::acceptor bound);
  // Binds and starts accepting; refused as bind_listening_socket() refuses.
  Status listen(const boost::asio::ip::tcp::endpoint& endpoint);
  // The bound endpoint (with the port the system chose for port 0).
  boost::asio::ip::tcp::endpoint local_endpoint() const;
  void stop_accepting();

 private:
  void accept();
  void admit(SessionSocket socket, ConnectionTimers& timers);
  void log_refusal(ConnectionLimiter::Refusal refusal);

  boost::asio::io_context& io_;
  std::vector<boost::asio::io_context*> session_contexts_;
  std::vector<ConnectionTimers*> session_timers_;  // [i] times session_contexts_[i]
  std::size_t next_context_ = 0;                   // touched only on the acceptor's strand
  ConnectionLimiter& connections_;
  const MonotonicClock& clock_;
  JsonLog& log_;
  OnConnection on_connection_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer retry_timer_;
  // Refusals since the last log line; touched only on the acceptor's strand.
  std::uint64_t unlogged_refusals_ = 0;
  std::optional<MonotonicTime> last_refusal_log_;
};

}  // namespace keyledger::server
