#include "server/daemon/metrics.h"

#include <algorithm>
#include <cstdio>
#include <optional>
#include <type_traits>

#include "core/version.h"
#include "server/daemon/process_metrics.h"

namespace keyledger::server {
namespace {

// The verification routes answer from memory in microseconds.
std::span<const std::uint64_t> latency_bounds_for(std::string_view route) {
  if (route == "/v1/verify") return kVerifyLatencyBoundsNs;
  return kRequestLatencyBoundsNs;
}

void append_help(std::string& out, std::string_view name, std::string_view type,
                 std::string_view help) {
  out.append("# HELP ").append(name).append(" ").append(help).append("\n");
  out.append("# TYPE ").append(name).append(" ").append(type).append("\n");
}

// One sample without labels, with its HELP and TYPE.
void append_metric(std::string& out, std::string_view name, std::string_view type,
                   std::string_view help, std::uint64_t value) {
  append_help(out, name, type, help);
  out.append(name).append(" ").append(std::to_string(value)).append("\n");
}

void render_verifications(std::string& out, const VerifyCounters& verify) {
  append_help(out, "keyledger_verifications_total", "counter",
              "Key verifications (HTTP and verify port) by result.");
  const std::pair<const char*, const std::atomic<std::uint64_t>*> results[] = {
      {"ok", &verify.ok},
      {"invalid", &verify.invalid},
      {"rate_limited", &verify.rate_limited},
      {"stale", &verify.stale}};
  for (const auto& [result, count] : results)
    out += "keyledger_verifications_total{result=\"" + std::string(result) + "\"} " +
           std::to_string(count->load(std::memory_order_relaxed)) + "\n";
}

// A gauge whose value need not be a whole number.
void append_gauge(std::string& out, std::string_view name, std::string_view help, double value) {
  append_help(out, name, "gauge", help);
  char text[32];
  std::snprintf(text, sizeof text, "%.6f", value);
  out.append(name).append(" ").append(text).append("\n");
}

// One gauge per follower, labelled with its node name (letters, digits and
// . _ : - only: nothing to escape).
template <typename Value>
void append_per_follower(std::string& out, std::string_view name, std::string_view help,
                         const replication::ClusterFigures& cluster, Value value) {
  append_help(out, name, "gauge", help);
  for (const auto& follower : cluster.followers) {
    const auto figure = value(follower);
    std::string text;
    if constexpr (std::is_integral_v<decltype(figure)>) {
      text = std::to_string(figure);
    } else {
      char formatted[32];
      std::snprintf(formatted, sizeof formatted, "%.6f", figure);
      text = formatted;
    }
    out.append(name).append("{node=\"").append(follower.node).append("\"} ").append(text);
    out.append("\n");
  }
}

void render_cluster(std::string& out, const replication::ClusterFigures& cluster) {
  append_metric(out, "keyledger_cluster_followers", "gauge",
                "Followers this leader heard from within 10 flush intervals.",
                cluster.followers.size());
  append_per_follower(out, "keyledger_cluster_follower_applied_seq",
                      "The seq a follower last reported it applied.", cluster,
                      [](const auto& f) { return f.applied_seq; });
  append_per_follower(out, "keyledger_cluster_follower_lag_events",
                      "This leader's head minus the seq a follower last reported.", cluster,
                      [](const auto& f) { return f.lag; });
  append_per_follower(out, "keyledger_cluster_follower_seconds_since_heard",
                      "Time since a follower's last report reached this leader.", cluster,
                      [](const auto& f) { return f.seconds_since_heard; });
  append_metric(out, "keyledger_cluster_uses_messages_refused_total", "counter",
                "Key uses messages from followers refused as malformed or beyond the limits.",
                cluster.bad_messages);
  append_metric(out, "keyledger_cluster_key_uses_received_total", "counter",
                "Key uses taken from followers' reports (each newest of its key on one follower).",
                cluster.uses_received);
}

void render_follower(std::string& out, const FollowerFigures& follower) {
  append_metric(out, "keyledger_follower_applied_seq", "gauge",
                "The seq of the last event this follower applied.", follower.applied_seq);
  append_metric(out, "keyledger_follower_stream_last_seq", "gauge",
                "The stream's last seq when this follower last asked (0 before).",
                follower.stream_last_seq);
  append_metric(out, "keyledger_follower_lag_events", "gauge",
                "Events the stream held, when last asked, that this follower has not applied.",
                follower.lag());
  // +Inf before the first confirmation: stale without bound.
  append_help(out, "keyledger_follower_staleness_seconds", "gauge",
              "Time since this follower last confirmed it held every event of the stream.");
  out += "keyledger_follower_staleness_seconds ";
  if (follower.staleness_seconds < 0) {
    out += "+Inf\n";
  } else {
    char text[32];
    std::snprintf(text, sizeof text, "%.6f\n", follower.staleness_seconds);
    out += text;
  }
  append_gauge(out, "keyledger_follower_max_staleness_seconds",
               "--max-staleness: past it, verification answers 503 stale_replica.",
               follower.max_staleness_seconds);
  append_metric(out, "keyledger_follower_stale", "gauge",
                "1 while verification answers 503 stale_replica.", follower.stale ? 1 : 0);
  append_metric(out, "keyledger_follower_refused", "gauge",
                "1 once this follower refused an event of the stream (a fork, a broken chain, "
                "an undecodable event) and stopped applying.",
                follower.refused.empty() ? 0 : 1);
  append_metric(out, "keyledger_follower_stream_connected", "gauge",
                "1 while the last call on the stream succeeded.", follower.connected ? 1 : 0);
  append_metric(out, "keyledger_follower_events_applied_total", "counter",
                "Events applied from the stream since start.", follower.events_applied);
  append_metric(out, "keyledger_follower_redeliveries_total", "counter",
                "Messages delivered again with the bytes already applied (skipped).",
                follower.redeliveries);
  append_metric(out, "keyledger_follower_gap_events_filled_total", "counter",
                "Events fetched one by one to fill a gap in what the stream delivered.",
                follower.gap_events_filled);
  append_metric(out, "keyledger_follower_stream_failures_total", "counter",
                "Failed reads of the stream (or appends to the follower's log), retried.",
                follower.stream_failures);
  append_metric(out, "keyledger_follower_key_uses_held", "gauge",
                "Keys whose last use on this follower is kept for the leader (not sent yet).",
                follower.key_uses_held);
  append_metric(out, "keyledger_follower_key_uses_refused_total", "counter",
                "Last uses the follower had no room to keep (its tracker offers them again).",
                follower.key_uses_refused);
}

// A leader's publishing to the stream (issue 20).
void render_publisher(std::string& out, const replication::PublisherStatus& publisher) {
  append_metric(out, "keyledger_replication_published_seq", "gauge",
                "The last seq the stream holds with the log's bytes.", publisher.published_seq);
  append_metric(
      out, "keyledger_replication_unpublished_events", "gauge",
      "Committed events not yet in the stream.",
      publisher.committed_seq - std::min(publisher.committed_seq, publisher.published_seq));
  const double age = publisher.oldest_unpublished_age
                         ? std::chrono::duration<double>(*publisher.oldest_unpublished_age).count()
                         : 0.0;
  append_gauge(out, "keyledger_replication_oldest_unpublished_seconds",
               "Age of the oldest committed event not yet in the stream (0 when none); writes "
               "are refused past --max-unpublished.",
               age);
  append_metric(out, "keyledger_replication_writes_refused", "gauge",
                "1 while writes are refused because the stream is too far behind.",
                publisher.writes_refused ? 1 : 0);
  append_metric(out, "keyledger_replication_nats_reachable", "gauge",
                "1 while the latest call to NATS succeeded.", publisher.reachable ? 1 : 0);
  append_metric(out, "keyledger_replication_forked", "gauge",
                "1 once publishing stopped for good: the stream holds other events than the log.",
                publisher.forked ? 1 : 0);
  append_metric(out, "keyledger_replication_events_published_total", "counter",
                "Events this process published to the stream.", publisher.events_published);
  append_metric(out, "keyledger_replication_nats_failures_total", "counter",
                "Calls to NATS that failed (each retried).", publisher.failures);
}

void render_build_info(std::string& out) {
  append_help(out, "keyledger_build_info", "gauge",
              "Always 1; the labels say which keyledgerd this is.");
  out += "keyledger_build_info{version=\"" + std::string(build_version()) + "\",commit=\"" +
         std::string(build_commit()) + "\"} 1\n";
}

}  // namespace

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
    if (!histogram_slot)
      histogram_slot =
          std::make_unique<Histogram>(latency_bounds_for(route), kNanosecondsPerSecond);
    histogram = histogram_slot.get();
  }
  count->fetch_add(1, std::memory_order_relaxed);
  histogram->observe(duration);
}

