// The binary verify port (--verify-listen): Cap'n Proto framed
// VerifyRequest/VerifyResponse messages over TCP (core/verify_protocol.capnp)
// for API servers that verify keys at high rate. One session per
// connection reads whatever has arrived, answers every complete request in
// order with one write, and reads again: requests may be pipelined, and a
// client that stops reading stops being read (backpressure). A request
// with a minSeq this node has not applied waits for it (AppliedSeq), and
// the requests after it on its connection wait behind it. A bad frame
// (garbage, oversized, truncated at a timeout, wrong schema) closes only
// that connection, with the reason logged.
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "server/http/connection_timers.h"
#include "server/http/tcp_listener.h"
#include "server/http/trusted_peers.h"
#include "server/verify/applied_seq.h"
#include "server/verify/credential_verifier.h"
#include "server/verify/verify_port_counters.h"

namespace keyledger::server {

struct VerifyPortLimits {
  // Peers whose requests may name the end client's IP (clientIp); for any
  // other peer the connection's own address is recorded, so a client cannot
  // forge last-use IPs or dodge the per-IP failure limit.
  TrustedPeers trusted_peers;
  std::size_t max_frame_bytes = 8 * 1024;  // a request is ~100 bytes
  std::chrono::seconds idle_timeout{300};  // no request at all
  std::chrono::seconds io_timeout{30};     // a partial frame, or a write
};

// A TcpListener whose connections are verify sessions: serve it with
// start() (a socket bound by bind_listening_socket() on the same `io`) or
// listen(), and stop it with stop_accepting(), as TcpListener describes.
class VerifyPort final : public TcpListener {
 public:
  // `applied` answers requests with a minSeq (applied_seq.h);
  // `connections` caps open connections (shared with the HTTP port);
  // `timers` times every session (made for every session context);
  // `counters` (Metrics::verify_port()) counts connections, drops and each
  // request's time; all outlive the port, as do `verifier` and `log` (bad
  // frames are logged there). Sessions run on `session_contexts` (empty: on
  // `io`), as TcpListener describes.
  VerifyPort(boost::asio::io_context& io, CredentialVerifier& verifier, AppliedSeq& applied,
             ConnectionLimiter& connections, TimerService& timers, VerifyPortCounters& counters,
             JsonLog& log, VerifyPortLimits limits = {},
             std::vector<boost::asio::io_context*> session_contexts = {});

 private:
  void start_session(SessionSocket socket, ConnectionSlot slot, ConnectionTimers& timers);

  // Set after the listener (the base) is made, and read only by
  // start_session(), which runs once accepting has started.
  CredentialVerifier& verifier_;
  AppliedSeq& applied_;
  JsonLog& log_;
  VerifyPortLimits limits_;
  VerifyPortCounters& counters_;
};

}  // namespace keyledger::server
