#include "tests/support/loopback.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/beast/http.hpp>
#include <cctype>
#include <cerrno>
#include <utility>

namespace keyledger::testing {
namespace http = boost::beast::http;

namespace {

sockaddr_in loopback_address(const std::string& ip, unsigned short port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  ::inet_pton(AF_INET, ip.c_str(), &address.sin_addr);
  return address;
}

// Milliseconds left until `deadline`, at least 0.
int remaining_ms(std::chrono::steady_clock::time_point deadline) {
  auto left = std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now());
  return left.count() > 0 ? static_cast<int>(left.count()) : 0;
}

RawHttpResponse from_parser(http::response_parser<http::string_body>& parser) {
  RawHttpResponse out;
  if (!parser.is_header_done()) return out;
  const auto& response = parser.get();
  out.status = response.result_int();
  for (const auto& field : response) {
    std::string name(field.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out.headers[name] = std::string(field.value());
  }
  out.body = response.body();
  out.complete = parser.is_done();
  return out;
}

}  // namespace

LoopbackConnection::LoopbackConnection(const std::string& source_ip, unsigned short port) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return;
  sockaddr_in source = loopback_address(source_ip, 0);
  sockaddr_in server = loopback_address("127.0.0.1", port);
  if (::bind(fd_, reinterpret_cast<sockaddr*>(&source), sizeof source) != 0 ||
      ::connect(fd_, reinterpret_cast<sockaddr*>(&server), sizeof server) != 0) {
    close();
    return;
  }
  int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

LoopbackConnection::~LoopbackConnection() { close(); }

LoopbackConnection::LoopbackConnection(LoopbackConnection&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), pending_(std::move(other.pending_)) {}

LoopbackConnection& LoopbackConnection::operator=(LoopbackConnection&& other) noexcept {
  if (this != &other) {
    close();
    fd_ = std::exchange(other.fd_, -1);
    pending_ = std::move(other.pending_);
  }
  return *this;
}

bool LoopbackConnection::send(std::string_view bytes) {
  while (fd_ >= 0 && !bytes.empty()) {
    // MSG_NOSIGNAL: a closed peer is an answer (false), not a SIGPIPE.
    ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return fd_ >= 0;
}

ssize_t LoopbackConnection::read_before(std::chrono::steady_clock::time_point deadline, char* into,
                                        std::size_t size) {
  while (fd_ >= 0) {
    pollfd ready{fd_, POLLIN, 0};
    int polled = ::poll(&ready, 1, remaining_ms(deadline));
    if (polled < 0 && errno == EINTR) continue;
    if (polled <= 0) return -1;
    ssize_t n = ::recv(fd_, into, size, 0);
    if (n < 0 && errno == EINTR) continue;
    return n > 0 ? n : 0;  // an error on a stream socket is a reset: closed
  }
  return 0;
}

std::string LoopbackConnection::receive_some(milliseconds timeout) {
  char chunk[8192];
  ssize_t n = read_before(std::chrono::steady_clock::now() + timeout, chunk, sizeof chunk);
  return n > 0 ? std::string(chunk, static_cast<std::size_t>(n)) : std::string();
}

std::string LoopbackConnection::receive_until_closed(milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string received;
  char chunk[8192];
  for (ssize_t n; (n = read_before(deadline, chunk, sizeof chunk)) > 0;)
    received.append(chunk, static_cast<std::size_t>(n));
  return received;
}

bool LoopbackConnection::closed_by_peer(milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  char chunk[8192];
  for (;;) {
    ssize_t n = read_before(deadline, chunk, sizeof chunk);
    if (n == 0) return true;
    if (n < 0) return false;
  }
}

RawHttpResponse LoopbackConnection::read_response(milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  char chunk[8192];
  for (;;) {
    http::response_parser<http::string_body> parser;
    parser.eager(true);
    boost::beast::error_code error;
    std::size_t used = parser.put(boost::asio::buffer(pending_), error);
    if (!error && parser.is_done()) {
      pending_.erase(0, used);
      return from_parser(parser);
    }
    ssize_t n = read_before(deadline, chunk, sizeof chunk);
    if (n <= 0) break;
    pending_.append(chunk, static_cast<std::size_t>(n));
  }
  return parse_http_response(pending_);
}

void LoopbackConnection::shutdown_write() {
  if (fd_ >= 0) ::shutdown(fd_, SHUT_WR);
}

void LoopbackConnection::abort() {
  if (fd_ < 0) return;
  linger reset{1, 0};
  ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
  close();
}

void LoopbackConnection::close() {
  if (fd_ >= 0) ::close(std::exchange(fd_, -1));
}

RawHttpResponse parse_http_response(const std::string& bytes) {
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 * 1024 * 1024);
  parser.eager(true);
  boost::beast::error_code error;
  parser.put(boost::asio::buffer(bytes), error);
  if (error == http::error::need_more && parser.is_header_done() && !parser.is_done()) {
    // A body delimited by the end of the stream ends here.
    parser.put_eof(error);
  }
  return from_parser(parser);
}

RawHttpResponse http_exchange_from(const std::string& source_ip, unsigned short port,
                                   std::string_view request, milliseconds timeout) {
  LoopbackConnection connection(source_ip, port);
  if (!connection.connected()) return {};
  connection.send(request);  // a server that cuts the request short still answers
  return parse_http_response(connection.receive_until_closed(timeout));
}

std::string http_request_text(std::string_view method, std::string_view target,
                              const std::map<std::string, std::string>& headers,
                              std::string_view body) {
  std::string text = std::string(method) + " " + std::string(target) + " HTTP/1.1\r\n";
  text += "Host: 127.0.0.1\r\nConnection: close\r\n";
  for (const auto& [name, value] : headers) text += name + ": " + value + "\r\n";
  if (!body.empty() || method == "POST" || method == "PATCH")
    text += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  text += "\r\n";
  text += body;
  return text;
}

}  // namespace keyledger::testing