void Metrics::observe_commit(std::size_t events, std::chrono::nanoseconds duration) {
  batch_sizes_.observe(static_cast<std::uint64_t>(events));
  fsync_seconds_.observe(duration);
}

std::string Metrics::render(const VerifyCounters& verify, const WriterFigures* writer,
                            const FollowerFigures* follower,
                            const replication::PublisherStatus* publisher,
                            const replication::ClusterFigures* cluster) const {
  std::string out;
  render_build_info(out);
  render_requests(out);
  render_verifications(out, verify);
  render_verify_port(out);
  if (writer) render_writer(out, *writer);
  if (follower) render_follower(out, *follower);
  if (publisher) render_publisher(out, *publisher);
  if (cluster) render_cluster(out, *cluster);
  append_metric(out, "keyledger_password_checks_total", "counter",
                "Presented passwords checked against a scrypt hash (sign-ins, also for names "
                "no user holds, and password changes).",
                password_checks_.load(std::memory_order_relaxed));
  render_connections(out);
  render_process_metrics(out);
  return out;
}

void Metrics::render_requests(std::string& out) const {
  append_help(out, "keyledger_http_requests_total", "counter",
              "HTTP requests by route, method and status.");
  std::shared_lock lock(mutex_);
  for (const auto& [key, count] : requests_) {
    const auto& [route, method, status] = key;
    out += "keyledger_http_requests_total{route=\"" + route + "\",method=\"" + method +
           "\",status=\"" + std::to_string(status) + "\"} " +
           std::to_string(count->load(std::memory_order_relaxed)) + "\n";
  }
  append_help(out, "keyledger_http_request_duration_seconds", "histogram",
              "Time from request read to response, by route (buckets from 1 µs for /v1/verify, "
              "from 100 µs for the others).");
  for (const auto& [route, histogram] : latency_)
    histogram->render(out, "keyledger_http_request_duration_seconds", "route=\"" + route + "\"");
}

