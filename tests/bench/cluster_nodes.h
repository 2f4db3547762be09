// keyledgerd leaders and followers over a real 3-node NATS JetStream
// cluster on loopback with keyledger's accounts (tests/support/nats_cluster.h),
// for the cluster benchmarks (issue 20).
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/bench/bench_common.h"
#include "tests/bench/nats_reference.h"
#include "tests/support/nats_cluster.h"

namespace keyledger::bench {

class BenchNats {
 public:
  // Starts the cluster; `scratch` holds the users' password files and
  // outlives every keyledgerd started with flags from here.
  explicit BenchNats(std::filesystem::path scratch);

  NatsUser leader() const { return user(cluster_.leader_credentials()); }
  NatsUser follower() const { return user(cluster_.follower_credentials()); }

  // A stream name not used before, with `purpose` in it.
  std::string fresh_stream(const std::string& purpose) const;
  // Makes stream `name` as a keyledger leader makes its stream (R3).
  void make_stream(const std::string& name) const;

  // The size of message `seq` of `stream`, read as the `follower` user.
  std::size_t message_bytes(const std::string& stream, std::uint64_t seq) const;

  // keyledgerd's flags to lead stream `stream` as the `leader` user.
  std::vector<std::string> leader_flags(const std::string& stream) const;
  // keyledgerd's flags to follow `stream` as the `follower` user, with the
  // leader's pepper file and its HTTP port (for --leader-url).
  std::vector<std::string> follower_flags(const std::string& stream,
                                          const std::filesystem::path& pepper,
                                          unsigned short leader_http_port) const;

 private:
  NatsUser user(const testing::NatsCredentials& credentials) const;
  std::string password_file(const testing::NatsCredentials& credentials) const;

  std::filesystem::path scratch_;
  testing::NatsCluster cluster_;
};

// keyledgerd's flags every node of the cluster benchmarks gets: one worker
// thread (as in the single-node benchmarks), no access log, and a failed-
// verification limit no benchmark reaches (deletions are polled until the
// key is refused, from one address).
std::vector<std::string> node_flags();

// `first` followed by `second`.
std::vector<std::string> joined(std::vector<std::string> first,
                                const std::vector<std::string>& second);

// A keyledgerd leader publishing to a fresh stream and two followers of it
// (node_flags() each, the followers `follower_extra` too), under `dir`.
struct Trio {
  Trio(const BenchNats& nats, const std::filesystem::path& dir,
       const std::vector<std::string>& follower_extra = {});
  std::filesystem::path dir;
  std::string stream;
  Keyledgerd leader;
  Keyledgerd follower1;
  Keyledgerd follower2;
};

// The leader's head seq, once /readyz says the stream holds all of it.
// Throws after `timeout`.
std::uint64_t wait_published(const Keyledgerd& leader, std::chrono::seconds timeout);

// Waits until the follower's /readyz says it applied `seq`; throws after
// `timeout`. Polls every `poll`.
void wait_applied(const Keyledgerd& follower, std::uint64_t seq, std::chrono::seconds timeout,
                  std::chrono::milliseconds poll = std::chrono::milliseconds(20));

// A keyledgerd's /readyz body as JSON, whatever its status.
nlohmann::json readiness(unsigned short http_port);

}  // namespace keyledger::bench
