#include "server/metrics.h"

#include <cstdio>

namespace keyledger::server {
namespace {

std::string number(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%g", value);
  return buffer;
}

}  // namespace

Histogram::Histogram(std::span<const double> bounds)
    : bounds_(bounds.begin(), bounds.end()),
      buckets_(std::make_unique<std::atomic<std::uint64_t>[]>(bounds.size() + 1)) {}

void Histogram::observe(double value) {
  std::size_t bucket = 0;
  while (bucket < bounds_.size() && value > bounds_[bucket]) ++bucket;
  buckets_[bucket].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  double sum = sum_.load(std::memory_order_relaxed);
  while (!sum_.compare_exchange_weak(sum, sum + value, std::memory_order_relaxed)) {
  }
}

void Histogram::render(std::string& out, const std::string& name, const std::string& labels) const {
  const std::string separator = labels.empty() ? "" : ",";
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < bounds_.size(); ++i) {
    cumulative += buckets_[i].load(std::memory_order_relaxed);
    out += name + "_bucket{" + labels + separator + "le=\"" + number(bounds_[i]) + "\"} " +
           std::to_string(cumulative) + "\n";
  }
  cumulative += buckets_[bounds_.size()].load(std::memory_order_relaxed);
  out +=
      name + "_bucket{" + labels + separator + "le=\"+Inf\"} " + std::to_string(cumulative) + "\n";
  out += name + "_sum{" + labels + "} " + number(sum_.load(std::memory_order_relaxed)) + "\n";
  out += name + "_count{" + labels + "} " + std::to_string(count_.load(std::memory_order_relaxed)) +
         "\n";
}

void Metrics::observe_request(std::string_view route, std::string_view method, unsigned status,
                              std::chrono::nanoseconds duration) {
  const RequestKeyView key{route, method, status};
  std::atomic<std::uint64_t>* count = nullptr;
  Histogram* histogram = nullptr;
  {
    std::shared_lock lock(mutex_);
    if (auto it = requests_.find(key); it != requests_.end()) count = it->second.get();
    if (auto it = latency_.find(route); it != latency_.end()) histogram = it->second.get();
  }
  if (!count || !histogram) {
    std::lock_guard lock(mutex_);
    auto& count_slot = requests_[RequestKey{route, method, status}];
    if (!count_slot) count_slot = std::make_unique<std::atomic<std::uint64_t>>(0);
    count = count_slot.get();
    auto& histogram_slot = latency_[std::string(route)];
    if (!histogram_slot) histogram_slot = std::make_unique<Histogram>();
    histogram = histogram_slot.get();
  }
  count->fetch_add(1, std::memory_order_relaxed);
  histogram->observe(std::chrono::duration<double>(duration).count());
}

void Metrics::observe_commit(const storage::CommitInfo& commit) {
  batch_sizes_.observe(static_cast<double>(commit.events));
  fsync_seconds_.observe(std::chrono::duration<double>(commit.duration).count());
}

std::string Metrics::render(const VerifyCounters& verify,
                            const storage::WriterStats& writer) const {
  std::string out;
  out += "# HELP keyledger_http_requests_total HTTP requests by route, method and status.\n";
  out += "# TYPE keyledger_http_requests_total counter\n";
  {
    std::shared_lock lock(mutex_);
    for (const auto& [key, count] : requests_) {
      const auto& [route, method, status] = key;
      out += "keyledger_http_requests_total{route=\"" + route + "\",method=\"" + method +
             "\",status=\"" + std::to_string(status) + "\"} " +
             std::to_string(count->load(std::memory_order_relaxed)) + "\n";
    }
    out += "# HELP keyledger_http_request_duration_seconds Time from request read to response.\n";
    out += "# TYPE keyledger_http_request_duration_seconds histogram\n";
    for (const auto& [route, histogram] : latency_)
      histogram->render(out, "keyledger_http_request_duration_seconds", "route=\"" + route + "\"");
  }
  out += "# HELP keyledger_verifications_total Key verifications by result.\n";
  out += "# TYPE keyledger_verifications_total counter\n";
  out += "keyledger_verifications_total{result=\"ok\"} " + std::to_string(verify.ok.load()) + "\n";
  out += "keyledger_verifications_total{result=\"invalid\"} " +
         std::to_string(verify.invalid.load()) + "\n";
  out += "keyledger_verifications_total{result=\"rate_limited\"} " +
         std::to_string(verify.rate_limited.load()) + "\n";
  out += "# HELP keyledger_events_appended_total Events made durable.\n";
  out += "# TYPE keyledger_events_appended_total counter\n";
  out += "keyledger_events_appended_total " + std::to_string(writer.events_appended) + "\n";
  out += "# HELP keyledger_commits_total Group commits attempted.\n";
  out += "# TYPE keyledger_commits_total counter\n";
  out += "keyledger_commits_total " + std::to_string(writer.commits) + "\n";
  out += "# HELP keyledger_commit_failures_total Group commits that failed (nothing written).\n";
  out += "# TYPE keyledger_commit_failures_total counter\n";
  out += "keyledger_commit_failures_total " + std::to_string(writer.commit_failures) + "\n";
  out +=
      "# HELP keyledger_storage_failing 1 while the latest group commit failed (writes refused).\n";
  out += "# TYPE keyledger_storage_failing gauge\n";
  out += std::string("keyledger_storage_failing ") + (writer.failing ? "1" : "0") + "\n";
  out += "# HELP keyledger_commands_rejected_total Commands decided into an error.\n";
  out += "# TYPE keyledger_commands_rejected_total counter\n";
  out += "keyledger_commands_rejected_total " + std::to_string(writer.commands_rejected) + "\n";
  out += "# HELP keyledger_commit_batch_events Events per group commit .\n";
  out += "# TYPE keyledger_commit_batch_events histogram\n";
  batch_sizes_.render(out, "keyledger_commit_batch_events", "");
  out += "# HELP keyledger_commit_fsync_seconds Time of each durable append (write + fsync).\n";
  out += "# TYPE keyledger_commit_fsync_seconds histogram\n";
  fsync_seconds_.render(out, "keyledger_commit_fsync_seconds", "");
  out +=
      "# HELP keyledger_password_checks_total Presented passwords checked against a scrypt hash "
      "(sign-ins, also for names no user holds, and password changes).\n";
  out += "# TYPE keyledger_password_checks_total counter\n";
  out += "keyledger_password_checks_total " +
         std::to_string(password_checks_.load(std::memory_order_relaxed)) + "\n";
  if (connections_) {
    out += "# HELP keyledger_connections_open Open connections on every port.\n";
    out += "# TYPE keyledger_connections_open gauge\n";
    out += "keyledger_connections_open " + std::to_string(connections_->open()) + "\n";
    out +=
        "# HELP keyledger_connections_refused_total Connections closed at once because a cap "
        "(in all, or per client IP) was reached.\n";
    out += "# TYPE keyledger_connections_refused_total counter\n";
    out += "keyledger_connections_refused_total " + std::to_string(connections_->refused()) + "\n";
  }
  return out;
}

}  // namespace keyledger::server
