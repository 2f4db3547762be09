#include "server/verify/verify_port.h"

#include <algorithm>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>

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
                CredentialVerifier& verifier, JsonLog& log, const VerifyPortLimits& limits,
                VerifyPortCounters& counters)
      : connection_(std::move(socket), std::move(slot), timers),
        verifier_(verifier),
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
  void read() {
    connection_.deadline().arm(in_.empty() ? limits_.idle_timeout : limits_.io_timeout);
    connection_.socket().async_read_some(
        asio::buffer(chunk_), [self = shared_from_this()](beast::error_code error, std::size_t n) {
          self->on_read(error, n);
        });
  }

  // Answers every complete request that has arrived, in order, into out_
  // with one write; a frame that is not a valid request closes the
  // connection instead (with the answers before it unsent).
  void on_read(beast::error_code error, std::size_t n) {
    if (error) {
      if (connection_.timed_out() && !in_.empty())
        drop("a frame stayed incomplete past the timeout");
      return close();
    }
    in_.append(chunk_.data(), n);
    // Answers are built in out_, which is idle here: a session reads only
    // after its last write finished. Reusing it (and the decode scratch)
    // keeps answering a request free of allocations.
    out_.clear();
    std::size_t offset = 0;
    std::string problem;  // why the connection must close, if it must
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
      offset += *size;
      // The peer's own address was checked once, when the session began;
      // only an address a trusted peer sends for its client is checked here.
      const bool forwarded = peer_trusted_ && !request->client_ip.empty();
      if (forwarded) forwarded_ip_.assign(request->client_ip);
      const std::string& client_ip = forwarded ? forwarded_ip_ : peer_;
      std::int64_t retry_after = 0;
      const StatusOr<VerifiedKey> verified =
          (forwarded ? is_valid_ip_address(client_ip) : peer_valid_)
              ? verifier_.verify(request->token, client_ip, &retry_after)
              : bad_client_ip();
      append_response(request->id, verified, retry_after, out_);
      const auto answered = std::chrono::steady_clock::now();
      durations_.observe(answered - started);
      started = answered;
    }
    durations_.flush();
    if (!problem.empty()) return drop(problem);
    in_.erase(0, offset);
    if (out_.empty()) return read();
    write();
  }

  void write() {
    connection_.deadline().arm(limits_.io_timeout);
    asio::async_write(connection_.socket(), asio::buffer(out_),
                      [self = shared_from_this()](beast::error_code error, std::size_t) {
                        if (error) {
                          if (self->connection_.timed_out())
                            self->drop("the client did not read its answers");
                          return self->close();
                        }
                        self->read();
                      });
  }

  void drop(std::string_view reason) {
    counters_.bad_frames.fetch_add(1, std::memory_order_relaxed);
    log_.warn("verify port: closing a connection", {{"client_ip", peer_}, {"why", reason}});
    close();
  }

  void close() { connection_.close(tcp::socket::shutdown_both); }

  TimedConnection connection_;
  CredentialVerifier& verifier_;
  JsonLog& log_;
  const VerifyPortLimits& limits_;
  VerifyPortCounters& counters_;
  HistogramBatch durations_;  // flushed into counters_ after each batch of requests
  std::string peer_;
  bool peer_valid_ = false;
  bool peer_trusted_ = false;
  std::string forwarded_ip_;  // the client address a trusted peer sent, per request
  std::array<char, 16 * 1024> chunk_;
  std::string in_;
  std::string out_;
  // The aligned copy of a frame that is not aligned in in_ (none is: in_'s
  // buffer is, and frames are whole words), kept for the session.
  AlignedWords<16> scratch_;
};

}  // namespace

VerifyPort::VerifyPort(asio::io_context& io, CredentialVerifier& verifier,
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
      log_(log),
      limits_(std::move(limits)),
      counters_(counters) {}

void VerifyPort::start_session(Socket socket, ConnectionSlot slot, ConnectionTimers& timers) {
  counters_.connections.fetch_add(1, std::memory_order_relaxed);
  std::make_shared<VerifySession>(std::move(socket), std::move(slot), timers, verifier_, log_,
                                  limits_, counters_)
      ->start();
}

}  // namespace keyledger::server
