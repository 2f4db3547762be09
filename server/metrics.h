// Prometheus metrics (text exposition format 0.0.4). Counters are updated
// by request threads and the writer thread; render() reads them.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "server/connection_limiter.h"
#include "server/credential_verifier.h"
#include "storage/group_commit_writer.h"

namespace keyledger::server {

// Fixed cumulative buckets, lock-free to observe.
class Histogram {
 public:
  static constexpr std::array<double, 12> kLatencyBounds = {
      0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 2.5};
  static constexpr std::array<double, 12> kCountBounds = {1,  2,   4,   8,   16,   32,
                                                          64, 128, 256, 512, 1024, 4096};

  explicit Histogram(std::span<const double> bounds = kLatencyBounds);
  void observe(double value);
  void render(std::string& out, const std::string& name, const std::string& labels) const;

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> buckets_;  // bounds_.size() + 1
  std::atomic<std::uint64_t> count_{0};
  std::atomic<double> sum_{0};
};

class Metrics {
 public:
  // `connections`, when given, is rendered as the open-connection gauge and
  // refusal counter; it outlives the Metrics.
  explicit Metrics(const ConnectionLimiter* connections = nullptr) : connections_(connections) {}

  // Counts one answered request. After the first request of a (route,
  // method, status) it takes only a shared lock and atomic increments, and
  // builds no strings.
  void observe_request(std::string_view route, std::string_view method, unsigned status,
                       std::chrono::nanoseconds duration);
  void observe_commit(const storage::CommitInfo& commit);
  // One scrypt check of a presented password (sign-in or password change).
  void observe_password_check() { password_checks_.fetch_add(1, std::memory_order_relaxed); }
  std::string render(const VerifyCounters& verify, const storage::WriterStats& writer) const;

 private:
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
  Histogram batch_sizes_{Histogram::kCountBounds};
  Histogram fsync_seconds_;
  std::atomic<std::uint64_t> password_checks_{0};
};

}  // namespace keyledger::server
