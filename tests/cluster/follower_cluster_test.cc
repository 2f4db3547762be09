// keyledgerd --follower against real nats-server processes on loopback and
// a real keyledgerd leader publishing its log (--nats). They run on the
// shared 3-node cluster with keyledger's accounts and permissions (the
// leader connects as the `leader` user, the follower as `follower`). The
// cut-off test puts a proxy (tests/support/tcp_proxy.h) in front of every
// server for the follower alone and pauses them.
#include <signal.h>

#include <catch2/catch.hpp>
#include <string>
#include <thread>
#include <vector>

#include "core/chain_verifier.h"
#include "storage/rocks_event_log.h"
#include "tests/cluster/cluster_fixture.h"
#include "tests/support/eventually.h"
#include "tests/support/files.h"
#include "tests/support/http_client.h"
#include "tests/support/server_process.h"
#include "tests/support/skip.h"

namespace keyledger::testing {
namespace {

// The stream `name` on `nats`, made before the leader starts: R1 on a
// one-server NATS, where the leader's R3 could not be placed.
std::unique_ptr<replication::JetStreamEventStream> made_stream(NatsCluster& nats,
                                                               const std::string& name) {
  auto stream = leader_stream(nats, name);
  REQUIRE(stream->ensure_stream().is_ok());
  return stream;
}

// A keyledgerd leader publishing to a fresh stream on `nats`, its admin
// signed in, and a connection to that stream as the leader's NATS user
// (for the forgery test).
struct Leader {
  explicit Leader(NatsCluster& nats = shared_nats_cluster()) : nats(nats) {
    REQUIRE(admin.login("admin", kAdminPassword).status == 200);
  }
  // A new key's token and id.
  std::pair<std::string, std::string> create_key(const std::string& name) {
    const HttpResult created = admin.post_json("/v1/keys", {{"name", name}});
    REQUIRE(created.status == 201);
    return {created.json()["key"], created.json()["id"]};
  }
  // Waits until the leader says the stream holds every event of its log;
  // `published` is then its head.
  void wait_published() {
    REQUIRE(eventually([&] {
      const HttpResult ready = HttpClient(process.port()).get("/readyz");
      const auto replication = ready.json()["replication"];
      if (replication["unpublished_events"] != 0 ||
          replication["published_seq"] != ready.json()["head_seq"])
        return false;
      published = ready.json()["head_seq"];
      return true;
    }));
  }

