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

  void on_read(beast::error_code error, std::size_t n) {
    if (error) {
      if (connection_.timed_out() && !in_.empty())
        drop("a frame stayed incomplete past the timeout");
      return close();
    }
    in_.append(chunk_.data(), n);
    const std::string problem = answer_complete_frames();
    durations_.flush();
    if (!problem.empty()) return drop(problem);
    if (out_.empty()) return read();
    write();
  }

  // Answers every complete request in in_, in order, into out_, and drops
  // them from in_. Empty when all were fine; else why the connection must
  // close.
  std::string answer_complete_frames() {
    // Answers are built in out_, which is idle here: a session reads only
    // after its last write finished. Reusing it (and the decode scratch)
    // keeps answering a request free of allocations.
    out_.clear();
    std::size_t offset = 0;
    // One clock reading per request: each answer's end is the next one's start.
    auto started = std::chrono::steady_clock::now();
    while (true) {
      auto size =
          complete_frame_size(std::string_view(in_).substr(offset), limits_.max_frame_bytes);
      if (!size.is_ok()) return size.status().message();
      if (*size == 0) break;
      if (!answer(std::string_view(in_).substr(offset, *size)))
        return "a frame is not a VerifyRequest";
      const auto answered = std::chrono::steady_clock::now();
      durations_.observe(answered - started);
      started = answered;
      offset += *size;
    }
    in_.erase(0, offset);
    return {};
  }

  // Decodes one request and appends the framed response to out_; false for
  // a frame that is not a valid request.
  bool answer(std::string_view frame) {
    auto request = decode_verify_request(frame, scratch_);
    if (!request.is_ok()) {
      if (log_.enabled(LogLevel::kDebug))
        log_.debug("verify port: undecodable request",
                   {{"client_ip", peer_}, {"error", request.status().message()}});
      return false;
    }
    // The peer's own address was checked once, when the session began; only
    // an address a trusted peer sends for its client is checked per request.
    const std::string* client_ip = &peer_;
    if (peer_trusted_ && !request->client_ip.empty()) {
      forwarded_ip_.assign(request->client_ip);
      client_ip = &forwarded_ip_;
    }
    if (client_ip == &peer_ ? !peer_valid_ : !is_valid_ip_address(*client_ip)) {
      append_refused_response(request->id, VerifyRefusal::kBadRequest, 0, out_);
      return true;
    }
    std::int64_t retry_after = 0;
    auto verified = verifier_.verify(request->token, *client_ip, &retry_after);
    if (verified.is_ok()) {
      append_verified_response(request->id, verified->user_id, verified->privilege,
                               verified->key_id, out_);
    } else if (verified.status().code() == StatusCode::kResourceExhausted) {
      append_refused_response(request->id, VerifyRefusal::kRateLimited,
                              static_cast<std::uint32_t>(retry_after), out_);
    } else {
      append_refused_response(request->id, VerifyRefusal::kInvalid, 0, out_);
    }
    return true;
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
    : verifier_(verifier),
      log_(log),
      limits_(std::move(limits)),
      counters_(counters),
      listener_(
          io, connections, timers, log,
          [this](Socket socket, ConnectionSlot slot, ConnectionTimers& session_timers) {
            counters_.connections.fetch_add(1, std::memory_order_relaxed);
            std::make_shared<VerifySession>(std::move(socket), std::move(slot), session_timers,
                                            verifier_, log_, limits_, counters_)
                ->start();
          },
          std::move(session_contexts)) {}

void VerifyPort::serve(tcp::acceptor bound) { listener_.start(std::move(bound)); }

Status VerifyPort::listen(const tcp::endpoint& endpoint) { return listener_.listen(endpoint); }

tcp::endpoint VerifyPort::local_endpoint() const { return listener_.local_endpoint(); }

void VerifyPort::stop_accepting() { listener_.stop_accepting(); }

}  // namespace keyledger::server
