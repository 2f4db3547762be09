// The followers a leader heard from (issue 20): each follower's report on
// the uses subject (key_uses_message.h) says its name and how far it
// applied the stream. One heard of for none of `forget_after` (10 flush
// intervals) is dropped. Bounded: past `max_followers` names, a new one is
// not listed (and counted) until another is forgotten. Thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "core/clock.h"
#include "server/replication/cluster_figures.h"

namespace keyledger::replication {

class FollowerTable {
 public:
  // `clock` outlives the table.
  FollowerTable(const MonotonicClock& clock, std::chrono::nanoseconds forget_after,
                std::size_t max_followers = 1000)
      : clock_(clock), forget_after_(forget_after), max_followers_(max_followers) {}

  // `node` reported `applied_seq` now: its row shows the last report, also
  // when it went back (a follower rebuilt from an empty folder under the
  // same name is behind again). Core NATS keeps one connection's messages
  // in order, so a report is never older than the one before it.
  void heard(const std::string& node, std::uint64_t applied_seq);
  // The followers heard from within forget_after, by name, with their lag
  // behind `head_seq`; forgets the others.
  std::vector<ClusterFollower> followers(std::uint64_t head_seq);
  // Names not listed because the table was full.
  std::uint64_t unlisted() const;

 private:
  struct Heard {
    std::uint64_t applied_seq = 0;
    MonotonicTime at;
  };
  void forget_silent(MonotonicTime now);  // with mutex_ held

  const MonotonicClock& clock_;
  const std::chrono::nanoseconds forget_after_;
  const std::size_t max_followers_;
  mutable std::mutex mutex_;
  std::map<std::string, Heard> heard_;
  std::uint64_t unlisted_ = 0;
};

}  // namespace keyledger::replication
