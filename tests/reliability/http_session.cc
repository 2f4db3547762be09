#include "tests/reliability/http_session.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

namespace keyledger::reliability {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

nlohmann::json Reply::json() const { return nlohmann::json::parse(body, nullptr, false); }

std::string Reply::error_code() const {
  auto parsed = json();
  if (parsed.is_discarded() || !parsed.is_object() || !parsed.contains("errors")) return "";
  const auto& errors = parsed["errors"];
  if (!errors.is_array() || errors.empty() || !errors[0].is_object() ||
      !errors[0].contains("code") || !errors[0]["code"].is_string())
    return "";
  return errors[0]["code"].get<std::string>();
}

HttpSession::HttpSession(unsigned short port, SessionOptions options)
    : port_(port), options_(options) {}

HttpSession::~HttpSession() { drop_connection(); }

bool HttpSession::ensure_connected() {
  if (stream_) return true;
  stream_ = std::make_unique<beast::tcp_stream>(io_);
  stream_->expires_after(options_.timeout);
  beast::error_code error;
  stream_->socket().connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_), error);
  if (error) {
    drop_connection();
    return false;
  }
  return true;
}

void HttpSession::drop_connection() {
  if (!stream_) return;
  beast::error_code ignored;
  stream_->socket().shutdown(tcp::socket::shutdown_both, ignored);
  stream_->socket().close(ignored);
  stream_.reset();
}

std::optional<Reply> HttpSession::send(const std::string& method, const std::string& target,
                                       const std::string& json_body,
                                       const std::map<std::string, std::string>& headers) {
  never_connected_ = !ensure_connected();
  if (never_connected_) return std::nullopt;
  http::request<http::string_body> request{http::string_to_verb(method), target, 11};
  request.set(http::field::host, "127.0.0.1");
  request.keep_alive(options_.keep_alive);
  for (const auto& [name, value] : headers) request.set(name, value);
  if (!json_body.empty()) {
    request.set(http::field::content_type, "application/json");
    request.body() = json_body;
  }
  request.prepare_payload();
  beast::error_code error;
  stream_->expires_after(options_.timeout);
  http::write(*stream_, request, error);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 * 1024 * 1024);
  if (!error) http::read(*stream_, buffer, parser, error);
  if (error) {
    drop_connection();
    return std::nullopt;
  }
  auto response = parser.release();
  Reply reply{response.result_int(), std::move(response.body()), {}};
  if (auto cookie = response.find(http::field::set_cookie); cookie != response.end()) {
    std::string_view value = cookie->value();
    reply.session_cookie = std::string(value.substr(0, value.find(';')));
  }
  if (!options_.keep_alive || !response.keep_alive()) drop_connection();
  return reply;
}

}  // namespace keyledger::reliability
