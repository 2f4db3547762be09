// A small synchronous HTTP/1.1 client for integration tests (Beast), with a
// cookie jar and optional CSRF header, talking only to 127.0.0.1.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>

namespace keyledger::testing {

struct HttpResult {
  unsigned status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  nlohmann::json json() const;
  // The first error's code from the error envelope, or "".
  std::string error_code() const;
};

class HttpClient {
 public:
  explicit HttpClient(unsigned short port) : port_(port) {}

  // Sends one request on a fresh connection. `headers` are added as given;
  // the cookie jar and CSRF token (after login) are added automatically.
  HttpResult request(const std::string& method, const std::string& target,
                     const std::string& body = "",
                     const std::map<std::string, std::string>& headers = {});
  HttpResult get(const std::string& target,
                 const std::map<std::string, std::string>& headers = {}) {
    return request("GET", target, "", headers);
  }
  HttpResult post_json(const std::string& target, const nlohmann::json& body,
                       std::map<std::string, std::string> headers = {});
  HttpResult patch_json(const std::string& target, const nlohmann::json& body,
                        std::map<std::string, std::string> headers = {});
  HttpResult del(const std::string& target,
                 const std::map<std::string, std::string>& headers = {}) {
    return request("DELETE", target, "", headers);
  }

  // Signs in; keeps the session cookie and CSRF token. Returns the result.
  HttpResult login(const std::string& user, const std::string& password);
  void forget_session() {
    cookie_.clear();
    csrf_.clear();
  }
  const std::string& csrf_token() const { return csrf_; }
  void set_send_csrf(bool send) { send_csrf_ = send; }

 private:
  unsigned short port_;
  std::string cookie_;  // "kl_session=…"
  std::string csrf_;
  bool send_csrf_ = true;
};

// Sends raw bytes on a fresh connection and returns whatever comes back
// until the server closes or `timeout_ms` passes.
std::string raw_exchange(unsigned short port, const std::string& bytes, int timeout_ms = 3000);

// The first HTTP response in what raw_exchange() returned; status 0 (and
// the raw text as the body) when it does not begin with a complete one.
HttpResult parse_raw_response(const std::string& raw);

// How often `needle` occurs in `text` (overlaps counted): answers in what
// raw_exchange returned, for example.
std::size_t count_of(const std::string& text, const std::string& needle);

}  // namespace keyledger::testing
