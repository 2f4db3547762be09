// keyledgerd over NATS with TLS (issue 20: "TLS on any non-loopback link"):
// a NATS server that takes clients over TLS only, with a certificate from a
// CA made for the test (tests/support/test_certificates.h). A leader and a
// follower given that CA (--nats-ca) replicate as over plain NATS; nodes
// that do not trust it never talk to the server: the leader keeps serving
// and says NATS is unreachable, the follower starts stale and answers 503.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/cluster/cluster_fixture.h"
#include "tests/support/binaries.h"
#include "tests/support/command_runner.h"
#include "tests/support/eventually.h"
#include "tests/support/http_client.h"
#include "tests/support/server_process.h"
#include "tests/support/skip.h"
#include "tests/support/test_certificates.h"

namespace keyledger::testing {
namespace {

// A one-server NATS over TLS with keyledger's accounts, and its CA.
struct TlsNats {
  TempDir certificates_dir;
  TestCertificates certificates;
  std::unique_ptr<NatsCluster> nats;
  std::string stream = fresh_stream_name();
  TempDir scratch;

  // The flags of a node connecting as `credentials`, trusting the test CA
  // unless `trust` is false.
  std::vector<std::string> flags(const NatsCredentials& credentials, bool trust) const {
    std::vector<std::string> args =
        keyledgerd_nats_flags(*nats, credentials, stream, scratch.path());
    args.insert(args.end(), {"--nats-replicas", "1"});
    if (trust) args.insert(args.end(), {"--nats-ca", certificates.ca_file.string()});
    return args;
  }
};

nlohmann::json replication_of(const ServerProcess& leader) {
  const auto ready = HttpClient(leader.port()).get("/readyz").json();
  return ready["replication"].is_object() ? ready["replication"] : nlohmann::json::object();
}

}  // namespace

TEST_CASE(
    "a leader and a follower trusting the NATS servers' CA replicate over TLS, and nodes that "
    "do not trust it never reach the stream",
    "[nats][tls]") {
  KEYLEDGER_REQUIRE_NATS_SERVER();
  TlsNats tls;
  std::string why;
  auto made = make_test_certificates(tls.certificates_dir.path(), why);
  if (!made) KEYLEDGER_SKIP(why);
  tls.certificates = *made;
  tls.nats = std::make_unique<NatsCluster>(1, NatsAuth::kAccounts, tls.certificates);
  REQUIRE(tls.nats->url(0).rfind("tls://", 0) == 0);

  ServerProcess leader(tls.flags(tls.nats->leader_credentials(), true));
  HttpClient admin(leader.port());
  REQUIRE(admin.login("admin", kAdminPassword).status == 200);
  const HttpResult created = admin.post_json("/v1/keys", {{"name", "billing"}});
  REQUIRE(created.status == 201);
  const std::string token = created.json()["key"];
  REQUIRE(eventually([&] {
    const auto ready = HttpClient(leader.port()).get("/readyz").json();
    return replication_of(leader)["published_seq"] == ready["head_seq"];
  }));
  CHECK(replication_of(leader)["nats"] == "reachable");

  std::vector<std::string> follower_args = tls.flags(tls.nats->follower_credentials(), true);
  follower_args.insert(follower_args.end(),
                       {"--follower", "--pepper-file", (leader.data_dir() / "pepper").string(),
                        "--max-staleness", "2s"});
  ServerProcess follower(follower_args);
  REQUIRE(eventually([&] {
    return HttpClient(follower.port()).get("/v1/verify", {{"MC-Api-Key", token}}).status == 200;
  }));

  // A leader that does not trust the CA starts, verifies, and says NATS
  // cannot be reached; it publishes nothing.
  ServerProcess untrusting_leader(tls.flags(tls.nats->leader_credentials(), false));
  REQUIRE(eventually([&] {
    const std::string metrics = HttpClient(untrusting_leader.port()).get("/metrics").body;
    return metrics.find("keyledger_replication_nats_failures_total 0") == std::string::npos &&
           metrics.find("keyledger_replication_nats_failures_total") != std::string::npos;
  }));
  CHECK(replication_of(untrusting_leader)["nats"] == "unreachable");
  CHECK(replication_of(untrusting_leader)["published_seq"] == 0);

  // A follower that does not trust it cannot reach the stream: it starts
  // stale, answers 503, and says why; it never applies anything.
  std::vector<std::string> untrusting_follower = tls.flags(tls.nats->follower_credentials(), false);
  untrusting_follower.insert(untrusting_follower.end(),
                             {"--follower", "--pepper-file",
                              (leader.data_dir() / "pepper").string(), "--max-staleness", "1s"});
  ServerProcess untrusting(untrusting_follower);
  CHECK(untrusting.output().find("NATS cannot be reached") != std::string::npos);
  const HttpResult stale = HttpClient(untrusting.port()).get("/readyz");
  CHECK(stale.status == 503);
  CHECK(stale.json()["applied_seq"] == 0);
  CHECK(HttpClient(untrusting.port()).get("/v1/verify", {{"MC-Api-Key", token}}).status == 503);
}

}  // namespace keyledger::testing
