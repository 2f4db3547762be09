// One connection to a NATS cluster with its JetStream context (nats.c),
// made the way every keyledger node needs it (../shared/NATS.md trap 8):
// every server's URL, reconnection for ever, the node's credentials, and
// TLS for tls:// URLs. nats.c types stay in the .cc files of this folder.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"

// nats.c's opaque types, so that this header needs no nats.h.
typedef struct __natsConnection natsConnection;
typedef struct __jsCtx jsCtx;

namespace keyledger::replication {

struct NatsConnectionOptions {
  // Every server of the cluster ("nats://host:port" or "tls://host:port");
  // at least one.
  std::vector<std::string> urls;
  // The NATS user and password; an empty user connects without credentials,
  // which only a NATS server without accounts accepts (open_access_warning).
  std::string user;
  std::string password;
  // A PEM file of the CA that signed the servers' certificates, for tls://
  // URLs; empty: the system's trusted CAs.
  std::string ca_file;
  // The connection's name in the servers' monitoring (/connz).
  std::string name = "keyledgerd";
  // How long one JetStream request (publish ack, stream info, a message by
  // seq) may take before it answers kUnavailable.
  std::chrono::milliseconds request_timeout{2000};
  // How long to wait for a server at connect, per server.
  std::chrono::milliseconds connect_timeout{2000};
  // The pause between reconnection attempts to the same server.
  std::chrono::milliseconds reconnect_wait{250};
};

// The warning a node logs when it connects without credentials, or "" when
// it has some: the stream then carries password hashes to anyone, and anyone
// may publish events on it.
std::string open_access_warning(const NatsConnectionOptions& options);

// Splits "url1,url2,…" (keyledgerd's --nats) into URLs: kInvalidArgument
// (kBadFlag) for an empty list, an empty item, or an item whose scheme is
// not nats:// or tls:// or that names no host and port.
StatusOr<std::vector<std::string>> parse_nats_urls(const std::string& text);

class NatsConnection {
 public:
  // Connects to one of `options.urls` (trying each once): kUnavailable when
  // none answers, kPermissionDenied when the servers refuse the
  // credentials, kInvalidArgument for unusable options (a CA file that
  // cannot be read). Once connected, nats.c reconnects for ever.
  static StatusOr<std::unique_ptr<NatsConnection>> connect(const NatsConnectionOptions& options);
  ~NatsConnection();
  NatsConnection(const NatsConnection&) = delete;
  NatsConnection& operator=(const NatsConnection&) = delete;

  natsConnection* connection() const { return connection_; }
  jsCtx* jetstream() const { return jetstream_; }
  std::chrono::milliseconds request_timeout() const { return request_timeout_; }

  // How many permission violations the servers reported on this connection
  // so far. A denied publish or request only times out in nats.c; a caller
  // that compares the count before and after tells the two apart.
  std::uint64_t permission_violations() const { return violations_->load(); }

 private:
  NatsConnection() = default;

  natsConnection* connection_ = nullptr;
  jsCtx* jetstream_ = nullptr;
  std::chrono::milliseconds request_timeout_{2000};
  // Shared with nats.c's error callback, which may outlive nothing here but
  // runs on its own thread.
  std::unique_ptr<std::atomic<std::uint64_t>> violations_ =
      std::make_unique<std::atomic<std::uint64_t>>(0);
};

}  // namespace keyledger::replication
