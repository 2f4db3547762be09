// The test cluster itself (tests/support/nats_cluster.h): it forms, it
// survives a node's kill -9 and restart, and it leaves no process behind.
#include "tests/support/nats_cluster.h"

#include <catch2/catch.hpp>
#include <vector>

#include "tests/support/loopback.h"
#include "tests/support/skip.h"

namespace keyledger::testing {
namespace {

bool monitor_answers(unsigned short port) {
  return http_exchange_from("127.0.0.1", port, http_request_text("GET", "/varz"),
                            std::chrono::milliseconds(1000))
      .complete;
}

}  // namespace

TEST_CASE("the test cluster forms three JetStream nodes and a killed node rejoins on restart",
          "[cluster][nats]") {
  KEYLEDGER_REQUIRE_NATS_SERVER();
  NatsCluster cluster(3);
  REQUIRE(cluster.size() == 3);
  REQUIRE(cluster.ready());
  CHECK(cluster.urls() == cluster.url(0) + "," + cluster.url(1) + "," + cluster.url(2));

  cluster.kill_node(1);
  CHECK_FALSE(cluster.running(1));
  CHECK_FALSE(monitor_answers(cluster.monitor_port(1)));
  const unsigned short port_before = cluster.client_port(1);

  cluster.restart_node(1);
  CHECK(cluster.running(1));
  CHECK(cluster.client_port(1) == port_before);
  CHECK(monitor_answers(cluster.monitor_port(1)));
  CHECK(cluster.ready());
}

TEST_CASE("a one-node test cluster is ready with JetStream", "[cluster][nats]") {
  KEYLEDGER_REQUIRE_NATS_SERVER();
  NatsCluster cluster(1, NatsAuth::kOpen);
  CHECK(cluster.ready());
  CHECK(cluster.urls() == cluster.url(0));
}

TEST_CASE("the test cluster's servers are all gone once it is destroyed", "[cluster][nats]") {
  KEYLEDGER_REQUIRE_NATS_SERVER();
  std::vector<unsigned short> monitors;
  {
    NatsCluster cluster(3);
    for (int i = 0; i < cluster.size(); ++i) monitors.push_back(cluster.monitor_port(i));
  }
  for (auto port : monitors) CHECK_FALSE(monitor_answers(port));
}

}  // namespace keyledger::testing
