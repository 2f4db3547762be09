#include "server/client/async_verify_client.h"

#include <array>
#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <cassert>
#include <chrono>
#include <deque>
#include <thread>

#include "core/stream_framing.h"
#include "server/client/verify_wire.h"

namespace keyledger::client {
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// Everything below runs on the I/O thread, except submit(), which only
// counts and posts. Handlers carry the connection generation they were
// started for, so those of a connection already given up are ignored.
class AsyncVerifyClient::Engine {
 public:
  Engine(std::vector<VerifyEndpoint> endpoints, AsyncVerifyOptions options)
      : endpoints_(std::move(endpoints)),
        options_(options),
        socket_(io_),
        watchdog_(io_),
        work_(asio::make_work_guard(io_)) {
    thread_ = std::thread([this] { io_.run(); });
  }

  ~Engine() {
    asio::post(io_, [this] {
      shutting_down_ = true;
      drop_connection();
      fail_all(unavailable(Reason::kClosed, "the verify client was closed"));
      work_.reset();
    });
    thread_.join();
  }

  void submit(VerifyQuery query, Callback done) {
    if (pending_.fetch_add(1) >= options_.max_pending) {
      pending_.fetch_sub(1);
      done(Status(StatusCode::kResourceExhausted, Reason::kTooManyPending,
                  "too many verifications are already waiting for keyledgerd"));
      return;
    }
    asio::post(io_, [this, query = std::move(query), done = std::move(done)]() mutable {
      if (shutting_down_) {
        finish(done, unavailable(Reason::kClosed, "the verify client was closed"));
        return;
      }
      const std::uint64_t id = next_id_++;
      waiting_.push_back({id,
                          encode_verify_request(id, query.token, query.client_ip, query.min_seq),
                          std::move(done)});
      pump();
    });
  }

 private:
  struct Request {
    std::uint64_t id;
    std::string frame;
    Callback done;
    std::size_t attempts = 0;      // connections lost with it in flight
    std::size_t unavailables = 0;  // nodes that answered it `unavailable`
  };
  enum class State { kDisconnected, kConnecting, kConnected };

  void pump() {
    if (waiting_.empty() || shutting_down_) return;
    if (state_ == State::kDisconnected) {
      connect();
      return;
    }
    if (state_ != State::kConnected || writing_) return;
    // Everything queued goes out in one write: that is the pipelining.
    write_bytes_.clear();
    const bool was_idle = in_flight_.empty();
    while (!waiting_.empty()) {
      write_bytes_ += waiting_.front().frame;
      in_flight_.push_back(std::move(waiting_.front()));
      waiting_.pop_front();
    }
    if (was_idle) arm_watchdog();
    writing_ = true;
    asio::async_write(
        socket_, asio::buffer(write_bytes_),
        [this, generation = generation_](boost::system::error_code error, std::size_t) {
          if (generation != generation_) return;
          writing_ = false;
          if (error) {
            connection_lost(unavailable(Reason::kConnectionLost,
                                        "writing to keyledgerd failed: " + error.message()));
            return;
          }
          pump();
        });
  }

  void connect() {
    const VerifyEndpoint& endpoint = endpoints_[current_];
    boost::system::error_code error;
    const auto address = asio::ip::make_address(endpoint.host, error);
    if (error) {
      ++bad_addresses_;
      return connect_failed("'" + endpoint.host + "' is not an IP address");
    }
    state_ = State::kConnecting;
    socket_ = tcp::socket(io_);
    arm_watchdog();
    socket_.async_connect({address, endpoint.port}, [this, generation = generation_](
                                                        boost::system::error_code error) {
      if (generation != generation_) return;
      if (error) return connect_failed("cannot connect to keyledgerd: " + error.message());
      boost::system::error_code ignored;
      socket_.set_option(tcp::no_delay(true), ignored);
      state_ = State::kConnected;
      failed_connects_ = bad_addresses_ = 0;
      failures_.clear();
      read();
      pump();
    });
  }

