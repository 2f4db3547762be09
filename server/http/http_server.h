// The HTTP/1.1 front end on Boost.Beast: an acceptor and one session object
// per connection. Each session reads one request at a time (pipelined
// requests queue in its buffer), with explicit limits on header and body
// size and a deadline on every read and write, and serves it whole:
// prepares the exchange (request id, language, the client behind a trusted
// proxy), routes it, hands it to its route's handler, and writes the answer,
// counted and logged. A failure Status a handler replies with becomes the
// error envelope here; so do the HTTP part's own answers (no such route,
// wrong method, a target or a request that cannot be read).
//
// The deadlines are the session's own (server/http/connection_timers.h), on the
// clock of the injected TimerService: the read timeout runs from the start
// of a request to its end (header and body), the idle timeout while a
// keep-alive connection waits for its next request, the write timeout while
// an answer waits for the client to take it; nothing is timed while the
// handler works. A connection past its deadline is closed without an
// answer.
//
// A session lives on one io_context run by one thread, so it needs no
// strand; its socket has that context's concrete executor type (no
// type-erased executor on every operation), and it writes the response it
// serialised itself into a buffer kept for the connection.
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <vector>

#include "core/random.h"
#include "server/http/access_log.h"
#include "server/http/connection_timers.h"
#include "server/http/http_types.h"
#include "server/http/request_ids.h"
#include "server/http/request_observer.h"
#include "server/http/router.h"
#include "server/http/tcp_listener.h"
#include "server/http/trusted_peers.h"

namespace keyledger::server {

struct HttpLimits {
  std::size_t max_header_bytes = 16 * 1024;
  std::size_t max_body_bytes = 64 * 1024;
  std::chrono::seconds read_timeout{15};
  std::chrono::seconds write_timeout{15};
  std::chrono::seconds idle_timeout{60};  // keep-alive connection with no request
};

// What every request gets before its route's handler runs and after it
// answers. Each outlives the server.
struct HttpFront {
  const TrustedPeers& trusted_proxies;  // whose X-Forwarded-For is believed
  RandomSource& random;                 // keys the request ids (RequestIds)
  RequestObserver& requests;            // counts every answer
  AccessLog& access_log;                // logs every answer
};

class HttpServer {
 public:
  // Serves the routes of `router`, which is complete before the first
  // request and outlives the server. `connections` caps open connections;
  // it outlives the server, as do `timers` (made for every session
  // context; their clock times each request) and `log`. Sessions are spread
  // over `session_contexts` (empty: all on `io`), each of which must be run
  // by exactly one thread.
  HttpServer(boost::asio::io_context& io, const Router& router, const HttpFront& front,
             HttpLimits limits, ConnectionLimiter& connections, TimerService& timers, JsonLog& log,
             std::vector<boost::asio::io_context*> session_contexts = {});
  ~HttpServer();

  // Starts accepting on a socket bound already (bind_listening_socket() on
  // the same `io`).
  void serve(boost::asio::ip::tcp::acceptor bound);
  // Binds and starts accepting; refused as bind_listening_socket() refuses.
  // local_endpoint() then says the port the system chose for port 0.
  Status listen(const boost::asio::ip::tcp::endpoint& endpoint);
  boost::asio::ip::tcp::endpoint local_endpoint() const;
  // Stops accepting new connections; open sessions finish their request.
  void stop_accepting();
  // Requests read but not yet answered.
  int in_flight() const { return shared_.in_flight.load(); }

  // What every session of the server reads; the server outlives them all.
  struct Shared {
    const Router& router;
    HttpFront front;
    HttpLimits limits;
    RequestIds request_ids;
    std::atomic<int> in_flight{0};
  };

 private:
  Shared shared_;
  TcpListener listener_;
};

}  // namespace keyledger::server