void Metrics::render_verify_port(std::string& out) const {
  append_metric(out, "keyledger_verify_port_connections_total", "counter",
                "Connections accepted on the verify port (0 without --verify-listen).",
                verify_port_.connections.load(std::memory_order_relaxed));
  append_metric(out, "keyledger_verify_port_bad_frames_total", "counter",
                "Verify-port connections closed for a bad or incomplete frame, or for not "
                "reading their answers.",
                verify_port_.bad_frames.load(std::memory_order_relaxed));
  append_help(out, "keyledger_verify_port_request_duration_seconds", "histogram",
              "Server time per verify-port request, from taking up its frame to its answer "
              "being built.");
  verify_port_.request_duration.render(out, "keyledger_verify_port_request_duration_seconds", "");
}

void Metrics::render_writer(std::string& out, const WriterFigures& writer) const {
  append_metric(out, "keyledger_events_appended_total", "counter", "Events made durable.",
                writer.events_appended);
  append_metric(out, "keyledger_commits_total", "counter", "Group commits attempted.",
                writer.commits);
  append_metric(out, "keyledger_commit_failures_total", "counter",
                "Group commits that failed (nothing written).", writer.commit_failures);
  append_metric(out, "keyledger_storage_failing", "gauge",
                "1 while the latest group commit failed (writes refused).", writer.failing ? 1 : 0);
  append_metric(out, "keyledger_commands_rejected_total", "counter",
                "Commands decided into an error.", writer.commands_rejected);
  append_help(out, "keyledger_commit_batch_events", "histogram", "Events per group commit.");
  batch_sizes_.render(out, "keyledger_commit_batch_events", "");
  append_help(out, "keyledger_commit_fsync_seconds", "histogram",
              "Time of each durable append (write + fsync).");
  fsync_seconds_.render(out, "keyledger_commit_fsync_seconds", "");
}

std::string MetricsPage::render() const {
  std::optional<WriterFigures> writer;
  if (writer_) writer = writer_();
  std::optional<FollowerFigures> follower;
  if (replication_.follower) follower = replication_.follower();
  std::optional<replication::PublisherStatus> publisher;
  if (replication_.publisher) publisher = replication_.publisher();
  std::optional<replication::ClusterFigures> cluster;
  if (replication_.cluster) cluster = replication_.cluster();
  return metrics_.render(verifier_.counters(), writer ? &*writer : nullptr,
                         follower ? &*follower : nullptr, publisher ? &*publisher : nullptr,
                         cluster ? &*cluster : nullptr);
}

void Metrics::render_connections(std::string& out) const {
  if (!connections_) return;
  append_metric(out, "keyledger_connections_open", "gauge", "Open connections on every port.",
                connections_->open());
  append_metric(out, "keyledger_connections_refused_total", "counter",
                "Connections closed at once because a cap (in all, or per client IP) was reached.",
                connections_->refused());
}

}  // namespace keyledger::server
