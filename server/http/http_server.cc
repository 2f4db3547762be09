#include "server/http/http_server.h"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <optional>

#include "server/http/http_request_parsing.h"
#include "server/http/request_target.h"
#include "server/http/response_serializer.h"
#include "server/http/responses.h"
#include "server/http/timed_connection.h"

namespace keyledger::server {
namespace beast = boost::beast;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

using Executor = asio::io_context::executor_type;
using Socket = asio::basic_stream_socket<tcp, Executor>;

// The HTTP part's own answers, to requests no route takes. Their codes and
// messages are the API's (docs, /openapi.json, server/http/i18n.cc).
struct FrontAnswer {
  unsigned status;
  std::string_view code;
  std::string_view message;  // English, when the translation table has none
};
constexpr FrontAnswer kBadTarget{400, "bad_request", "bad request target"};
constexpr FrontAnswer kBadQuery{400, "invalid_parameter", "bad query string"};
constexpr FrontAnswer kNoSuchRoute{404, "not_found", "not found"};
constexpr FrontAnswer kWrongMethod{405, "method_not_allowed", "method not allowed"};

HttpResponse front_answer(const Exchange& exchange, const FrontAnswer& answer) {
  return error_response(exchange, answer.status, answer.code, answer.message);
}

// Methods outside HTTP's known set are one label, so a client cannot grow
// the metrics without bound.
std::string_view method_label(const HttpRequest& request) {
  if (request.method() == http::verb::unknown) return "OTHER";
  return request.method_string();
}

// Errors that end a connection without an answer: the peer went away, or
// the connection was closed under the read.
bool closes_quietly(const beast::error_code& error) {
  return error == http::error::end_of_stream || error == asio::error::connection_reset ||
         error == asio::error::eof || error == asio::error::operation_aborted ||
         error == asio::error::bad_descriptor;
}

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(Socket&& socket, ConnectionSlot slot, ConnectionTimers& timers,
              HttpServer::Shared& shared)
      : connection_(std::move(socket), std::move(slot), timers),
        timers_(timers),
        clock_(timers.clock()),
        shared_(shared),
        limits_(shared.limits),
        // A header is parsed whole from the buffer, so the buffer must hold
        // more than the header limit; otherwise an oversized header fails
        // as a buffer overflow (400) before the limit (431) is ever seen.
        buffer_(shared.limits.max_header_bytes + kReadAhead) {
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

  // A whole request, or the error that ended its read: its exchange is
  // prepared and routed here, and its route's handler replies to write().
  void on_read(beast::error_code error) {
    // The handler's time is not timed; and a session whose answer comes
    // from another thread must not be listed in its context's timers.
    connection_.deadline().disarm();
    if (closes_quietly(error) || connection_.timed_out()) return close();
    started_ = clock_.now();
    shared_.in_flight.fetch_add(1);
    if (error) return reject(error);
    exchange_ = std::make_shared<Exchange>();
    Exchange& exchange = *exchange_;
    exchange.request = parser_->release();
    prepare(exchange);
    RequestTarget target;
    const TargetError target_error = parse_request_target(exchange.request.target(), target);
    exchange.path = std::move(target.path);
    if (target_error != TargetError::kNone)
      return write(
          front_answer(exchange, target_error == TargetError::kBadPath ? kBadTarget : kBadQuery));
    exchange.query = std::move(target.query);
    const Handler* handler = nullptr;
    std::string allowed;
    switch (shared_.router.match(exchange, handler, allowed)) {
      case Router::Match::kNotFound:
        return write(front_answer(exchange, kNoSuchRoute));
      case Router::Match::kWrongMethod:
        return write(RouteReply(front_answer(exchange, kWrongMethod))
                         .with_header(http::field::allow, std::move(allowed)));
      case Router::Match::kFound:
        break;
    }
    if (handler->answers_now()) {
      RouteReply reply = handler->answer_now(exchange);
      if (!reply.answers_later()) return write(std::move(reply));
      return std::move(reply).run_later(exchange_, respond());
    }
    (*handler)(exchange_, respond());
  }

  // How a route that answers later replies.
  Respond respond() {
    return [self = shared_from_this()](RouteReply reply) {
      // Handlers may answer from another thread (after a commit); one that
      // answers at once, on this thread, writes without a queued hop.
      if (self->connection_.socket().get_executor().running_in_this_thread())
        return self->write(std::move(reply));
      asio::post(self->connection_.socket().get_executor(),
                 [self, reply = std::move(reply)]() mutable { self->write(std::move(reply)); });
    };
  }

  // What every exchange learns before it is routed: the request id, the
  // language, the client (behind a trusted proxy, the one it names) and
  // whether it came over TLS.
  void prepare(Exchange& exchange) {
    exchange.client_ip = peer_ip_;
    exchange.executor = connection_.socket().get_executor();
    exchange.timers = &timers_;
    exchange.request_id = shared_.request_ids.next();
    exchange.language = negotiate_language(exchange.request[http::field::accept_language]);
    const TrustedPeers& proxies = shared_.front.trusted_proxies;
    if (proxies.contains(exchange.client_ip)) {
      exchange.client_ip =
          std::string(proxies.client_of(exchange.client_ip, exchange.request["X-Forwarded-For"]));
      exchange.secure = exchange.request["X-Forwarded-Proto"] == "https";
    }
  }

  // A request that could not be read: the code and status rejection_for()
  // chose, from what was read of its header (if all of it was), on a
  // connection that closes after the answer.
  void reject(const beast::error_code& error) {
    exchange_ = std::make_shared<Exchange>();
    Exchange& exchange = *exchange_;
    if (parser_->is_header_done()) exchange.request.base() = parser_->get().base();
    exchange.request.version(11);
    prepare(exchange);
    exchange.route = "rejected";
    const ReadRejection rejection = rejection_for(error);
    HttpResponse response =
        error_response(exchange, rejection.status, rejection.code, rejection.code);
    response.keep_alive(false);
    write(std::move(response), /*routed=*/false);
  }

  auto on_written() {
    return [self = shared_from_this()](beast::error_code error, std::size_t) {
      self->on_write(error);
    };
  }

  // The answer to the exchange being served, on the session's thread: made
  // HTTP (a failure Status becomes the error envelope), counted, logged,
  // and sent. `routed` is false for a rejection, which took no handler's
  // time and whose answer goes out as built.
  void write(RouteReply reply, bool routed = true) {
    HttpResponse response = std::move(reply).into_response(*exchange_);
    const auto duration = routed ? clock_.now() - started_ : std::chrono::nanoseconds(0);
    const unsigned status = response.result_int();
    shared_.front.requests.observe_request(exchange_->route, method_label(exchange_->request),
                                           status, duration);
    shared_.front.access_log.record(*exchange_, status, duration);
    shared_.in_flight.fetch_sub(1);
    // An answer to HEAD announces the length GET would send, and no body.
    if (routed && exchange_->request.method() == http::verb::head) {
      response.prepare_payload();
      response.body().clear();
    }
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
    exchange_.reset();
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
  ConnectionTimers& timers_;  // this connection's I/O thread's
  const MonotonicClock& clock_;
  HttpServer::Shared& shared_;
  const HttpLimits& limits_;
  std::string peer_ip_;
  // The request being served, from its read to its answer (one at a time:
  // the next is read once this one's answer is written).
  std::shared_ptr<Exchange> exchange_;
  MonotonicTime started_{};
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

HttpServer::HttpServer(asio::io_context& io, const Router& router, const HttpFront& front,
                       HttpLimits limits, ConnectionLimiter& connections, TimerService& timers,
                       JsonLog& log, std::vector<asio::io_context*> session_contexts)
    : shared_{router, front, limits, RequestIds(front.random)},
      listener_(
          io, connections, timers, log,
          [this](Socket socket, ConnectionSlot slot, ConnectionTimers& session_timers) {
            std::make_shared<HttpSession>(std::move(socket), std::move(slot), session_timers,
                                          shared_)
                ->start();
          },
          std::move(session_contexts)) {}

HttpServer::~HttpServer() = default;

void HttpServer::serve(tcp::acceptor bound) { listener_.start(std::move(bound)); }

Status HttpServer::listen(const tcp::endpoint& endpoint) { return listener_.listen(endpoint); }

tcp::endpoint HttpServer::local_endpoint() const { return listener_.local_endpoint(); }

void HttpServer::stop_accepting() { listener_.stop_accepting(); }

}  // namespace keyledger::server
