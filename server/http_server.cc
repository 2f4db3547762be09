#include "server/http_server.h"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <optional>

#include "server/http_request_parsing.h"

namespace keyledger::server {
namespace beast = boost::beast;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(tcp::socket&& socket, ConnectionSlot slot, RequestHandler& handler,
              const HttpLimits& limits)
      : slot_(std::move(slot)),
        stream_(std::move(socket)),
        handler_(handler),
        limits_(limits),
        // A header is parsed whole from the buffer, so the buffer must hold
        // more than the header limit; otherwise an oversized header fails
        // as a buffer overflow (400) before the limit (431) is ever seen.
        buffer_(limits.max_header_bytes + kReadAhead) {
    beast::error_code ignored;
    auto peer = stream_.socket().remote_endpoint(ignored);
    peer_ip_ = ignored ? std::string() : peer.address().to_string();
    if (peer.address().is_v6() && peer.address().to_v6().is_v4_mapped())
      peer_ip_ = asio::ip::make_address_v4(asio::ip::v4_mapped, peer.address().to_v6()).to_string();
  }

  void start() {
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->read(true); });
  }

 private:
  void read(bool first) {
    parser_.emplace();
    limit_request_parser(*parser_, limits_);
    // A keep-alive connection may idle between requests; once a request
    // has started, the (shorter) read timeout applies to all of it.
    stream_.expires_after(first || buffer_.size() > 0 ? limits_.read_timeout
                                                      : limits_.idle_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code error, std::size_t) {
                       self->on_read(error);
                     });
  }

  void on_read(beast::error_code error) {
    if (error == http::error::end_of_stream || error == beast::error::timeout ||
        error == asio::error::connection_reset || error == asio::error::eof ||
        error == asio::error::operation_aborted) {
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
    handler_.handle(exchange, [self = shared_from_this()](HttpResponse response) {
      // Handlers may answer from another thread (after a commit).
      asio::post(self->stream_.get_executor(), [self, response = std::move(response)]() mutable {
        self->write(std::move(response));
      });
    });
  }

  void write(HttpResponse response) {
    response_ = std::make_unique<HttpResponse>(std::move(response));
    // An answer to HEAD comes with the GET body's length already set and no
    // body; recomputing it here would announce 0 bytes.
    if (!response_->has_content_length()) response_->prepare_payload();
    stream_.expires_after(limits_.write_timeout);
    http::async_write(stream_, *response_,
                      [self = shared_from_this()](beast::error_code error, std::size_t) {
                        self->on_write(error);
                      });
  }

  void on_write(beast::error_code error) {
    const bool keep_alive = response_->keep_alive();
    response_.reset();
    if (error || !keep_alive) return close();
    read(false);
  }

  void close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.socket().close(ignored);
  }

  ConnectionSlot slot_;  // held while the session (and so its socket) lives
  beast::tcp_stream stream_;
  RequestHandler& handler_;
  const HttpLimits& limits_;
  std::string peer_ip_;
  static constexpr std::size_t kReadAhead = 8192;
  beast::flat_buffer buffer_;
  std::optional<RequestParser> parser_;
  std::unique_ptr<HttpResponse> response_;
};

}  // namespace

HttpServer::HttpServer(asio::io_context& io, RequestHandler& handler, HttpLimits limits,
                       ConnectionLimiter& connections)
    : handler_(handler),
      limits_(limits),
      listener_(io, connections, [this](tcp::socket socket, ConnectionSlot slot) {
        std::make_shared<HttpSession>(std::move(socket), std::move(slot), handler_, limits_)
            ->start();
      }) {}

HttpServer::~HttpServer() = default;

bool HttpServer::listen(const tcp::endpoint& endpoint, std::string& error) {
  return listener_.listen(endpoint, error);
}

tcp::endpoint HttpServer::local_endpoint() const { return listener_.local_endpoint(); }

void HttpServer::stop_accepting() { listener_.stop_accepting(); }

}  // namespace keyledger::server
