// A keyledgerd leader publishing to a real 3-node NATS JetStream cluster
// (issue 20): every committed event in the stream with the log's bytes, in
// order; a restart resumes without duplicates; a leader killed between its
// commit and the publish gives the stream the missing events exactly once;
// NATS unreachable past --max-unpublished refuses writes and writes
// nothing, while verifications go on (the leader cut off by pausing proxies
// in front of every server, tests/support/tcp_proxy.h). Waits are for
// conditions.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "server/replication/event_publisher.h"
#include "storage/rocks_event_log.h"
#include "tests/cluster/cluster_fixture.h"
#include "tests/server/replication/fake_publish_stream.h"
#include "tests/support/command_runner.h"
#include "tests/support/eventually.h"
#include "tests/support/files.h"
#include "tests/support/http_client.h"
#include "tests/support/server_process.h"
#include "tests/support/skip.h"
#include "tests/support/temp_dir.h"

using namespace keyledger;
using namespace keyledger::testing;

namespace {

// The leader's flags for `stream` on `cluster`, as its `leader` NATS user
// (the password file in `scratch`).
std::vector<std::string> leader_flags(const NatsCluster& cluster, const std::string& stream,
                                      const std::string& max_unpublished, const TempDir& scratch) {
  std::vector<std::string> flags =
      keyledgerd_nats_flags(cluster, cluster.leader_credentials(), stream, scratch.path());
  flags.insert(flags.end(), {"--max-unpublished", max_unpublished});
  return flags;
}

// Signs in as admin and makes a few changes; returns one new key's token.
std::string make_changes(const ServerProcess& leader, int keys) {
  HttpClient admin(leader.port());
  REQUIRE(admin.login("admin", kAdminPassword).status == 200);
  std::string token;
  for (int i = 0; i < keys; ++i) {
    auto created = admin.post_json("/v1/keys", {{"name", "key " + std::to_string(i)}});
    REQUIRE(created.status == 201);
    token = created.json()["key"];
  }
  return token;
}

// Problems `promtool check metrics` finds in the leader's /metrics, or ""
// (also when promtool is not installed: the promtool ctest covers that).
std::string promtool_problems(const ServerProcess& leader) {
  if (::access("/usr/bin/promtool", X_OK) != 0) return "";
  TempDir folder;
  const auto metrics = folder / "metrics.txt";
  write_file(metrics, HttpClient(leader.port()).get("/metrics").body);
  const CommandResult checked = run_command(
      "/bin/sh", {"-c", "exec /usr/bin/promtool check metrics < \"$0\"", metrics.string()});
  return checked.exit_code == 0 && checked.err.empty() ? "" : checked.out + checked.err;
}

}  // namespace

TEST_CASE(
    "a leader publishes every committed event with the log's bytes in order, and a restart "
    "publishes nothing twice",
    "[nats][publisher]") {
  KEYLEDGER_REQUIRE_NATS_SERVER();
  NatsCluster& cluster = shared_nats_cluster();
  const std::string stream = fresh_stream_name();
  TempDir scratch;
  ServerProcess leader(leader_flags(cluster, stream, "5s", scratch));
  make_changes(leader, 5);
  REQUIRE(eventually([&] { return published_all(leader.port()); }));
  CHECK(promtool_problems(leader).empty());
  REQUIRE(leader.stop() == 0);
  const auto first = log_events(leader.data_dir());
  CHECK(stream_messages(cluster, stream) == first);

  leader.restart();
  make_changes(leader, 3);
  REQUIRE(eventually([&] { return published_all(leader.port()); }));
  REQUIRE(leader.stop() == 0);
  const auto events = log_events(leader.data_dir());
  REQUIRE(events.size() > first.size());
  CHECK(stream_messages(cluster, stream) == events);  // each seq once, the log's bytes
}