  NatsCluster& nats;
  std::string name = fresh_stream_name();
  std::unique_ptr<replication::JetStreamEventStream> stream = made_stream(nats, name);
  TempDir scratch;
  ServerProcess process{
      keyledgerd_nats_flags(nats, nats.leader_credentials(), name, scratch.path())};
  HttpClient admin{process.port()};
  std::uint64_t published = 0;
};

// A follower of `leader`'s stream, as the `follower` NATS user when the
// cluster has accounts (its password in a private file under `scratch`).
std::vector<std::string> follower_args(Leader& leader, const TempDir& scratch,
                                       const std::string& max_staleness = "1s") {
  std::vector<std::string> args = keyledgerd_nats_flags(
      leader.nats, leader.nats.follower_credentials(), leader.name, scratch.path());
  args.insert(args.end(),
              {"--follower", "--pepper-file", (leader.process.data_dir() / "pepper").string(),
               "--leader-url", "http://127.0.0.1:" + std::to_string(leader.process.port()),
               "--max-staleness", max_staleness});
  return args;
}

// Whether the follower on `port` answers /readyz 200 with `seq` applied.
bool ready_at(unsigned short port, std::uint64_t seq) {
  const HttpResult ready = HttpClient(port).get("/readyz");
  return ready.status == 200 && ready.json()["applied_seq"] == seq;
}

HttpResult verify_on(unsigned short port, const std::string& token) {
  return HttpClient(port).get("/v1/verify", {{"MC-Api-Key", token}});
}

}  // namespace

TEST_CASE("a follower verifies what the leader created and renamed, and 401s what it deleted",
          "[nats][follower]") {
  KEYLEDGER_REQUIRE_NATS_SERVER();
  Leader leader;
  const auto [kept, kept_id] = leader.create_key("billing");
  REQUIRE(leader.admin.patch_json("/v1/keys/" + kept_id, {{"name", "billing (eu)"}}).status == 200);
  const auto [deleted, deleted_id] = leader.create_key("search");
  leader.wait_published();
  // An empty follower joins.
  TempDir scratch;
  ServerProcess follower(follower_args(leader, scratch));
  REQUIRE(eventually([&] { return ready_at(follower.port(), leader.published); }));
  CHECK(verify_on(follower.port(), kept).status == 200);
  CHECK(verify_on(follower.port(), kept).json()["user"] == "admin");
  CHECK(verify_on(follower.port(), deleted).status == 200);
  // The deletion reaches the follower: 401 from then on.
  REQUIRE(leader.admin.del("/v1/keys/" + deleted_id).status == 204);
  leader.wait_published();
  REQUIRE(eventually([&] { return verify_on(follower.port(), deleted).status == 401; }));
  CHECK(verify_on(follower.port(), deleted).error_code() == "invalid_credentials");
  CHECK(verify_on(follower.port(), kept).status == 200);
  // Its head hash is the leader's.
  REQUIRE(eventually([&] { return ready_at(follower.port(), leader.published); }));
  CHECK(head_of(follower.data_dir()) == head_of(leader.process.data_dir()));
  // Management goes to the leader.
  HttpClient follower_admin(follower.port());
  const HttpResult refused = follower_admin.post_json("/v1/keys", {{"name", "x"}});
  CHECK(refused.status == 503);
  CHECK(refused.error_code() == "not_leader");
  CHECK(refused.json()["errors"][0]["context"]["leader_url"] ==
        "http://127.0.0.1:" + std::to_string(leader.process.port()));
  CHECK(follower_admin.login("admin", kAdminPassword).status == 503);
  const HttpResult ready = HttpClient(follower.port()).get("/readyz");
  CHECK(ready.json()["role"] == "follower");
  CHECK(ready.json()["lag"] == 0);
  const HttpResult metrics = HttpClient(follower.port()).get("/metrics");
  CHECK(metrics.body.find("keyledger_follower_applied_seq " + std::to_string(leader.published)) !=
        std::string::npos);
}

TEST_CASE("a follower killed -9 while events arrive catches up on restart with no gap",
          "[nats][follower]") {
  KEYLEDGER_REQUIRE_NATS_SERVER();
  Leader leader;
  for (int i = 0; i < 5; ++i) leader.create_key("before " + std::to_string(i));
  leader.wait_published();
  TempDir scratch;
  ServerProcess follower(follower_args(leader, scratch));
  REQUIRE(eventually([&] { return ready_at(follower.port(), leader.published); }));
  // Events keep arriving while the follower dies mid-stream.
  // (Catch2's assertions are not for other threads: the statuses are
  // checked after the join.)
  std::vector<unsigned> statuses;
  std::thread writes([&] {
    for (int i = 0; i < 20; ++i)
      statuses.push_back(
          leader.admin.post_json("/v1/keys", {{"name", "during " + std::to_string(i)}}).status);
  });
  const std::uint64_t before = leader.published;
  REQUIRE(eventually([&] {
    const HttpResult ready = HttpClient(follower.port()).get("/readyz");
    return ready.status == 200 && ready.json()["applied_seq"] > before;
  }));
  follower.kill_hard();
  writes.join();
  CHECK(statuses == std::vector<unsigned>(20, 201));
  for (int i = 0; i < 5; ++i) leader.create_key("after " + std::to_string(i));
  leader.wait_published();
  follower.restart();
  REQUIRE(eventually([&] { return ready_at(follower.port(), leader.published); }));
  CHECK(head_of(follower.data_dir()) == head_of(leader.process.data_dir()));
  // Every seq from 1, each event extending the one before: no gap, nothing twice.
  storage::RocksOptions options;
  options.mode = storage::OpenMode::kReadOnly;
  auto log = storage::RocksEventLog::open(follower.data_dir() / "ledger", options);
  REQUIRE(log.is_ok());
  auto report = verify_chain(**log);
  REQUIRE(report.is_ok());
  CHECK(report->ok());
  CHECK(report->events == leader.published);
}

TEST_CASE(
    "a follower cut off from every NATS server answers 503 past --max-staleness and recovers "
    "when the connections return",
    "[nats][follower][partition]") {
  KEYLEDGER_REQUIRE_NATS_SERVER();
  Leader leader;
  const auto [token, key_id] = leader.create_key("billing");
  leader.wait_published();
  // The follower reaches each NATS server only through a proxy of its own;
  // the leader and the servers themselves go on as before.
  NatsProxies proxies(leader.nats);
  TempDir scratch;
  ServerProcess follower(with_nats_urls(follower_args(leader, scratch, "300ms"), proxies.urls()));
  REQUIRE(eventually([&] { return ready_at(follower.port(), leader.published); }));
  REQUIRE(verify_on(follower.port(), token).status == 200);
  SECTION("a silent cut: nothing forwarded, connections held") {
    proxies.pause_all(ProxyPause::kHold);
  }
  SECTION("a refusing cut: every connection reset") { proxies.pause_all(ProxyPause::kDrop); }
  REQUIRE(eventually([&] { return verify_on(follower.port(), token).status == 503; }));
  CHECK(verify_on(follower.port(), token).error_code() == "stale_replica");
  const HttpResult stale = HttpClient(follower.port()).get("/readyz");
  CHECK(stale.status == 503);
  CHECK(stale.json()["status"] == "stale");
  // The leader deletes the key meanwhile: it must not verify after the cut
  // either, however stale the follower was.
  REQUIRE(leader.admin.del("/v1/keys/" + key_id).status == 204);
  leader.wait_published();
  CHECK(verify_on(follower.port(), token).status == 503);
  proxies.resume_all();
  REQUIRE(eventually([&] { return ready_at(follower.port(), leader.published); },
                     std::chrono::seconds(30)));
  CHECK(verify_on(follower.port(), token).status == 401);
  CHECK(head_of(follower.data_dir()) == head_of(leader.process.data_dir()));
}

TEST_CASE(
    "a follower started while no NATS server can be reached starts stale, answers 503, and "
    "catches up once one can",
    "[nats][follower][partition]") {
  KEYLEDGER_REQUIRE_NATS_SERVER();
  Leader leader;
  const auto [token, key_id] = leader.create_key("billing");
  leader.wait_published();
  NatsProxies proxies(leader.nats);
  proxies.pause_all(ProxyPause::kDrop);
  TempDir scratch;
  ServerProcess follower(with_nats_urls(follower_args(leader, scratch, "300ms"), proxies.urls()));
  CHECK(follower.output().find("NATS cannot be reached") != std::string::npos);
  const HttpResult stale = HttpClient(follower.port()).get("/readyz");
  CHECK(stale.status == 503);
  CHECK(stale.json()["status"] == "stale");
  CHECK(verify_on(follower.port(), token).error_code() == "stale_replica");
  proxies.resume_all();
  REQUIRE(eventually([&] { return ready_at(follower.port(), leader.published); },
                     std::chrono::seconds(30)));
  CHECK(verify_on(follower.port(), token).status == 200);
  CHECK(head_of(follower.data_dir()) == head_of(leader.process.data_dir()));
}

TEST_CASE("a follower refuses an event that does not extend its chain, and says so",
          "[nats][follower]") {
  KEYLEDGER_REQUIRE_NATS_SERVER();
  Leader leader;
  leader.create_key("billing");
  leader.wait_published();
  TempDir scratch;
  ServerProcess follower(follower_args(leader, scratch));
  REQUIRE(eventually([&] { return ready_at(follower.port(), leader.published); }));
  // Someone with the right to publish appends bytes that are no event.
  auto forged = leader.stream->publish(leader.published + 1, "forged bytes");
  REQUIRE(forged.is_ok());
  REQUIRE(eventually([&] {
    const HttpResult ready = HttpClient(follower.port()).get("/readyz");
    return ready.status == 503 && ready.json()["status"] == "refused";
  }));
  CHECK(follower.output().find("the follower refused an event of the stream") != std::string::npos);
  CHECK(HttpClient(follower.port()).get("/readyz").json()["applied_seq"] == leader.published);
}

}  // namespace keyledger::testing
