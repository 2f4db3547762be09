#include "tests/support/http_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <chrono>

namespace keyledger::testing {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

nlohmann::json HttpResult::json() const { return nlohmann::json::parse(body, nullptr, false); }

std::string HttpResult::error_code() const {
  auto parsed = json();
  if (parsed.is_discarded() || !parsed.is_object() || !parsed.contains("errors")) return "";
  const auto& errors = parsed["errors"];
  if (!errors.is_array() || errors.empty() || !errors[0].contains("code")) return "";
  return errors[0]["code"].get<std::string>();
}

namespace {

HttpResult result_of(const http::response<http::string_body>& response) {
  HttpResult result;
  result.status = response.result_int();
  for (const auto& field : response) {
    std::string name(field.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    result.headers[name] = std::string(field.value());
  }
  result.body = response.body();
  return result;
}

}  // namespace

HttpResult HttpClient::request(const std::string& method, const std::string& target,
                               const std::string& body,
                               const std::map<std::string, std::string>& headers) {
  asio::io_context io;
  beast::tcp_stream stream(io);
  stream.expires_after(std::chrono::seconds(30));
  stream.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_));
  http::request<http::string_body> request{http::string_to_verb(method), target, 11};
  request.set(http::field::host, "127.0.0.1");
  if (!cookie_.empty()) request.set(http::field::cookie, cookie_);
  if (!csrf_.empty() && send_csrf_) request.set("X-CSRF-Token", csrf_);
  for (const auto& [name, value] : headers) request.set(name, value);
  if (!body.empty() || method == "POST" || method == "PATCH") {
    request.body() = body;
    request.prepare_payload();
  }
  http::write(stream, request);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 * 1024 * 1024);
  http::read(stream, buffer, parser);
  HttpResult result = result_of(parser.get());
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  return result;
}

HttpResult HttpClient::post_json(const std::string& target, const nlohmann::json& body,
                                 std::map<std::string, std::string> headers) {
  headers.emplace("Content-Type", "application/json");
  return request("POST", target, body.dump(), headers);
}

HttpResult HttpClient::patch_json(const std::string& target, const nlohmann::json& body,
                                  std::map<std::string, std::string> headers) {
  headers.emplace("Content-Type", "application/json");
  return request("PATCH", target, body.dump(), headers);
}

HttpResult HttpClient::login(const std::string& user, const std::string& password) {
  forget_session();
  HttpResult result = post_json("/v1/login", {{"user", user}, {"password", password}});
  if (result.status == 200) {
    std::string cookie = result.headers["set-cookie"];
    cookie_ = cookie.substr(0, cookie.find(';'));
    csrf_ = result.json()["csrf_token"].get<std::string>();
  }
  return result;
}

HttpResult parse_raw_response(const std::string& raw) {
  http::response_parser<http::string_body> parser;
  parser.eager(true);
  beast::error_code error;
  parser.put(asio::buffer(raw), error);
  if (error || !parser.is_done()) {
    HttpResult result;
    result.body = raw;
    return result;
  }
  return result_of(parser.get());
}

std::size_t count_of(const std::string& text, const std::string& needle) {
  std::size_t count = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1))
    ++count;
  return count;
}

std::string raw_exchange(unsigned short port, const std::string& bytes, int timeout_ms) {
  asio::io_context io;
  beast::tcp_stream stream(io);
  stream.expires_after(std::chrono::milliseconds(timeout_ms));
  stream.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  beast::error_code error;
  asio::write(stream.socket(), asio::buffer(bytes), error);
  std::string received;
  char chunk[4096];
  while (true) {
    std::size_t n = stream.read_some(asio::buffer(chunk), error);
    received.append(chunk, n);
    if (error) break;
  }
  return received;
}

}  // namespace keyledger::testing
