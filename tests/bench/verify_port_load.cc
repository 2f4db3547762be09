#include "tests/bench/verify_port_load.h"

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <memory>
#include <stdexcept>

#include "core/stream_framing.h"
#include "server/client/verify_wire.h"

namespace keyledger::bench {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// One connection of the load generator. The request bytes are built once
// (redis-benchmark also reuses its command buffer); every answer is decoded
// and must say the key is valid.
class LoadConnection {
 public:
  LoadConnection(asio::io_context& io, std::string batch, int depth, std::uint64_t& answered,
                 std::uint64_t& errors, const bool& stopping)
      : socket_(io),
        batch_(std::move(batch)),
        depth_(depth),
        answered_(answered),
        errors_(errors),
        stopping_(stopping) {}

  void start(unsigned short port) {
    socket_.connect({asio::ip::make_address("127.0.0.1"), port});
    socket_.set_option(tcp::no_delay(true));
    send();
  }

 private:
  void send() {
    if (stopping_) return;
    outstanding_ = depth_;
    asio::async_write(socket_, asio::buffer(batch_),
                      [this](boost::system::error_code error, std::size_t) {
                        if (error) return fail();
                        receive();
                      });
  }

  void receive() {
    socket_.async_read_some(asio::buffer(chunk_), [this](boost::system::error_code error,
                                                         std::size_t n) {
      if (error) return fail();
      buffer_.append(chunk_.data(), n);
      std::size_t used = 0;
      for (;;) {
        auto size =
            complete_frame_size(std::string_view(buffer_).substr(used), client::kMaxAnswerBytes);
        if (!size.is_ok()) return fail();
        if (*size == 0) break;
        client::VerifyAnswer answer;
        std::uint64_t id = 0;
        if (!client::decode_verify_answer(std::string_view(buffer_).substr(used, *size), answer, id)
                 .is_ok() ||
            !answer.valid())
          ++errors_;
        used += *size;
        --outstanding_;
        ++answered_;
      }
      buffer_.erase(0, used);
      if (outstanding_ > 0) return receive();
      send();
    });
  }

  void fail() {
    ++errors_;
    boost::system::error_code ignored;
    socket_.close(ignored);
  }

  tcp::socket socket_;
  std::string batch_;
  int depth_;
  int outstanding_ = 0;
  std::string buffer_;
  std::array<char, 16384> chunk_;
  std::uint64_t& answered_;
  std::uint64_t& errors_;
  const bool& stopping_;
};

}  // namespace

LoadResult verify_port_load(unsigned short port, const std::vector<std::string>& tokens,
                            int connections, int depth, double seconds) {
  asio::io_context io;
  std::uint64_t answered = 0, errors = 0;
  bool stopping = false;
  std::vector<std::unique_ptr<LoadConnection>> load;
  for (int c = 0; c < connections; ++c) {
    std::string batch;
    for (int i = 0; i < depth; ++i)
      batch +=
          client::encode_verify_request(static_cast<std::uint64_t>(i + 1),
                                        tokens[static_cast<std::size_t>(c) % tokens.size()], "");
    load.push_back(
        std::make_unique<LoadConnection>(io, std::move(batch), depth, answered, errors, stopping));
    load.back()->start(port);
  }
  std::uint64_t answered_at_start = 0;
  std::chrono::steady_clock::time_point started;
  asio::steady_timer timer(io);
  timer.expires_after(std::chrono::milliseconds(200));
  timer.async_wait([&](boost::system::error_code) {
    answered_at_start = answered;
    started = std::chrono::steady_clock::now();
    timer.expires_after(std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        std::chrono::duration<double>(seconds)));
    timer.async_wait([&](boost::system::error_code) { stopping = true; });
  });
  io.run();  // ends when every connection finished its last batch
  const double elapsed = seconds_since(started);
  if (errors > 0) throw std::runtime_error(std::to_string(errors) + " verify answers failed");
  return {static_cast<double>(answered - answered_at_start) / elapsed, answered};
}

}  // namespace keyledger::bench
