// An HTTP/1.1 client for the reliability suites that reports "no reply"
// as a value instead of throwing: a crashed or full server is the normal
// case here, not an error. Talks only to 127.0.0.1.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace keyledger::reliability {

struct Reply {
  unsigned status = 0;
  std::string body;
  std::string session_cookie;   // "name=value" of a Set-Cookie, if one came
  nlohmann::json json() const;  // discarded (is_discarded()) if not JSON
  // The first error's code from the error envelope, or "".
  std::string error_code() const;
};

struct SessionOptions {
  // Keep one connection open across requests (the soak). Off: a fresh
  // connection per request, so a request that got no reply is the only
  // one whose fate is unknown (the crash loop).
  bool keep_alive = false;
  std::chrono::milliseconds timeout{10'000};
};

class HttpSession {
 public:
  HttpSession(unsigned short port, SessionOptions options = {});
  ~HttpSession();
  HttpSession(const HttpSession&) = delete;
  HttpSession& operator=(const HttpSession&) = delete;

  // Sends one request. nullopt when no complete reply arrived (refused,
  // reset, timed out); the request may or may not have been applied.
  // `headers` are sent as given (e.g. MC-Api-Key).
  std::optional<Reply> send(const std::string& method, const std::string& target,
                            const std::string& json_body = "",
                            const std::map<std::string, std::string>& headers = {});
  // After a send that returned nullopt: true if no connection could be
  // made, so the request certainly never reached the server.
  bool never_connected() const { return never_connected_; }

 private:
  bool ensure_connected();
  void drop_connection();

  unsigned short port_;
  SessionOptions options_;
  bool never_connected_ = false;
  boost::asio::io_context io_;
  std::unique_ptr<boost::beast::tcp_stream> stream_;
};

}  // namespace keyledger::reliability
