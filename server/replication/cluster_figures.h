// The leader's view of its cluster (issue 20, "The cluster view"): the
// followers it heard from lately, for GET /v1/cluster, /metrics and the
// panel. Plain figures, so that the API and the daemon's pages share them
// without depending on each other.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace keyledger::replication {

struct ClusterFollower {
  std::string node;               // its --node-name
  std::uint64_t applied_seq = 0;  // as it last reported
  std::uint64_t lag = 0;          // the leader's head - applied_seq (0 when ahead)
  double seconds_since_heard = 0;
};

struct ClusterFigures {
  std::uint64_t head_seq = 0;                  // the leader's log
  std::optional<std::uint64_t> published_seq;  // in the stream; none without --nats
  std::vector<ClusterFollower> followers;      // by node name
  std::uint64_t bad_messages = 0;              // uses messages refused since start
  std::uint64_t uses_received = 0;             // key uses taken from followers since start
};

// The figures at the time of the call.
using ClusterFiguresSource = std::function<ClusterFigures()>;

}  // namespace keyledger::replication
