#include "server/http/tcp_listener.h"

#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

namespace keyledger::server {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

std::string client_address(const tcp::endpoint& peer, const boost::system::error_code& error) {
  if (error) return {};
  const auto address = peer.address();
  if (address.is_v6() && address.to_v6().is_v4_mapped())
    return asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6()).to_string();
  return address.to_string();
}

namespace {

Reason bind_failure_reason(const boost::system::error_code& error) {
  namespace errc = boost::system::errc;
  if (error == errc::address_in_use) return Reason::kAddressInUse;
  if (error == errc::address_not_available) return Reason::kAddressNotAvailable;
  if (error == errc::permission_denied) return Reason::kAddressForbidden;
  return Reason::kListenFailed;
}

// A flood refuses thousands of connections a second; one line per interval
// says how many without filling the disk.
constexpr auto kRefusalLogInterval = std::chrono::seconds(10);

}  // namespace

StatusOr<tcp::acceptor> bind_listening_socket(asio::io_context& io, const tcp::endpoint& endpoint) {
  // On a strand: the accept loop and its retry timer share it, so the
  // listener's counters need no lock.
  tcp::acceptor acceptor(asio::make_strand(io));
  boost::system::error_code error;
  acceptor.open(endpoint.protocol(), error);
  if (!error) acceptor.set_option(asio::socket_base::reuse_address(true), error);
  if (!error) acceptor.bind(endpoint, error);
  if (!error) acceptor.listen(asio::socket_base::max_listen_connections, error);
  if (error) return unavailable(bind_failure_reason(error), error.message());
  return acceptor;
}

TcpListener::TcpListener(asio::io_context& io, ConnectionLimiter& connections, TimerService& timers,
                         JsonLog& log, OnConnection on_connection,
                         std::vector<asio::io_context*> session_contexts)
    : io_(io),
      session_contexts_(session_contexts.empty() ? std::vector<asio::io_context*>{&io}
                                                 : std::move(session_contexts)),
      connections_(connections),
      clock_(timers.clock()),
      log_(log),
      on_connection_(std::move(on_connection)),
      acceptor_(asio::make_strand(io)),
      retry_timer_(acceptor_.get_executor()) {
  for (auto* context : session_contexts_) session_timers_.push_back(&timers.timers_on(*context));
}

void TcpListener::start(tcp::acceptor bound) {
  acceptor_ = std::move(bound);
  // The timer follows the acceptor onto its strand.
  retry_timer_ = asio::steady_timer(acceptor_.get_executor());
  accept();
}

Status TcpListener::listen(const tcp::endpoint& endpoint) {
  auto bound = bind_listening_socket(io_, endpoint);
  if (!bound.is_ok()) return bound.status();
  start(std::move(*bound));
  return Status::ok();
}

tcp::endpoint TcpListener::local_endpoint() const {
  boost::system::error_code ignored;
  return acceptor_.local_endpoint(ignored);
}

void TcpListener::stop_accepting() {
  asio::post(acceptor_.get_executor(), [this] {
    boost::system::error_code ignored;
    retry_timer_.cancel();
    acceptor_.close(ignored);
  });
}

void TcpListener::accept() {
  asio::io_context& target = *session_contexts_[next_context_];
  ConnectionTimers& timers = *session_timers_[next_context_];
  next_context_ = (next_context_ + 1) % session_contexts_.size();
  acceptor_.async_accept(target.get_executor(),
                         [this, &timers](boost::system::error_code error, SessionSocket socket) {
                           if (error == asio::error::operation_aborted || !acceptor_.is_open())
                             return;
                           if (error) {
                             // Out of descriptors or memory: retrying at once would spin a core.
                             retry_timer_.expires_after(std::chrono::milliseconds(50));
                             retry_timer_.async_wait([this](boost::system::error_code wait_error) {
                               if (wait_error != asio::error::operation_aborted) accept();
                             });
                             return;
                           }
                           admit(std::move(socket), timers);
                           accept();
                         });
}

void TcpListener::admit(SessionSocket socket, ConnectionTimers& timers) {
  ConnectionLimiter::Refusal refusal;
  ConnectionSlot slot = connections_.try_acquire(client_address(socket), &refusal);
  boost::system::error_code ignored;
  if (!slot) {
    // Closing at once (no response) costs the least; the client sees a
    // reset or an end of stream and may retry later.
    socket.set_option(asio::socket_base::linger(true, 0), ignored);
    socket.close(ignored);
    return log_refusal(refusal);
  }
  socket.set_option(tcp::no_delay(true), ignored);
  on_connection_(std::move(socket), std::move(slot), timers);
}

void TcpListener::log_refusal(ConnectionLimiter::Refusal refusal) {
  ++unlogged_refusals_;
  const MonotonicTime now = clock_.now();
  if (last_refusal_log_ && now - *last_refusal_log_ < kRefusalLogInterval) return;
  const auto& limits = connections_.limits();
  log_.warn("refused connections", {{"count", unlogged_refusals_},
                                    {"port", local_endpoint().port()},
                                    {"why", refusal == ConnectionLimiter::Refusal::kTotal
                                                ? "too many open connections"
                                                : "too many connections from one client IP"},
                                    {"max_connections", limits.max_total},
                                    {"max_connections_per_ip", limits.max_per_client}});
  unlogged_refusals_ = 0;
  last_refusal_log_ = now;
}

}  // namespace keyledger::server
