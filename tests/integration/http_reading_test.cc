// The server reads requests however their bytes arrive: one at a time,
// hundreds pipelined in one write, followed by the end of the stream, or
// cut off by it. (HttpSession parses from its own reads, not through
// Beast's http::async_read, so these are its cases to get right.)
#include <boost/asio.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <thread>

#include "tests/support/http_client.h"
#include "tests/support/server_process.h"

using namespace keyledger::testing;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

// Connects to the server on loopback; no delay, so each write is sent as it
// is made.
tcp::socket connect_to(asio::io_context& io, unsigned short port) {
  tcp::socket socket(io);
  socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  socket.set_option(tcp::no_delay(true));
  return socket;
}

// Everything the server sends until it closes the connection.
std::string read_to_end(tcp::socket& socket) {
  std::string received;
  char chunk[4096];
  boost::system::error_code error;
  while (!error) received.append(chunk, socket.read_some(asio::buffer(chunk), error));
  return received;
}

}  // namespace

TEST_CASE("requests are read however their bytes arrive", "[integration]") {
  ServerProcess server;
  asio::io_context io;
  const std::string request = "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";

  SECTION("one byte at a time") {
    tcp::socket socket = connect_to(io, server.port());
    for (char byte : request) {
      asio::write(socket, asio::buffer(&byte, 1));
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    const std::string answer = read_to_end(socket);
    CHECK(answer.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
    CHECK(count_of(answer, "HTTP/1.1 ") == 1);
  }
  SECTION("a body that arrives after its header, in pieces") {
    tcp::socket socket = connect_to(io, server.port());
    const std::string body = R"({"user":"admin","password":"wrong password"})";
    const std::string header =
        "POST /v1/login HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
        "Content-Type: application/json\r\nContent-Length: " +
        std::to_string(body.size()) + "\r\n\r\n";
    asio::write(socket, asio::buffer(header));
    for (std::size_t at = 0; at < body.size(); at += 7) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
      asio::write(socket, asio::buffer(body.substr(at, 7)));
    }
    // The whole body was read: the password was checked (401), not cut off (400).
    CHECK(read_to_end(socket).rfind("HTTP/1.1 401 ", 0) == 0);
  }
  SECTION("five hundred pipelined requests in one write, answered in order") {
    std::string requests;
    for (int i = 0; i < 499; ++i) requests += "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
    requests += "GET /nowhere HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    const std::string answers = raw_exchange(server.port(), requests, 20'000);
    CHECK(count_of(answers, "HTTP/1.1 200 OK\r\n") == 499);
    CHECK(count_of(answers, "HTTP/1.1 404 Not Found\r\n") == 1);
    CHECK(answers.rfind("HTTP/1.1 200") < answers.find("HTTP/1.1 404"));
  }
  SECTION("a whole request and then the end of the stream is answered") {
    tcp::socket socket = connect_to(io, server.port());
    asio::write(socket, asio::buffer(std::string("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")));
    socket.shutdown(tcp::socket::shutdown_send);
    const std::string answer = read_to_end(socket);
    CHECK(answer.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
    CHECK(count_of(answer, "HTTP/1.1 ") == 1);
  }
  SECTION("a request cut off by the end of the stream gets 400 and the connection closes") {
    for (const std::string& cut : {std::string("GET /healthz HTTP/1.1\r\nHost: x\r\n"),
                                   std::string("POST /v1/login HTTP/1.1\r\nHost: x\r\n"
                                               "Content-Length: 40\r\n\r\n{\"user\":")}) {
      INFO(cut);
      tcp::socket socket = connect_to(io, server.port());
      asio::write(socket, asio::buffer(cut));
      socket.shutdown(tcp::socket::shutdown_send);
      const std::string answer = read_to_end(socket);
      CHECK(answer.rfind("HTTP/1.1 400 Bad Request\r\n", 0) == 0);
      CHECK(count_of(answer, "HTTP/1.1 ") == 1);
    }
  }
  SECTION("a connection closed before any byte gets no answer") {
    tcp::socket socket = connect_to(io, server.port());
    socket.shutdown(tcp::socket::shutdown_send);
    CHECK(read_to_end(socket).empty());
  }
  // The server is still serving others after all of the above.
  CHECK(HttpClient(server.port()).get("/healthz").status == 200);
  CHECK(server.stop() == 0);
}
