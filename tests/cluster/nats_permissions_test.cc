// keyledger's NATS accounts and permissions (nats_permissions_config, the
// same block tools/cluster.sh writes): only the leader's credentials may
// publish events; a follower's may read the stream and publish uses; no
// credentials may do nothing at all.
#include <nats/nats.h>

#include <catch2/catch.hpp>
#include <fstream>

#include "server/replication/jetstream_stream.h"
#include "tests/cluster/cluster_fixture.h"
#include "tests/support/command_runner.h"
#include "tests/support/skip.h"
#include "tests/support/temp_dir.h"

namespace keyledger::replication {
namespace {

using testing::NatsCluster;
using testing::shared_nats_cluster;

// A stream the leader made, holding events 1 and 2.
std::string leader_made_stream(NatsCluster& cluster) {
  const std::string name = testing::fresh_stream_name();
  auto leader = testing::leader_stream(cluster, name);
  REQUIRE(leader->ensure_stream().is_ok());
  REQUIRE(leader->publish(1, "one").is_ok());
  REQUIRE(leader->publish(2, "two").is_ok());
  return name;
}

// Publishes `payload` on `subject` with core NATS as `credentials` and
// flushes; true when the server reported no permission violation.
bool core_publish_allowed(const NatsCluster& cluster, const testing::NatsCredentials& credentials,
                          const std::string& subject) {
  auto connection = NatsConnection::connect(testing::nats_options(cluster, credentials));
  REQUIRE(connection.is_ok());
  REQUIRE(natsConnection_PublishString((*connection)->connection(), subject.c_str(), "x") ==
          NATS_OK);
  // The server answers a violation before it answers the flush's PONG,
  // and nats.c keeps it as the connection's last error.
  REQUIRE(natsConnection_Flush((*connection)->connection()) == NATS_OK);
  const char* text = nullptr;
  return natsConnection_GetLastError((*connection)->connection(), &text) != NATS_NOT_PERMITTED;
}

}  // namespace

TEST_CASE("a publisher with a follower's credentials is refused by NATS and stores nothing",
          "[cluster][nats][permissions]") {
  KEYLEDGER_REQUIRE_NATS_SERVER();
  NatsCluster& cluster = shared_nats_cluster();
  const std::string name = leader_made_stream(cluster);
  auto follower = testing::follower_stream(cluster, name);

  auto forged = follower->publish(3, "forged three");
  CHECK(forged.status().code() == StatusCode::kPermissionDenied);
  CHECK(forged.status().is(Reason::kStreamAccessDenied));
  CHECK_FALSE(core_publish_allowed(cluster, cluster.follower_credentials(), events_subject(name)));
  // Nor may it make a stream of its own or change this one.
  auto other = testing::follower_stream(cluster, testing::fresh_stream_name());
  CHECK(other->ensure_stream().code() == StatusCode::kPermissionDenied);

  auto leader = testing::leader_stream(cluster, name);
  CHECK(*leader->last_seq() == 2);
}

TEST_CASE("a client without credentials cannot even connect", "[cluster][nats][permissions]") {
  KEYLEDGER_REQUIRE_NATS_SERVER();
  NatsCluster& cluster = shared_nats_cluster();
  auto anonymous = NatsConnection::connect(testing::nats_options(cluster, {}));
  CHECK(anonymous.status().code() == StatusCode::kPermissionDenied);
  auto wrong = NatsConnection::connect(
      testing::nats_options(cluster, {"leader", "not-the-leader's-password"}));
  CHECK(wrong.status().code() == StatusCode::kPermissionDenied);
}

TEST_CASE("a follower's credentials read the stream and publish uses",
          "[cluster][nats][permissions]") {
  KEYLEDGER_REQUIRE_NATS_SERVER();
  NatsCluster& cluster = shared_nats_cluster();
  const std::string name = leader_made_stream(cluster);
  auto follower = testing::follower_stream(cluster, name);
  CHECK(follower->check_stream().is_ok());
  CHECK(*follower->last_seq() == 2);
  CHECK(follower->get(2)->bytes == "two");
  auto reader = follower->read_from(1);
  REQUIRE(reader.is_ok());
  std::vector<StreamMessage> read;
  while (read.size() < 2) {
    auto batch = (*reader)->next(10, std::chrono::milliseconds(2000));
    REQUIRE(batch.is_ok());
    REQUIRE_FALSE(batch->empty());
    read.insert(read.end(), batch->begin(), batch->end());
  }
  REQUIRE(read.size() == 2);
  CHECK(read[1].bytes == "two");
  CHECK(core_publish_allowed(cluster, cluster.follower_credentials(), uses_subject(name)));
  // The leader may publish events but not impersonate a follower's uses…
  CHECK(core_publish_allowed(cluster, cluster.leader_credentials(),
                             events_subject(testing::fresh_stream_name())));
  CHECK_FALSE(core_publish_allowed(cluster, cluster.leader_credentials(), uses_subject(name)));
  // …and nobody may publish elsewhere.
  CHECK_FALSE(core_publish_allowed(cluster, cluster.follower_credentials(), "anything.else"));
}

}  // namespace keyledger::replication

namespace keyledger::testing {
namespace {

// `text` with every run of whitespace made one space.
std::string squeezed(const std::string& text) {
  std::string out;
  for (char c : text) {
    const bool space = c == ' ' || c == '\n' || c == '\t';
    if (space && (out.empty() || out.back() == ' ')) continue;
    out += space ? ' ' : c;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

}  // namespace

TEST_CASE("tools/cluster.sh writes the same NATS permissions as the test cluster",
          "[cluster][nats][permissions]") {
  TempDir dir;
  std::ofstream(dir / "leader") << "leader-pw";
  std::ofstream(dir / "follower") << "follower-pw";
  const auto printed = run_command(
      "/bin/bash", {std::string(KEYLEDGER_SOURCE_DIR) + "/tools/cluster.sh", "accounts",
                    "KEYLEDGER", (dir / "leader").string(), (dir / "follower").string()});
  INFO(printed.err);
  REQUIRE(printed.exit_code == 0);
  CHECK(squeezed(printed.out) ==
        squeezed(nats_permissions_config("KEYLEDGER", {"leader", "leader-pw"},
                                         {"follower", "follower-pw"})));
}

}  // namespace keyledger::testing
