// A real NATS JetStream cluster for tests: 1 or 3 `nats-server` processes
// on loopback, each with its own client, monitor and route port (asked of
// the kernel) and its store under a TempDir, with the config written here
// (../shared/NATS.md). The constructor returns once JetStream is ready, as
// the monitor's /jsz says it (a meta leader every node agrees on, every peer
// current), never after a fixed sleep. Every process is killed when the
// object goes away, also when a test fails, and the kernel kills them if
// the test process itself dies (PR_SET_PDEATHSIG).
//
// With NatsAuth::kAccounts (the default) the servers run keyledger's
// account and permissions (nats_permissions_config): a `leader` user that
// may publish the events subject of any keyledger stream, a `follower` user
// that may only read it, and no anonymous access at all. Given
// certificates, the servers take clients over TLS only (tls:// URLs).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tests/support/temp_dir.h"
#include "tests/support/test_certificates.h"

namespace keyledger::testing {

enum class NatsAuth {
  kAccounts,  // keyledger's users and permissions; anonymous clients refused
  kOpen,      // no accounts: anyone on loopback may do anything
};

struct NatsCredentials {
  std::string user;
  std::string password;
};

// The `accounts { … }` block of a nats-server config that gives `leader`
// and `follower` keyledger's permissions on the stream `stream` (a stream
// name, or "*" for every stream), with these passwords. tools/cluster.sh
// writes the same block; the subjects are documented there.
std::string nats_permissions_config(const std::string& stream, const NatsCredentials& leader,
                                    const NatsCredentials& follower);

// The nats-server named by $KEYLEDGER_NATS_SERVER, else the one on PATH
// (or in /usr/sbin), or nullopt when there is none.
std::optional<std::string> nats_server_path();

class NatsCluster {
 public:
  // Starts `nodes` (1 or 3) servers and waits until JetStream is ready.
  // Throws std::runtime_error (with the servers' logs) when they do not
  // form within a generous bound.
  explicit NatsCluster(int nodes = 3, NatsAuth auth = NatsAuth::kAccounts,
                       std::optional<TestCertificates> tls = std::nullopt);
  ~NatsCluster();
  NatsCluster(const NatsCluster&) = delete;
  NatsCluster& operator=(const NatsCluster&) = delete;

  int size() const { return static_cast<int>(nodes_.size()); }
  // Every node's client URL, comma-joined ("nats://127.0.0.1:p1,…", or
  // tls:// with certificates), as keyledgerd's --nats takes them.
  std::string urls() const;
  // Node i's client URL.
  std::string url(int i) const;
  unsigned short client_port(int i) const { return nodes_.at(i).client_port; }
  unsigned short monitor_port(int i) const { return nodes_.at(i).monitor_port; }
  // The users of NatsAuth::kAccounts (empty strings with kOpen).
  const NatsCredentials& leader_credentials() const { return leader_; }
  const NatsCredentials& follower_credentials() const { return follower_; }

  // SIGKILL node i, no clean-up (its store stays).
  void kill_node(int i);
  // Starts node i again on the same ports and store, after kill_node; waits
  // until the cluster is ready again.
  void restart_node(int i);
  // Starts every node that kill_node stopped, then waits until the cluster
  // is ready: after a loss of quorum (every node killed), where restarting
  // one node at a time would wait for a cluster that cannot form.
  void start_stopped_nodes();
  bool running(int i) const { return nodes_.at(i).pid > 0; }
  // The index of the node whose server_name is `name` ("n1" is node 0), or
  // -1.
  int node_named(const std::string& name) const;
  // The server that leads stream `stream` now (from /jsz), or "" when no
  // running node reports one.
  std::string stream_leader(const std::string& stream) const;
  // True once every running node agrees on a meta leader and that leader
  // sees every running peer current (for one node: JetStream answers).
  bool ready() const;
  // Node i's log so far, for failure messages.
  std::string log(int i) const;

 private:
  struct Node {
    unsigned short client_port = 0;
    unsigned short monitor_port = 0;
    unsigned short route_port = 0;
    pid_t pid = -1;
  };
  void pick_ports();
  void write_config(int i) const;
  void start_node(int i);
  bool start_all_once();
  void wait_ready();
  void kill_all();
  std::string logs() const;

  std::unique_ptr<TempDir> dir_;
  std::string server_;
  NatsAuth auth_;
  std::optional<TestCertificates> tls_;
  NatsCredentials leader_;
  NatsCredentials follower_;
  std::vector<Node> nodes_;
};

}  // namespace keyledger::testing

// Skips the calling test case (tests/support/skip.h) when nats-server is
// not installed: a NATS test that cannot run is reported skipped, never
// passed.
#define KEYLEDGER_REQUIRE_NATS_SERVER()                                          \
  do {                                                                           \
    if (!::keyledger::testing::nats_server_path())                               \
      KEYLEDGER_SKIP("nats-server is not on PATH (tools/setup.sh installs it)"); \
  } while (false)