  // The current endpoint cannot be reached: the next one is tried, and once
  // every one failed in a row, the waiting requests end with why.
  void connect_failed(const std::string& why) {
    drop_connection();
    failures_ += name_of(endpoints_[current_]) + ": " + why + "; ";
    move_to_next_endpoint();
    if (++failed_connects_ < endpoints_.size()) return connect();
    // Only addresses that are none: the client was given no endpoint at all.
    const bool misconfigured = bad_addresses_ == failed_connects_;
    failed_connects_ = bad_addresses_ = 0;
    const std::string failures = failures_.substr(0, failures_.size() - 2);
    failures_.clear();
    fail_all(misconfigured ? invalid_argument(Reason::kBadAddress,
                                              "no verify endpoint is an IP address: " + failures)
                           : unavailable(Reason::kUnreachable,
                                         "no verify endpoint could be reached: " + failures));
  }

  void move_to_next_endpoint() {
    if (endpoints_.size() == 1) return;
    if (current_ == 0) left_first_at_ = std::chrono::steady_clock::now();
    current_ = (current_ + 1) % endpoints_.size();
  }

  // Between answers, with nothing in flight or waiting: back to the first
  // endpoint once it is due (never in the middle of moving on, which would
  // ask a node that just failed again).
  void return_to_first_if_due() {
    if (current_ == 0 || !in_flight_.empty() || !waiting_.empty() ||
        std::chrono::steady_clock::now() - left_first_at_ < options_.return_to_first_after)
      return;
    drop_connection();
    current_ = 0;
  }

  static std::string name_of(const VerifyEndpoint& endpoint) {
    const bool v6 = endpoint.host.find(':') != std::string::npos;
    return (v6 ? "[" + endpoint.host + "]" : endpoint.host) + ":" + std::to_string(endpoint.port);
  }

  void read() {
    socket_.async_read_some(
        asio::buffer(chunk_),
        [this, generation = generation_](boost::system::error_code error, std::size_t n) {
          if (generation != generation_) return;
          if (error) {
            connection_lost(unavailable(Reason::kConnectionLost,
                                        "the verify connection closed: " + error.message()));
            return;
          }
          read_buffer_.append(chunk_.data(), n);
          if (!deliver_answers()) return;
          read();
        });
  }

  // Completes every request whose answer is in the buffer; false if the
  // answers do not make sense and the connection was given up.
  bool deliver_answers() {
    std::string_view buffer = read_buffer_;
    std::size_t used = 0;
    while (true) {
      auto size = complete_frame_size(buffer.substr(used), kMaxAnswerBytes);
      if (!size.is_ok()) {
        connection_lost(size.status());
        return false;
      }
      if (*size == 0) break;
      VerifyAnswer answer;
      std::uint64_t id = 0;
      Status decoded = decode_verify_answer(buffer.substr(used, *size), answer, id);
      used += *size;
      if (decoded.is_ok() && (in_flight_.empty() || in_flight_.front().id != id))
        decoded =
            corruption(Reason::kBadAnswer, "keyledgerd answered a request that was not asked");
      if (!decoded.is_ok()) {
        connection_lost(decoded);
        return false;
      }
      if (answer.result == VerifyResult::kUnavailable &&
          ++in_flight_.front().unavailables < endpoints_.size()) {
        ask_next_endpoint();
        return false;
      }
      Request request = std::move(in_flight_.front());
      in_flight_.pop_front();
      finish(request.done, std::move(answer));
    }
    read_buffer_.erase(0, used);
    if (!in_flight_.empty()) arm_watchdog();
    if (current_ != 0) {
      return_to_first_if_due();
      if (state_ == State::kDisconnected) return false;  // its connection was dropped
    }
    return true;
  }

  // The first request in flight was answered `unavailable`: it and those
  // sent after it go, in order, to the next endpoint (the node may answer
  // the ones after it, but only once it has answered this one).
  void ask_next_endpoint() {
    drop_connection();
    waiting_.insert(waiting_.begin(), std::make_move_iterator(in_flight_.begin()),
                    std::make_move_iterator(in_flight_.end()));
    in_flight_.clear();
    move_to_next_endpoint();
    pump();
  }

  // Restarts the wait for the connection or the next answer; fires only if
  // neither comes in time.
  void arm_watchdog() {
    watchdog_.expires_after(options_.answer_timeout);
    watchdog_.async_wait([this, generation = generation_](boost::system::error_code error) {
      if (error || generation != generation_) return;
      if (state_ == State::kConnecting) {
        connect_failed("connecting timed out");
      } else if (!in_flight_.empty()) {
        connection_lost(unavailable(Reason::kTimeout, "keyledgerd did not answer in time"));
      }
    });
  }

