#include "server/http/http_server.h"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <optional>

#include "server/http/http_request_parsing.h"
#include "server/http/response_serializer.h"
#include "server/http/timed_connection.h"

namespace keyledger::server {
namespace beast = boost::beast;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

using Executor = asio::io_context::executor_type;
using Socket = asio::basic_stream_socket<tcp, Executor>;

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(Socket&& socket, ConnectionSlot slot, ConnectionTimers& timers,
              RequestHandler& handler, const HttpLimits& limits)
      : connection_(std::move(socket), std::move(slot), timers),
        handler_(handler),
        limits_(limits),
        // A header is parsed whole from the buffer, so the buffer must hold
        // more than the header limit; otherwise an oversized header fails
        // as a buffer overflow (400) before the limit (431) is ever seen.
        buffer_(limits.max_header_bytes + kReadAhead) {
    // write() tries a synchronous send first; it must never block.
    beast::error_code error;
    connection_.socket().non_blocking(true, error);
    peer_ip_ = client_address(connection_.socket());
  }

  void start() {
    asio::dispatch(connection_.socket().get_executor(),
                   [self = shared_from_this()] { self->read(true); });
  }

 private:
  // http::async_read, unrolled into its two steps: feed the parser what
  // the buffer holds, and read from the socket while it needs more.
  // Beast's composed read operations keep the io_context's work count up at
  // three levels per request (an atomic increment and decrement each),
  // which perf put at about 3% of the server's time under wrk. The errors
  // are Beast's: end_of_stream before any byte, buffer_overflow when the
  // buffer is full, and the parser's own; and the framing errors of
  // server/http/http_request_parsing.h. Every one is answered and closes.
  void read(bool first) {
    parser_.emplace();
    limit_request_parser(*parser_, limits_);
    // A keep-alive connection may idle between requests; once a request
    // has started, the (shorter) read timeout applies to all of it.
    connection_.deadline().arm(first || buffer_.size() > 0 ? limits_.read_timeout
                                                           : limits_.idle_timeout);
    // A request already buffered (pipelined) is parsed here: read() runs
    // from the queue (start(), on_write()), so a long pipeline does not
    // nest a call per request.
    parse_buffered();
  }

  void parse_buffered() {
    beast::error_code error;
    while (buffer_.size() > 0 && !parser_->is_done()) {
      // A request whose body cannot be read safely fails here, once its
      // header is complete and before any body byte is taken.
      const std::size_t used = put_request_bytes(*parser_, buffer_.data(), error);
      buffer_.consume(used);
      if (error == http::error::need_more) break;
      if (error) return on_read(error);
      if (used == 0) break;
    }
    if (parser_->is_done()) return on_read({});
    read_more();
  }

  void read_more() {
    const std::size_t room = beast::read_size(buffer_, 65536);
    if (room == 0) return on_read(http::error::buffer_overflow);
    connection_.socket().async_read_some(
        buffer_.prepare(room), [self = shared_from_this()](beast::error_code error, std::size_t n) {
          self->buffer_.commit(n);
          if (error == asio::error::eof) return self->on_eof();
          if (error) return self->on_read(error);
          self->parse_buffered();
        });
  }

  // The peer closed its side: the end of a request that runs to the end of
  // the stream, an incomplete one, or (before any byte) no request at all.
  void on_eof() {
    if (!parser_->got_some()) return on_read(http::error::end_of_stream);
    beast::error_code error;
    parser_->put_eof(error);
    on_read(error);
  }

  void on_read(beast::error_code error) {
    // The handler's time is not timed; and a session whose answer comes
    // from another thread must not be listed in its context's timers.
    connection_.deadline().disarm();
    if (error == http::error::end_of_stream || error == asio::error::connection_reset ||
        error == asio::error::eof || error == asio::error::operation_aborted ||
        error == asio::error::bad_descriptor || connection_.timed_out()) {
      return close();
    }
    if (error) {
      const ReadRejection rejection = rejection_for(error);
      const HttpRequest* partial = parser_->is_header_done() ? &parser_->get() : nullptr;
      HttpResponse response = handler_.reject(rejection.code, rejection.status, partial, peer_ip_);
      response.keep_alive(false);
      return write(std::move(response));
    }
    auto exchange = std::make_shared<Exchange>();
    exchange->request = parser_->release();
    exchange->client_ip = peer_ip_;
    exchange->executor = connection_.socket().get_executor();
    handler_.handle(std::move(exchange), [self = shared_from_this()](HttpResponse response) {
      // Handlers may answer from another thread (after a commit); one that
      // answers at once, on this thread, writes without a queued hop.
      if (self->connection_.socket().get_executor().running_in_this_thread())
        return self->write(std::move(response));
      asio::post(
          self->connection_.socket().get_executor(),
          [self, response = std::move(response)]() mutable { self->write(std::move(response)); });
    });
  }

