// The HTTP/1.1 front end on Boost.Beast: an acceptor and one session object
// per connection. Each session reads one request at a time (pipelined
// requests queue in its buffer), with explicit limits on header and body
// size and a deadline on every read and write, hands the request to a
// RequestHandler and writes the answer.
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

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <vector>

#include "server/http/connection_timers.h"
#include "server/http/http_types.h"
#include "server/http/tcp_listener.h"

namespace keyledger::server {

struct HttpLimits {
  std::size_t max_header_bytes = 16 * 1024;
  std::size_t max_body_bytes = 64 * 1024;
  std::chrono::seconds read_timeout{15};
  std::chrono::seconds write_timeout{15};
  std::chrono::seconds idle_timeout{60};  // keep-alive connection with no request
};

// Turns a parsed request into a response; `respond` may be called later,
// from any thread, exactly once.
class RequestHandler {
 public:
  virtual ~RequestHandler() = default;
  virtual void handle(std::shared_ptr<Exchange> exchange, Respond respond) = 0;
  // The response to a request that could not be read (too large, malformed).
  virtual HttpResponse reject(std::string_view code, unsigned status, const HttpRequest* partial,
                              std::string_view client_ip) = 0;
};

class HttpServer {
 public:
  // `connections` caps open connections; it outlives the server, as do
  // `timers` (made for every session context) and `log`. Sessions are
  // spread over `session_contexts` (empty: all on `io`), each of which must
  // be run by exactly one thread.
  HttpServer(boost::asio::io_context& io, RequestHandler& handler, HttpLimits limits,
             ConnectionLimiter& connections, TimerService& timers, JsonLog& log,
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

 private:
  RequestHandler& handler_;
  HttpLimits limits_;
  TcpListener listener_;
};

}  // namespace keyledger::server