TEST_CASE(
    "a leader killed between commit and publish gives the stream the missing events exactly "
    "once after its restart",
    "[nats][publisher]") {
  KEYLEDGER_REQUIRE_NATS_SERVER();
  NatsCluster& cluster = shared_nats_cluster();
  const std::string stream = fresh_stream_name();
  TempDir scratch;
  ServerProcess leader(leader_flags(cluster, stream, "60m", scratch));
  make_changes(leader, 2);
  REQUIRE(eventually([&] { return published_all(leader.port()); }));
  const std::uint64_t published = readiness(leader.port())["head_seq"];

  for (int i = 0; i < cluster.size(); ++i) cluster.kill_node(i);
  make_changes(leader, 3);  // acknowledged, durable, not in the stream
  CHECK(readiness(leader.port())["replication"]["unpublished_events"] > 0);
  leader.kill_hard();
  cluster.start_stopped_nodes();

  leader.restart();
  REQUIRE(eventually([&] { return published_all(leader.port()); }, std::chrono::seconds(60)));
  REQUIRE(leader.stop() == 0);
  const auto events = log_events(leader.data_dir());
  REQUIRE(events.size() > published);
  CHECK(stream_messages(cluster, stream) == events);
}

TEST_CASE(
    "a leader cut off from every NATS server past --max-unpublished refuses writes with 503 and "
    "writes nothing, while verifications go on",
    "[nats][publisher][partition]") {
  KEYLEDGER_REQUIRE_NATS_SERVER();
  NatsCluster& cluster = shared_nats_cluster();
  const std::string stream = fresh_stream_name();
  TempDir scratch;
  // The leader reaches each NATS server only through a proxy; the cluster
  // itself stays up for everyone else.
  NatsProxies proxies(cluster);
  ServerProcess leader(
      with_nats_urls(leader_flags(cluster, stream, "300ms", scratch), proxies.urls()));
  const std::string token = make_changes(leader, 1);
  REQUIRE(eventually([&] { return published_all(leader.port()); }));

  proxies.pause_all(ProxyPause::kDrop);
  HttpClient admin(leader.port());
  REQUIRE(admin.login("admin", kAdminPassword).status == 200);
  REQUIRE(admin.post_json("/v1/keys", {{"name", "within the bound"}}).status == 201);
  REQUIRE(
      eventually([&] { return readiness(leader.port())["replication"]["writes"] == "refused"; }));
  const std::uint64_t head = readiness(leader.port())["head_seq"];
  auto refused = admin.post_json("/v1/keys", {{"name", "past the bound"}});
  CHECK(refused.status == 503);
  CHECK(refused.json()["errors"][0]["code"] == "replication_unavailable");
  CHECK(readiness(leader.port())["head_seq"] == head);
  HttpClient api_server(leader.port());
  CHECK(api_server.get("/v1/verify", {{"MC-Api-Key", token}}).status == 200);
  CHECK(HttpClient(leader.port()).get("/readyz").status == 200);

  proxies.resume_all();
  REQUIRE(eventually([&] { return published_all(leader.port()); }, std::chrono::seconds(60)));
  CHECK(admin.post_json("/v1/keys", {{"name", "after NATS came back"}}).status == 201);
  REQUIRE(eventually([&] { return published_all(leader.port()); }));
  REQUIRE(leader.stop() == 0);
  CHECK(stream_messages(cluster, stream) == log_events(leader.data_dir()));
}

// Not part of the default run: how fast the publisher empties a backlog of
// 20,000 events of 200 bytes into an R3 stream, printed, never asserted.
TEST_CASE("the publisher's throughput into an R3 stream", "[.publisher_throughput]") {
  KEYLEDGER_REQUIRE_NATS_SERVER();
  NatsCluster& cluster = shared_nats_cluster();
  MemoryEventLog log;
  constexpr int kEvents = 20'000;
  for (int seq = 1; seq <= kEvents; ++seq) {
    std::string bytes = "event " + std::to_string(seq) + " ";
    bytes.resize(200, 'x');
    log.add(bytes);
  }
  auto stream = leader_stream(cluster, fresh_stream_name(), "throughput");
  REQUIRE(stream->ensure_stream().is_ok());
  SteadyClock clock;
  RecordingPublisherLog reports;
  replication::EventPublisher publisher(log, *stream, clock, reports);
  const auto started = std::chrono::steady_clock::now();
  publisher.start();
  REQUIRE(eventually([&] { return publisher.status().published_seq == kEvents; },
                     std::chrono::seconds(120)));
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - started;
  std::printf("published %d events of 200 bytes in %.2f s: %.0f events/s\n", kEvents, took.count(),
              kEvents / took.count());
}
