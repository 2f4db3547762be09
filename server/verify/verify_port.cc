#include "server/verify/verify_port.h"

#include <algorithm>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <optional>

#include "core/stream_framing.h"
#include "core/text.h"
#include "server/http/timed_connection.h"
#include "server/verify/verify_frames.h"

namespace keyledger::server {
namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

namespace {

// The session's socket runs on its I/O thread's io_context itself, with a
// concrete executor type (TcpListener::SessionSocket): that io_context has
// one thread, so a strand (and the type-erased executor it needs) only
// added a mutex and an indirect call to every completion. Its timeouts are
// a Deadline on the context's ConnectionTimers, not a Beast stream's, which
// armed and cancelled an Asio timer around every read and write.
using Socket = TcpListener::SessionSocket;

class VerifySession : public std::enable_shared_from_this<VerifySession> {
 public:
  VerifySession(Socket&& socket, ConnectionSlot slot, ConnectionTimers& timers,
                CredentialVerifier& verifier, AppliedSeq& applied, JsonLog& log,
                const VerifyPortLimits& limits, VerifyPortCounters& counters)
      : connection_(std::move(socket), std::move(slot), timers),
        timers_(timers),
        verifier_(verifier),
        applied_(applied),
        log_(log),
        limits_(limits),
        counters_(counters),
        durations_(counters.request_duration) {
    peer_ = client_address(connection_.socket());
    peer_valid_ = is_valid_ip_address(peer_);  // empty if the peer was already gone
    peer_trusted_ = limits_.trusted_peers.contains(peer_);
  }

  void start() {
    asio::dispatch(connection_.socket().get_executor(),
                   [self = shared_from_this()] { self->read(); });
  }

 private:
  // Whether a request with a minSeq is answered now, refused (beyond the
  // last seq known, or its wait ended without it), or must wait.
  enum class Gate { kAnswer, kRefuse, kWait };

  void read() {
    connection_.deadline().arm(in_.empty() ? limits_.idle_timeout : limits_.io_timeout);
    connection_.socket().async_read_some(
        asio::buffer(chunk_), [self = shared_from_this()](beast::error_code error, std::size_t n) {
          self->on_read(error, n);
        });
  }

  void on_read(beast::error_code error, std::size_t n) {
    if (error) {
      if (connection_.timed_out() && !in_.empty())
        drop("a frame stayed incomplete past the timeout");
      return close();
    }
    in_.append(chunk_.data(), n);
    answer_buffered();
  }

  // Answers every complete request that has arrived, in order, into out_
  // with one write; a frame that is not a valid request closes the
  // connection instead (with the answers before it unsent). A request that
  // must wait for its minSeq stops the loop: it and every request after it
  // stay in in_ until the wait ends, so answers keep the requests' order.
  void answer_buffered() {
    // Answers are built in out_, which is idle here: a session answers only
    // once its last write finished. Reusing it (and the decode scratch)
    // keeps answering a request free of allocations.
    out_.clear();
    std::size_t offset = 0;
    std::string problem;         // why the connection must close, if it must
    std::uint64_t wait_for = 0;  // the minSeq the next request waits for, if it must
    // One clock reading per request: each answer's end is the next one's start.
    auto started = std::chrono::steady_clock::now();
    while (problem.empty()) {
      const std::string_view rest = std::string_view(in_).substr(offset);
      auto size = complete_frame_size(rest, limits_.max_frame_bytes);
      if (!size.is_ok()) {
        problem = size.status().message();
        break;
      }
      if (*size == 0) break;
      auto request = decode_verify_request(rest.substr(0, *size), scratch_);
      if (!request.is_ok()) {
        if (log_.enabled(LogLevel::kDebug))
          log_.debug("verify port: undecodable request",
                     {{"client_ip", peer_}, {"error", request.status().message()}});
        problem = "a frame is not a VerifyRequest";
        break;
      }
      const Gate gate = request->min_seq == 0 ? Gate::kAnswer : gate_for(request->min_seq);
      if (gate == Gate::kWait) {
        wait_for = request->min_seq;
        break;
      }
      offset += *size;
      std::int64_t retry_after = 0;
      const StatusOr<VerifiedKey> verified =
          gate == Gate::kRefuse ? seq_not_reached(request->min_seq, applied_.applied())
                                : verify(*request, retry_after);
      append_response(request->id, verified, retry_after, out_);
      const auto answered = std::chrono::steady_clock::now();
      durations_.observe(answered - started);
      started = answered;
    }
    durations_.flush();
    if (!problem.empty()) return drop(problem);
    in_.erase(0, offset);
    if (wait_for != 0) wait_for_min_seq(wait_for);
    if (!out_.empty()) return write();
    if (wait_for == 0) read();
  }

