// The cluster chaos run (issue 20, `tools/reliability.sh --only cluster`):
// a keyledgerd leader and two followers on the shared 3-node NATS cluster,
// with writes and verifications in flight (chaos_traffic.h), and in each
// cycle one random kill -9 (a NATS node, the node leading the stream, the
// keyledger leader or a follower) and its restart. After each cycle, with
// the traffic stopped, it checks the invariants:
//   - every acknowledged write is in the leader's state (live keys verify,
//     acknowledged deletions answer 401) and the leader's log and the
//     stream hold the same events, each seq exactly once;
//   - each follower, once caught up, has the leader's head hash, and
//     answers 401 for every deleted key and 200 for live ones;
//   - the leader never answered 200 for an acknowledged deletion.
// It prints one line per cycle and a summary; failures are Catch2 CHECKs.
#pragma once

#include <cstdint>
#include <string>

namespace keyledger::testing {

struct ChaosOptions {
  int cycles = 20;
  std::uint64_t seed = 1;
  // Keys each cycle re-checks beyond the ones it made (all of them in the
  // last cycle).
  std::size_t sample = 50;
};

struct ChaosSummary {
  int cycles = 0;
  int failed_cycles = 0;
  std::uint64_t creates = 0, deletes = 0, write_refused = 0, write_failed = 0;
  std::uint64_t leader_verifications = 0, leader_wrong = 0, follower_verifications = 0;
  std::uint64_t head_seq = 0;
  std::uint64_t keys_checked = 0;  // key × node answers checked after cycles
  int kills[4] = {0, 0, 0, 0};     // by ChaosFault
  std::string text() const;
};

// Runs `options.cycles` cycles; needs nats-server (the caller skips first).
ChaosSummary run_chaos(const ChaosOptions& options);

}  // namespace keyledger::testing
