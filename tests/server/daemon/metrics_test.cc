// /metrics as Metrics renders it: verification latency in buckets from
// 1 µs (HTTP and the verify port), other routes from 100 µs, the build and
// process figures, and every family well formed (HELP, TYPE, then samples).
#include "server/daemon/metrics.h"

#include <array>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstring>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "server/http/histogram.h"

using keyledger::server::Histogram;
using keyledger::server::Metrics;
using keyledger::server::VerifyCounters;
using keyledger::server::WriterFigures;
using namespace std::chrono_literals;

namespace {

std::string render(const Metrics& metrics) {
  VerifyCounters verify;
  const WriterFigures writer;
  return metrics.render(verify, &writer);
}

bool has_line(const std::string& text, const std::string& line) {
  return ("\n" + text).find("\n" + line + "\n") != std::string::npos;
}

// The families whose HELP and TYPE came before `text`'s samples, and the
// problems found: a sample of an undeclared family, a value that is not a
// number, a family declared twice, HELP text with a stray " ." (the old
// "batch ." typo).
std::vector<std::string> exposition_problems(const std::string& text) {
  std::vector<std::string> problems;
  std::map<std::string, std::string> types;
  std::set<std::string> helped;
  static const std::regex sample(R"(([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+))");
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    std::smatch match;
    if (line.starts_with("# HELP ")) {
      const std::string rest = line.substr(7);
      const std::string name = rest.substr(0, rest.find(' '));
      if (!helped.insert(name).second) problems.push_back("HELP twice: " + name);
      if (rest.find(" .") != std::string::npos) problems.push_back("stray ' .': " + line);
    } else if (line.starts_with("# TYPE ")) {
      const std::string rest = line.substr(7);
      const std::string name = rest.substr(0, rest.find(' '));
      if (!helped.count(name)) problems.push_back("TYPE before HELP: " + name);
      if (!types.emplace(name, rest.substr(rest.find(' ') + 1)).second)
        problems.push_back("TYPE twice: " + name);
    } else if (std::regex_match(line, match, sample)) {
      std::string family = match[1];
      for (const char* suffix : {"_bucket", "_sum", "_count"})
        if (family.ends_with(suffix) && !types.count(family)) {
          const std::string base = family.substr(0, family.size() - std::strlen(suffix));
          if (types.count(base) && types[base] == "histogram") family = base;
        }
      if (!types.count(family)) problems.push_back("undeclared: " + line);
      try {
        if (match[3] != "+Inf") (void)std::stod(match[3]);
      } catch (...) {
        problems.push_back("not a number: " + line);
      }
    } else {
      problems.push_back("not a sample: " + line);
    }
  }
  return problems;
}

}  // namespace

TEST_CASE("/v1/verify's latency has buckets from 1 µs, other routes keep theirs from 100 µs",
          "[server][metrics]") {
  Metrics metrics;
  metrics.observe_request("/v1/verify", "GET", 200, 3us);
  metrics.observe_request("/v1/verify", "GET", 200, 40us);
  metrics.observe_request("/v1/keys", "POST", 201, 3ms);
  const std::string text = render(metrics);
  const std::string verify = "keyledger_http_request_duration_seconds_bucket{route=\"/v1/verify\",";
  CHECK(has_line(text, verify + "le=\"1e-06\"} 0"));
  CHECK(has_line(text, verify + "le=\"2.5e-06\"} 0"));
  CHECK(has_line(text, verify + "le=\"5e-06\"} 1"));
  CHECK(has_line(text, verify + "le=\"5e-05\"} 2"));
  CHECK(has_line(text, verify + "le=\"+Inf\"} 2"));
  CHECK(
      has_line(text, "keyledger_http_request_duration_seconds_sum{route=\"/v1/verify\"} 4.3e-05"));
  CHECK(has_line(text, "keyledger_http_request_duration_seconds_count{route=\"/v1/verify\"} 2"));
  const std::string keys = "keyledger_http_request_duration_seconds_bucket{route=\"/v1/keys\",";
  CHECK(text.find(keys + "le=\"1e-06\"}") == std::string::npos);
  CHECK(has_line(text, keys + "le=\"0.0001\"} 0"));
  CHECK(has_line(text, keys + "le=\"0.0025\"} 0"));
  CHECK(has_line(text, keys + "le=\"0.005\"} 1"));
  CHECK(has_line(text, keys + "le=\"2.5\"} 1"));
  CHECK(exposition_problems(text).empty());
}