  // The request's verification, as the peer may present it.
  StatusOr<VerifiedKey> verify(const VerifyPortRequestView& request, std::int64_t& retry_after) {
    // The peer's own address was checked once, when the session began;
    // only an address a trusted peer sends for its client is checked here.
    const bool forwarded = peer_trusted_ && !request.client_ip.empty();
    if (forwarded) forwarded_ip_.assign(request.client_ip);
    const std::string& client_ip = forwarded ? forwarded_ip_ : peer_;
    if (!(forwarded ? is_valid_ip_address(client_ip) : peer_valid_)) return bad_client_ip();
    return verifier_.verify(request.token, client_ip, &retry_after);
  }

  Gate gate_for(std::uint64_t min_seq) {
    // The first request after a wait is the one that waited: answered now,
    // or refused if its wait ended without its seq.
    if (waited_) {
      const bool reached = *waited_;
      waited_.reset();
      return reached ? Gate::kAnswer : Gate::kRefuse;
    }
    switch (applied_.check(min_seq)) {
      case AppliedSeq::Check::kReached:
        return Gate::kAnswer;
      case AppliedSeq::Check::kBeyondLast:
        return Gate::kRefuse;
      case AppliedSeq::Check::kWait:
        break;
    }
    return Gate::kWait;
  }

  // Nothing is read while a request waits (its answer must come before any
  // later one's), and no connection timeout runs: the wait is bounded.
  void wait_for_min_seq(std::uint64_t min_seq) {
    waiting_ = true;
    connection_.deadline().disarm();
    applied_.wait_for(min_seq, timers_, connection_.socket().get_executor(),
                      [self = shared_from_this()](bool reached) {
                        self->waiting_ = false;
                        self->waited_ = reached;
                        if (!self->writing_) self->answer_buffered();
                      });
  }

  void write() {
    writing_ = true;
    connection_.deadline().arm(limits_.io_timeout);
    asio::async_write(connection_.socket(), asio::buffer(out_),
                      [self = shared_from_this()](beast::error_code error, std::size_t) {
                        self->on_written(error);
                      });
  }

  void on_written(beast::error_code error) {
    writing_ = false;
    if (error) {
      if (connection_.timed_out()) drop("the client did not read its answers");
      return close();
    }
    if (waiting_) return connection_.deadline().disarm();  // the wait's end goes on
    if (waited_) return answer_buffered();                 // it ended during the write
    read();
  }

  void drop(std::string_view reason) {
    counters_.bad_frames.fetch_add(1, std::memory_order_relaxed);
    log_.warn("verify port: closing a connection", {{"client_ip", peer_}, {"why", reason}});
    close();
  }

  void close() { connection_.close(tcp::socket::shutdown_both); }

  TimedConnection connection_;
  ConnectionTimers& timers_;  // this session's I/O thread's, for a wait's bound
  CredentialVerifier& verifier_;
  AppliedSeq& applied_;
  JsonLog& log_;
  const VerifyPortLimits& limits_;
  VerifyPortCounters& counters_;
  HistogramBatch durations_;  // flushed into counters_ after each batch of requests
  std::string peer_;
  bool peer_valid_ = false;
  bool peer_trusted_ = false;
  bool writing_ = false;
  bool waiting_ = false;        // the first request in in_ waits for its minSeq
  std::optional<bool> waited_;  // how the wait of the first request in in_ ended
  std::string forwarded_ip_;    // the client address a trusted peer sent, per request
  std::array<char, 16 * 1024> chunk_;
  std::string in_;
  std::string out_;
  // The aligned copy of a frame that is not aligned in in_ (none is: in_'s
  // buffer is, and frames are whole words), kept for the session.
  AlignedWords<16> scratch_;
};

}  // namespace

VerifyPort::VerifyPort(asio::io_context& io, CredentialVerifier& verifier, AppliedSeq& applied,
                       ConnectionLimiter& connections, TimerService& timers,
                       VerifyPortCounters& counters, JsonLog& log, VerifyPortLimits limits,
                       std::vector<asio::io_context*> session_contexts)
    : TcpListener(
          io, connections, timers, log,
          [this](Socket socket, ConnectionSlot slot, ConnectionTimers& session_timers) {
            start_session(std::move(socket), std::move(slot), session_timers);
          },
          std::move(session_contexts)),
      verifier_(verifier),
      applied_(applied),
      log_(log),
      limits_(std::move(limits)),
      counters_(counters) {}

void VerifyPort::start_session(Socket socket, ConnectionSlot slot, ConnectionTimers& timers) {
  counters_.connections.fetch_add(1, std::memory_order_relaxed);
  std::make_shared<VerifySession>(std::move(socket), std::move(slot), timers, verifier_, applied_,
                                  log_, limits_, counters_)
      ->start();
}

}  // namespace keyledger::server
