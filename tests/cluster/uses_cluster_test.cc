// "Last use flows back" and "The cluster view" (issue 20) with a real
// keyledgerd leader and follower on the shared NATS cluster (the follower
// publishes its uses as the `follower` NATS user, which may publish on the
// uses subject; only the leader reads it): a verification on the follower
// shows in the leader's list of keys (address and time) within a few flush
// intervals, GET /v1/cluster lists the follower with its applied seq, and
// a non-admin gets 403. Waits are for conditions.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "tests/cluster/cluster_fixture.h"
#include "tests/support/command_runner.h"
#include "tests/support/eventually.h"
#include "tests/support/files.h"
#include "tests/support/http_client.h"
#include "tests/support/server_process.h"
#include "tests/support/skip.h"
#include "tests/support/temp_dir.h"

namespace keyledger::testing {
namespace {

// The key `id` in `client`'s GET /v1/credentials, or null.
nlohmann::json listed_key(HttpClient& client, const std::string& id) {
  const HttpResult listed = client.get("/v1/credentials");
  if (listed.status != 200) return nullptr;
  const nlohmann::json body = listed.json();  // outlives the loop
  for (const auto& key : body["keys"])
    if (key["id"] == id) return key;
  return nullptr;
}

// The follower named `node` in the leader's GET /v1/cluster, or null.
nlohmann::json listed_follower(HttpClient& admin, const std::string& node) {
  const HttpResult cluster = admin.get("/v1/cluster");
  if (cluster.status != 200) return nullptr;
  const nlohmann::json body = cluster.json();  // outlives the loop
  for (const auto& follower : body["followers"])
    if (follower["node"] == node) return follower;
  return nullptr;
}

// Problems `promtool check metrics` finds in /metrics on `port`, or ""
// (also when promtool is not installed: the promtool ctest covers that).
std::string promtool_problems(unsigned short port) {
  if (::access("/usr/bin/promtool", X_OK) != 0) return "";
  TempDir folder;
  const auto metrics = folder / "metrics.txt";
  write_file(metrics, HttpClient(port).get("/metrics").body);
  const CommandResult checked = run_command(
      "/bin/sh", {"-c", "exec /usr/bin/promtool check metrics < \"$0\"", metrics.string()});
  return checked.exit_code == 0 && checked.err.empty() ? "" : checked.out + checked.err;
}

}  // namespace

TEST_CASE(
    "a verification on a follower shows in the leader's list, and the leader lists the follower",
    "[nats][uses]") {
  KEYLEDGER_REQUIRE_NATS_SERVER();
  NatsCluster& nats = shared_nats_cluster();
  const std::string stream = fresh_stream_name();
  TempDir leader_scratch;
  std::vector<std::string> leader_args =
      keyledgerd_nats_flags(nats, nats.leader_credentials(), stream, leader_scratch.path());
  leader_args.insert(leader_args.end(), {"--flush-interval", "1"});
  ServerProcess leader(leader_args);
  HttpClient admin(leader.port());
  REQUIRE(admin.login("admin", kAdminPassword).status == 200);
  const HttpResult created = admin.post_json("/v1/keys", {{"name", "shared by API servers"}});
  REQUIRE(created.status == 201);
  const std::string token = created.json()["key"];
  const std::string id = created.json()["id"];
  CHECK(listed_key(admin, id)["last_used_ip"].is_null());

  TempDir follower_scratch;
  std::vector<std::string> follower_args =
      keyledgerd_nats_flags(nats, nats.follower_credentials(), stream, follower_scratch.path());
  follower_args.insert(
      follower_args.end(),
      {"--follower", "--pepper-file", (leader.data_dir() / "pepper").string(), "--max-staleness",
       "2s", "--flush-interval", "1", "--node-name", "follower-a"});
  ServerProcess follower(follower_args);
  REQUIRE(eventually([&] {
    return HttpClient(follower.port()).get("/v1/verify", {{"MC-Api-Key", token}}).status == 200;
  }));

  // The use reaches the leader's list: the follower's client address and a time.
  REQUIRE(eventually([&] { return listed_key(admin, id)["last_used_ip"] == "127.0.0.1"; }));
  CHECK(listed_key(admin, id)["last_used_at"].is_string());

  // The leader lists the follower with the seq it applied.
  nlohmann::json listed;
  REQUIRE(eventually([&] {
    listed = listed_follower(admin, "follower-a");
    return listed.is_object() && listed["applied_seq"].get<std::uint64_t>() >= 1;
  }));
  const HttpResult cluster = admin.get("/v1/cluster");
  CHECK(cluster.json()["role"] == "leader");
  CHECK(cluster.json()["head_seq"].get<std::uint64_t>() >=
        listed["applied_seq"].get<std::uint64_t>());
  CHECK(cluster.json()["published_seq"].is_number());
  CHECK(listed["lag"].is_number());
  CHECK(listed["seconds_since_heard"].is_number());

  // /metrics carries the same, and promtool finds nothing to say.
  const std::string metrics = HttpClient(leader.port()).get("/metrics").body;
  CHECK(metrics.find("keyledger_cluster_followers 1") != std::string::npos);
  CHECK(metrics.find("keyledger_cluster_follower_applied_seq{node=\"follower-a\"}") !=
        std::string::npos);
  CHECK(promtool_problems(leader.port()).empty());

  // Only an admin sees the cluster.
  REQUIRE(
      admin
          .post_json("/v1/users",
                     {{"user", "carol"}, {"password", "carol-password"}, {"privilege", "auditor"}})
          .status == 201);
  HttpClient carol(leader.port());
  REQUIRE(carol.login("carol", "carol-password").status == 200);
  CHECK(carol.get("/v1/cluster").status == 403);
  CHECK(HttpClient(leader.port()).get("/v1/cluster").status == 401);
  // A follower sends management calls to the leader.
  CHECK(HttpClient(follower.port()).get("/v1/cluster").error_code() == "not_leader");
}

}  // namespace keyledger::testing
