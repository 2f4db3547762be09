// Raw client connections on loopback for abuse tests: each socket can be
// bound to its own source address (127.0.0.2, 127.0.0.3, …) so one test
// process acts as many distinct clients, and every wait has a deadline so a
// server that never answers fails the test instead of hanging it.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <string>
#include <string_view>

namespace keyledger::testing {

using std::chrono::milliseconds;

struct RawHttpResponse {
  bool complete = false;  // a whole response was parsed
  unsigned status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
};

class LoopbackConnection {
 public:
  // Connects from `source_ip` (any 127.x.y.z) to 127.0.0.1:`port`. A refused
  // or failed connect leaves the object not connected(); it never throws.
  LoopbackConnection(const std::string& source_ip, unsigned short port);
  ~LoopbackConnection();
  LoopbackConnection(LoopbackConnection&& other) noexcept;
  LoopbackConnection& operator=(LoopbackConnection&& other) noexcept;
  LoopbackConnection(const LoopbackConnection&) = delete;
  LoopbackConnection& operator=(const LoopbackConnection&) = delete;

  bool connected() const { return fd_ >= 0; }
  // Sends every byte; false when the peer has closed or reset the connection.
  bool send(std::string_view bytes);
  // The first bytes that arrive; empty when the peer closes first or
  // `timeout` passes.
  std::string receive_some(milliseconds timeout);
  // Whatever arrives until the peer closes or `timeout` passes.
  std::string receive_until_closed(milliseconds timeout);
  // True when the peer closes (end of stream or reset) within `timeout`;
  // data that arrives meanwhile is read and dropped.
  bool closed_by_peer(milliseconds timeout);
  // Reads until one whole HTTP response has arrived (the connection stays
  // open for the next request), the peer closes, or `timeout` passes.
  RawHttpResponse read_response(milliseconds timeout);
  // Half-closes: the server sees the end of the stream, we can still read.
  void shutdown_write();
  // Closes with a reset (SO_LINGER 0), like a client that vanishes.
  void abort();
  void close();

 private:
  // One read that waits at most until `deadline`: the bytes read (> 0), 0
  // when the peer closed or reset the connection, -1 at the deadline.
  ssize_t read_before(std::chrono::steady_clock::time_point deadline, char* into, std::size_t size);

  int fd_ = -1;
  std::string pending_;  // bytes read past the last response
};

// Parses the first HTTP/1.1 response in `bytes`.
RawHttpResponse parse_http_response(const std::string& bytes);

// Sends `request` (raw bytes; include "Connection: close") from `source_ip`
// and parses the answer read until the server closes or `timeout` passes.
RawHttpResponse http_exchange_from(const std::string& source_ip, unsigned short port,
                                   std::string_view request,
                                   milliseconds timeout = milliseconds(5000));

// A well-formed request with Host and Connection: close, and Content-Length
// when `body` is not empty. `headers` are written verbatim, each "Name: value".
std::string http_request_text(std::string_view method, std::string_view target,
                              const std::map<std::string, std::string>& headers = {},
                              std::string_view body = {});

}  // namespace keyledger::testing