  auto on_written() {
    return [self = shared_from_this()](beast::error_code error, std::size_t) {
      self->on_write(error);
    };
  }

  void write(HttpResponse response) {
    // An answer to HEAD comes with the GET body's length already set and no
    // body; recomputing it here would announce 0 bytes.
    if (!response.has_content_length()) response.prepare_payload();
    keep_alive_ = response.keep_alive();
    if (!is_serializable_whole(response)) {
      unusual_response_ = std::make_unique<HttpResponse>(std::move(response));
      connection_.deadline().arm(limits_.write_timeout);
      return http::async_write(connection_.socket(), *unusual_response_, on_written());
    }
    serialize_response(response, out_);
    // A small answer nearly always fits the socket's send buffer: written
    // at once, with no queued completion and no deadline to keep. Only the
    // rest (or all of it, when the buffer is full) waits for the socket.
    beast::error_code error;
    const std::size_t written = connection_.socket().write_some(asio::buffer(out_), error);
    if (error && error != asio::error::would_block) return on_write(error);
    if (!error && written == out_.size()) return on_write({});
    connection_.deadline().arm(limits_.write_timeout);
    asio::async_write(connection_.socket(), asio::buffer(out_) + (error ? 0 : written),
                      on_written());
  }

  void on_write(beast::error_code error) {
    connection_.deadline().disarm();
    unusual_response_.reset();
    // Keep the buffer for the next small answer, but not the megabytes of
    // one large one for the rest of a keep-alive connection.
    if (out_.capacity() > kKeptResponseCapacity) std::string().swap(out_);
    if (error || connection_.timed_out() || !keep_alive_) return close();
    // Read from the queue, behind the other connections' ready work: read
    // at once, the socket would nearly always be empty (the client has not
    // yet seen this answer), and Asio's first, speculative recv would only
    // return EAGAIN. A little later it more often finds the next request.
    asio::post(connection_.socket().get_executor(),
               [self = shared_from_this()] { self->read(false); });
  }

  void close() { connection_.close(tcp::socket::shutdown_send); }

  TimedConnection connection_;
  RequestHandler& handler_;
  const HttpLimits& limits_;
  std::string peer_ip_;
  static constexpr std::size_t kReadAhead = 8192;
  beast::flat_buffer buffer_;
  std::optional<RequestParser> parser_;
  static constexpr std::size_t kKeptResponseCapacity = 64u << 10;
  std::string out_;  // the serialised response; a small capacity is kept
  // A response serialize_response() does not write (chunked), kept alive
  // while Beast writes it.
  std::unique_ptr<HttpResponse> unusual_response_;
  bool keep_alive_ = false;
};

}  // namespace

HttpServer::HttpServer(asio::io_context& io, RequestHandler& handler, HttpLimits limits,
                       ConnectionLimiter& connections, TimerService& timers, JsonLog& log,
                       std::vector<asio::io_context*> session_contexts)
    : handler_(handler),
      limits_(limits),
      listener_(
          io, connections, timers, log,
          [this](Socket socket, ConnectionSlot slot, ConnectionTimers& session_timers) {
            std::make_shared<HttpSession>(std::move(socket), std::move(slot), session_timers,
                                          handler_, limits_)
                ->start();
          },
          std::move(session_contexts)) {}

HttpServer::~HttpServer() = default;

void HttpServer::serve(tcp::acceptor bound) { listener_.start(std::move(bound)); }

Status HttpServer::listen(const tcp::endpoint& endpoint) { return listener_.listen(endpoint); }

tcp::endpoint HttpServer::local_endpoint() const { return listener_.local_endpoint(); }

void HttpServer::stop_accepting() { listener_.stop_accepting(); }

}  // namespace keyledger::server
