// Prometheus metrics (text exposition format 0.0.4). Counters are updated
// by request threads and the writer thread; render() reads them, and reads
// the process's own figures (memory, CPU, descriptors) from /proc.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "server/daemon/system_pages.h"
#include "server/http/connection_limiter.h"
#include "server/http/histogram.h"
#include "server/http/request_observer.h"
#include "server/verify/credential_verifier.h"
#include "server/verify/verify_port_counters.h"

namespace keyledger::server {

// The single writer's figures at the time of a scrape, copied from
// writer::WriterStats by the daemon's wiring (leader_parts.h), so that the
// metrics, which a follower also serves, need no writer.
struct WriterFigures {
  std::uint64_t commits = 0;            // appends attempted
  std::uint64_t events_appended = 0;    // events made durable
  std::uint64_t commands_rejected = 0;  // decided into an error
  std::uint64_t commit_failures = 0;    // appends that failed
  bool failing = false;                 // the latest append failed
};

// Gives the writer's figures at the time it is called; empty where there is
// no writer (a follower).
using WriterFiguresSource = std::function<WriterFigures()>;

class Metrics final : public RequestObserver {
 public:
  // `connections`, when given, is rendered as the open-connection gauge and
  // refusal counter; it outlives the Metrics.
  explicit Metrics(const ConnectionLimiter* connections = nullptr) : connections_(connections) {}

  // Counts one answered request. After the first request of a (route,
  // method, status) it takes only a shared lock and atomic increments, and
  // builds no strings. Verification routes get buckets from 1 µs, the
  // others from 100 µs.
  void observe_request(std::string_view route, std::string_view method, unsigned status,
                       std::chrono::nanoseconds duration) override;
  // One group commit of `events` events whose durable append took `duration`.
  void observe_commit(std::size_t events, std::chrono::nanoseconds duration);
  // One scrypt check of a presented password (sign-in or password change).
  // (The API counts through an adapter, node.h's MetricsPasswordChecks.)
  void observe_password_check() { password_checks_.fetch_add(1, std::memory_order_relaxed); }
  // The whole page. `writer` is the writer's figures at the time of the
  // scrape; without one (a follower has no writer) the writer's metrics
  // (events appended, commits, batch sizes, fsync times) are left out.
  // `follower`, a follower's figures, adds the keyledger_follower_*
  // metrics; `publisher`, on a leader with --nats, the
  // keyledger_replication_* ones; `cluster`, a leader's followers, the
  // keyledger_cluster_* ones.
  std::string render(const VerifyCounters& verify, const WriterFigures* writer,
                     const FollowerFigures* follower = nullptr,
                     const replication::PublisherStatus* publisher = nullptr,
                     const replication::ClusterFigures* cluster = nullptr) const;

  // The verify port's counters (rendered whether or not a port listens).
  VerifyPortCounters& verify_port() { return verify_port_; }

 private:
  void render_requests(std::string& out) const;
  void render_writer(std::string& out, const WriterFigures& writer) const;
  void render_connections(std::string& out) const;
  void render_verify_port(std::string& out) const;

  const ConnectionLimiter* connections_;
  // (route, method, status); ordered as the rendered label strings are.
  using RequestKey = std::tuple<std::string, std::string, unsigned>;
  using RequestKeyView = std::tuple<std::string_view, std::string_view, unsigned>;
  // Compares stored keys with views of them (no strings built to look one
  // up), spelled out because clang 14 with libstdc++ 12 cannot compare
  // tuples of different element types.
  struct RequestKeyLess {
    using is_transparent = void;
    static RequestKeyView view(const RequestKey& key) {
      return {std::get<0>(key), std::get<1>(key), std::get<2>(key)};
    }
    static const RequestKeyView& view(const RequestKeyView& key) { return key; }
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const {
      return view(a) < view(b);
    }
  };
  // Entries are only ever added (under the exclusive lock), so a counter
  // or histogram found under the shared lock stays valid.
  mutable std::shared_mutex mutex_;
  std::map<RequestKey, std::unique_ptr<std::atomic<std::uint64_t>>, RequestKeyLess> requests_;
  std::map<std::string, std::unique_ptr<Histogram>, std::less<>> latency_;  // route → histogram
  Histogram batch_sizes_{kBatchSizeBounds};
  Histogram fsync_seconds_{kRequestLatencyBoundsNs, kNanosecondsPerSecond};
  VerifyPortCounters verify_port_;
  std::atomic<std::uint64_t> password_checks_{0};
};

// /metrics as the API serves it: the Metrics with the verifier's counters
// and, on a leader, the writer's figures at the time of the scrape. What it
// is given outlives it.
class MetricsPage final : public MetricsRenderer {
 public:
  // `writer` is empty where there is none (a follower); `replication`
  // says what the node adds about replication.
  MetricsPage(const Metrics& metrics, const CredentialVerifier& verifier,
              WriterFiguresSource writer, ReplicationFigures replication = {})
      : metrics_(metrics),
        verifier_(verifier),
        writer_(std::move(writer)),
        replication_(std::move(replication)) {}
  std::string render() const override;

 private:
  const Metrics& metrics_;
  const CredentialVerifier& verifier_;
  const WriterFiguresSource writer_;
  const ReplicationFigures replication_;
};

}  // namespace keyledger::server
