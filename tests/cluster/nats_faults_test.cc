// NATS node faults under a publishing leader and a following follower with
// writes in flight (issue 20): kill -9 one NATS node and restart it, then
// kill -9 the node leading the stream and restart it, one fault at a time.
// After each, publishing and following resume, and nothing is lost or
// duplicated: the stream equals the leader's log, the follower's head is the
// leader's, and every acknowledged key verifies on the follower.
#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tests/cluster/cluster_fixture.h"
#include "tests/support/eventually.h"
#include "tests/support/http_client.h"
#include "tests/support/server_process.h"
#include "tests/support/skip.h"
#include "tests/support/temp_dir.h"

namespace keyledger::testing {
namespace {

using namespace std::chrono_literals;

// Creates keys on the leader on its own thread until stopped; keeps the
// tokens of those acknowledged (201) and counts the other answers.
// (Catch2's assertions are not for other threads: the test checks after.)
class Writes {
 public:
  explicit Writes(unsigned short leader_port) : port_(leader_port) {
    thread_ = std::thread([this] { run(); });
  }
  ~Writes() { stop(); }
  void stop() {
    stopping_ = true;
    if (thread_.joinable()) thread_.join();
  }
  std::size_t acknowledged() const {
    std::lock_guard lock(mutex_);
    return tokens_.size();
  }
  std::vector<std::string> tokens() const {
    std::lock_guard lock(mutex_);
    return tokens_;
  }
  int failed() const { return failed_; }

 private:
  void run() {
    HttpClient admin(port_);
    if (admin.login("admin", kAdminPassword).status != 200) {
      ++failed_;
      return;
    }
    for (int i = 0; !stopping_; ++i) {
      const HttpResult created = admin.post_json("/v1/keys", {{"name", "w" + std::to_string(i)}});
      if (created.status != 201) {
        ++failed_;
        continue;
      }
      {
        std::lock_guard lock(mutex_);
        tokens_.push_back(created.json()["key"]);
      }
      // Paced: writes in flight, not a flood that starves the NATS nodes
      // of the 2 cores they share with it.
      std::this_thread::sleep_for(5ms);
    }
  }

  unsigned short port_;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  std::atomic<int> failed_{0};
  mutable std::mutex mutex_;
  std::vector<std::string> tokens_;
};

std::uint64_t applied_seq(unsigned short port) {
  const auto ready = readiness(port);
  return ready.is_object() ? ready.value("applied_seq", std::uint64_t{0}) : 0;
}

std::uint64_t published_seq(unsigned short port) {
  const auto ready = readiness(port);
  return ready.is_object() && ready.contains("replication")
             ? ready["replication"].value("published_seq", std::uint64_t{0})
             : 0;
}

unsigned verify_status(unsigned short port, const std::string& token) {
  return HttpClient(port).get("/v1/verify", {{"MC-Api-Key", token}}).status;
}

// Waits until more writes are acknowledged, the leader has published past
// what it had, and the follower has applied past what it had: publishing
// and following go on.
void require_progress(const Writes& writes, unsigned short leader, unsigned short follower) {
  const std::size_t acknowledged = writes.acknowledged();
  const std::uint64_t published = published_seq(leader), applied = applied_seq(follower);
  REQUIRE(eventually([&] { return writes.acknowledged() > acknowledged + 3; }, 60s));
  REQUIRE(eventually([&] { return published_seq(leader) > published; }, 60s));
  REQUIRE(eventually([&] { return applied_seq(follower) > applied; }, 60s));
}

}  // namespace

TEST_CASE(
    "killing a NATS node, then the stream's leader node, while writes are in flight loses and "
    "duplicates nothing, and publishing and following resume",
    "[nats][faults]") {
  KEYLEDGER_REQUIRE_NATS_SERVER();
  NatsCluster& cluster = shared_nats_cluster();
  RestartKilledNodes restart_killed(cluster);
  const std::string stream = fresh_stream_name();
  TempDir scratch;
  // A bound far past an election's stall: writes never wait for NATS here.
  auto leader_flags =
      keyledgerd_nats_flags(cluster, cluster.leader_credentials(), stream, scratch.path());
  leader_flags.insert(leader_flags.end(), {"--max-unpublished", "10m"});
  ServerProcess leader(leader_flags);
  REQUIRE(eventually([&] { return published_all(leader.port()); }));
  auto follower_flags =
      keyledgerd_nats_flags(cluster, cluster.follower_credentials(), stream, scratch.path());
  follower_flags.insert(follower_flags.end(),
                        {"--follower", "--pepper-file", (leader.data_dir() / "pepper").string(),
                         "--max-staleness", "1m"});
  ServerProcess follower(follower_flags);
  Writes writes(leader.port());
  require_progress(writes, leader.port(), follower.port());

  SECTION("a node that does not lead the stream") {
    REQUIRE(eventually([&] { return !cluster.stream_leader(stream).empty(); }));
    const int stream_leader = cluster.node_named(cluster.stream_leader(stream));
    const int victim = (stream_leader + 1) % cluster.size();
    cluster.kill_node(victim);
    require_progress(writes, leader.port(), follower.port());
    cluster.restart_node(victim);
  }
  SECTION("the node leading the stream") {
    REQUIRE(eventually([&] { return !cluster.stream_leader(stream).empty(); }));
    const int victim = cluster.node_named(cluster.stream_leader(stream));
    REQUIRE(victim >= 0);
    cluster.kill_node(victim);
    require_progress(writes, leader.port(), follower.port());
    cluster.restart_node(victim);
  }
  require_progress(writes, leader.port(), follower.port());
  writes.stop();
  CHECK(writes.failed() == 0);
  REQUIRE(eventually([&] { return published_all(leader.port()); }, 60s));
  const std::uint64_t head = readiness(leader.port())["head_seq"];
  REQUIRE(eventually([&] { return applied_seq(follower.port()) == head; }, 60s));
  CHECK(stream_messages(cluster, stream) == log_events(leader.data_dir()));
  CHECK(head_of(follower.data_dir()) == head_of(leader.data_dir()));
  // Acknowledged keys verify on the follower: 200 spread over the run and
  // the last one (the stream and the heads above cover every event).
  const auto tokens = writes.tokens();
  REQUIRE_FALSE(tokens.empty());
  const std::size_t stride = std::max<std::size_t>(1, tokens.size() / 200);
  std::vector<std::string> unverified;
  for (std::size_t i = 0; i < tokens.size(); i += stride)
    if (verify_status(follower.port(), tokens[i]) != 200) unverified.push_back(tokens[i]);
  if (verify_status(follower.port(), tokens.back()) != 200) unverified.push_back(tokens.back());
  CHECK(unverified.empty());
}

}  // namespace keyledger::testing