  // Requests sent on the lost connection go out once more, first and in
  // order, on a fresh one to the next endpoint (the same one when it is
  // the only one); those already lost once per endpoint and once more
  // fail with `why`.
  void connection_lost(const Status& why) {
    why.ignore();  // the requests given up get a copy each to check
    drop_connection();
    move_to_next_endpoint();
    std::deque<Request> again;
    for (auto& request : in_flight_) {
      if (++request.attempts >= endpoints_.size() + 1)
        finish(request.done, why);
      else
        again.push_back(std::move(request));
    }
    in_flight_.clear();
    waiting_.insert(waiting_.begin(), std::make_move_iterator(again.begin()),
                    std::make_move_iterator(again.end()));
    pump();
  }

  void drop_connection() {
    ++generation_;
    boost::system::error_code ignored;
    socket_.close(ignored);
    watchdog_.cancel();
    state_ = State::kDisconnected;
    writing_ = false;
    read_buffer_.clear();
  }

  // Fails every waiting and in-flight request with `why`.
  void fail_all(const Status& why) {
    why.ignore();  // each callback gets a copy to check; with none pending, nobody needs it
    std::deque<Request> requests;
    requests.swap(in_flight_);
    for (auto& request : waiting_) requests.push_back(std::move(request));
    waiting_.clear();
    for (auto& request : requests) finish(request.done, why);
  }

  void finish(Callback& done, StatusOr<VerifyAnswer> result) {
    pending_.fetch_sub(1);
    done(std::move(result));
  }

  const std::vector<VerifyEndpoint> endpoints_;
  const AsyncVerifyOptions options_;
  std::atomic<std::size_t> pending_{0};

  asio::io_context io_;
  tcp::socket socket_;
  asio::steady_timer watchdog_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  std::thread thread_;

  State state_ = State::kDisconnected;
  std::size_t current_ = 0;          // the endpoint connected to, or to connect to next
  std::size_t failed_connects_ = 0;  // in a row, since the last connection made
  std::size_t bad_addresses_ = 0;    // of those, endpoints whose host is no IP address
  std::string failures_;             // why each of those failed
  std::chrono::steady_clock::time_point left_first_at_{};
  std::uint64_t generation_ = 0;
  std::uint64_t next_id_ = 1;
  bool writing_ = false;
  bool shutting_down_ = false;
  std::deque<Request> waiting_;    // not yet written
  std::deque<Request> in_flight_;  // written, answers expected in this order
  std::string write_bytes_;
  std::string read_buffer_;
  std::array<char, 16 * 1024> chunk_{};
};

AsyncVerifyClient::AsyncVerifyClient(std::string host, std::uint16_t port,
                                     AsyncVerifyOptions options)
    : AsyncVerifyClient(std::vector<VerifyEndpoint>{{std::move(host), port}}, options) {}

AsyncVerifyClient::AsyncVerifyClient(std::vector<VerifyEndpoint> endpoints,
                                     AsyncVerifyOptions options) {
  assert(!endpoints.empty());
  engine_ = std::make_unique<Engine>(std::move(endpoints), options);
}

AsyncVerifyClient::~AsyncVerifyClient() = default;

void AsyncVerifyClient::verify(std::string token, std::string client_ip, Callback done) {
  verify(VerifyQuery{std::move(token), std::move(client_ip)}, std::move(done));
}

std::future<StatusOr<VerifyAnswer>> AsyncVerifyClient::verify(std::string token,
                                                              std::string client_ip) {
  return verify(VerifyQuery{std::move(token), std::move(client_ip)});
}

void AsyncVerifyClient::verify(VerifyQuery query, Callback done) {
  engine_->submit(std::move(query), std::move(done));
}

std::future<StatusOr<VerifyAnswer>> AsyncVerifyClient::verify(VerifyQuery query) {
  auto promise = std::make_shared<std::promise<StatusOr<VerifyAnswer>>>();
  auto answer = promise->get_future();
  engine_->submit(std::move(query), [promise](StatusOr<VerifyAnswer> result) {
    promise->set_value(std::move(result));
  });
  return answer;
}

}  // namespace keyledger::client