TEST_CASE("the verify port has a latency histogram of its own, from 1 µs", "[server][metrics]") {
  Metrics metrics;
  const std::string empty = render(metrics);
  CHECK(has_line(empty, "# TYPE keyledger_verify_port_request_duration_seconds histogram"));
  CHECK(has_line(empty, "keyledger_verify_port_request_duration_seconds_count 0"));
  metrics.verify_port().request_duration.observe(1500ns);
  metrics.verify_port().connections.fetch_add(1);
  const std::string text = render(metrics);
  CHECK(has_line(text, "keyledger_verify_port_request_duration_seconds_bucket{le=\"1e-06\"} 0"));
  CHECK(has_line(text, "keyledger_verify_port_request_duration_seconds_bucket{le=\"2.5e-06\"} 1"));
  CHECK(has_line(text, "keyledger_verify_port_request_duration_seconds_count 1"));
  CHECK(has_line(text, "keyledger_verify_port_request_duration_seconds_sum 1.5e-06"));
  CHECK(has_line(text, "keyledger_verify_port_connections_total 1"));
  CHECK(has_line(text, "keyledger_verify_port_bad_frames_total 0"));
}

TEST_CASE("metrics say which build this is and how the process fares", "[server][metrics]") {
  const std::string text = render(Metrics());
  CHECK(std::regex_search(
      text, std::regex("\nkeyledger_build_info\\{version=\"[0-9]+\\.[0-9]+\\.[0-9]+\","
                       "commit=\"([0-9a-f]{12}(-dirty)?|unknown|)\"\\} 1\n")));
  for (const char* name : {"process_resident_memory_bytes", "process_virtual_memory_bytes",
                           "process_cpu_seconds_total", "process_open_fds", "process_max_fds",
                           "process_start_time_seconds"}) {
    INFO(name);
    std::smatch match;
    REQUIRE(std::regex_search(text, match, std::regex("\n" + std::string(name) + " (\\S+)\n")));
    const double value = std::stod(match[1]);
    if (std::string(name) != "process_cpu_seconds_total") CHECK(value > 0);
  }
  CHECK(exposition_problems(text).empty());
}

TEST_CASE("every metric family is declared once, before its samples, in plain words",
          "[server][metrics]") {
  Metrics metrics;
  metrics.observe_request("/v1/verify", "GET", 401, 2us);
  metrics.observe_request("/healthz", "GET", 200, 150us);
  metrics.observe_commit(3, 2ms);
  const std::string text = render(metrics);
  std::string problems;
  for (const auto& problem : exposition_problems(text)) problems += problem + "\n";
  INFO(problems);
  CHECK(problems.empty());
  CHECK(text.find("batch .") == std::string::npos);  // the old HELP typo
  CHECK(has_line(text, "# HELP keyledger_commit_batch_events Events per group commit."));
}

TEST_CASE("without a writer the page leaves out only the writer's families", "[server][metrics]") {
  Metrics metrics;
  metrics.observe_request("/v1/verify", "GET", 200, 2us);
  VerifyCounters verify;
  const WriterFigures writer;
  const std::string leader = metrics.render(verify, &writer);
  const std::string follower = metrics.render(verify, nullptr);
  CHECK(exposition_problems(follower).empty());
  for (const char* family : {"keyledger_events_appended_total", "keyledger_commits_total",
                             "keyledger_commit_failures_total", "keyledger_storage_failing",
                             "keyledger_commands_rejected_total", "keyledger_commit_batch_events",
                             "keyledger_commit_fsync_seconds"}) {
    INFO(family);
    CHECK(("\n" + leader).find("\n# HELP " + std::string(family) + " ") != std::string::npos);
    CHECK(follower.find(family) == std::string::npos);
  }
  for (const char* family :
       {"keyledger_build_info", "keyledger_http_requests_total", "keyledger_verifications_total",
        "keyledger_password_checks_total", "process_open_fds"})
    CHECK(("\n" + follower).find("\n# HELP " + std::string(family) + " ") != std::string::npos);
}

TEST_CASE("a histogram counts each value in the first bucket whose bound holds it",
          "[server][metrics]") {
  static constexpr std::array<std::uint64_t, 3> kBounds = {10, 20, 40};
  Histogram histogram(kBounds);
  for (std::uint64_t value : {0, 10, 11, 20, 40, 41, 1000}) histogram.observe(value);
  std::string out;
  histogram.render(out, "sizes", "");
  CHECK(out ==
        "sizes_bucket{le=\"10\"} 2\n"
        "sizes_bucket{le=\"20\"} 4\n"
        "sizes_bucket{le=\"40\"} 5\n"
        "sizes_bucket{le=\"+Inf\"} 7\n"
        "sizes_sum 1122\n"
        "sizes_count 7\n");
}

TEST_CASE("a batch of observations adds, once flushed, what observing each would have",
          "[server][metrics]") {
  keyledger::server::Histogram one_by_one(keyledger::server::kVerifyLatencyBoundsNs,
                                          keyledger::server::kNanosecondsPerSecond);
  keyledger::server::Histogram batched(keyledger::server::kVerifyLatencyBoundsNs,
                                       keyledger::server::kNanosecondsPerSecond);
  keyledger::server::HistogramBatch batch(batched);
  const std::chrono::nanoseconds values[] = {0ns, 999ns, 1us, 1001ns, 7us, 7us, 3ms, 5s};
  for (auto value : values) {
    one_by_one.observe(value);
    batch.observe(value);
  }
  std::string before;
  batched.render(before, "x", "");
  CHECK(before.find("x_count 0\n") != std::string::npos);
  batch.flush();
  batch.flush();  // nothing more to add
  std::string expected, got;
  one_by_one.render(expected, "x", "");
  batched.render(got, "x", "");
  CHECK(got == expected);
  CHECK(got.find("x_count 8\n") != std::string::npos);
}

TEST_CASE("a publishing leader's page carries the replication figures, and only it",
          "[server][metrics]") {
  Metrics metrics;
  VerifyCounters verify;
  const WriterFigures writer;
  keyledger::replication::PublisherStatus publisher;
  publisher.published_seq = 40;
  publisher.committed_seq = 42;
  publisher.oldest_unpublished_age = 1500ms;
  publisher.writes_refused = true;
  publisher.reachable = false;
  publisher.events_published = 40;
  publisher.failures = 3;
  const std::string text = metrics.render(verify, &writer, nullptr, &publisher);
  CHECK(exposition_problems(text).empty());
  for (const char* line :
       {"keyledger_replication_published_seq 40", "keyledger_replication_unpublished_events 2",
        "keyledger_replication_oldest_unpublished_seconds 1.500000",
        "keyledger_replication_writes_refused 1", "keyledger_replication_nats_reachable 0",
        "keyledger_replication_forked 0", "keyledger_replication_events_published_total 40",
        "keyledger_replication_nats_failures_total 3"}) {
    INFO(line);
    CHECK(has_line(text, line));
  }
  CHECK(metrics.render(verify, &writer).find("keyledger_replication_") == std::string::npos);
}

TEST_CASE("a leader's page carries its followers, one gauge each with a node label",
          "[server][metrics][cluster]") {
  Metrics metrics;
  VerifyCounters verify;
  const WriterFigures writer;
  keyledger::replication::ClusterFigures cluster;
  cluster.head_seq = 120;
  cluster.followers = {{"eu-1:8081", 118, 2, 0.5}, {"us-2:8081", 120, 0, 1.25}};
  cluster.bad_messages = 3;
  cluster.uses_received = 7;
  const std::string text = metrics.render(verify, &writer, nullptr, nullptr, &cluster);
  CHECK(exposition_problems(text).empty());
  for (const char* line : {"keyledger_cluster_followers 2",
                           "keyledger_cluster_follower_applied_seq{node=\"eu-1:8081\"} 118",
                           "keyledger_cluster_follower_lag_events{node=\"eu-1:8081\"} 2",
                           "keyledger_cluster_follower_seconds_since_heard{node=\"us-2:8081\"} "
                           "1.250000",
                           "keyledger_cluster_uses_messages_refused_total 3",
                           "keyledger_cluster_key_uses_received_total 7"}) {
    INFO(line);
    CHECK(has_line(text, line));
  }
  CHECK(metrics.render(verify, &writer).find("keyledger_cluster_") == std::string::npos);
}
