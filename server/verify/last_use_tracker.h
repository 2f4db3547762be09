// Last use of each key: updated in memory on every successful verification
// (so the credentials list is exact at once) and persisted as KeyUsed
// events without ever making a verification wait:
//   - at once (asynchronously) when the client's address differs from the
//     key's previous use;
//   - otherwise at most once per key per flush interval, by a background
//     flusher;
//   - and everything outstanding at clean shutdown (flush_all).
// What a crash can lose: the last-use time of keys used since their last
// persisted use, at most one flush interval of it (plus commits in flight).
// Address changes are lost only if the crash beats their commit
// (milliseconds).
//
// Two paths. The fast one, for a client that keeps its IPv4 address (the
// common case), stores the time in the key's use cell in the projection's
// verification index: the cache line the verification has just read, no
// lock beyond the projection's shared one, no allocation. Everything else
// (a new address, an IPv6 client, a key's first use) takes the slow path
// through a sharded map, which also makes sure only one commit per key is
// in flight from it at a time.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "server/verify/key_use_sink.h"

namespace keyledger::projections {
class LiveProjection;
}  // namespace keyledger::projections

namespace keyledger::server {

struct LastUse {
  std::string ip;
  TimeNs at_ns = 0;
};

class LastUseTracker {
 public:
  // `sink`, `projection` and `clock` outlive the tracker.
  LastUseTracker(KeyUseSink& sink, projections::LiveProjection& projection, const Clock& clock,
                 std::chrono::seconds flush_interval);
  ~LastUseTracker();  // stops the flusher

  // Thread-safe; never blocks on disk.
  void record(std::string_view key_id, const std::string& client_ip, TimeNs at_ns);
  // record() for a use the projection has not touched in the key's use
  // cell (LiveProjection::check_secret says so); `ipv4` is `client_ip`
  // parsed, when it is canonical IPv4.
  void record_untouched(std::string_view key_id, const std::string& client_ip, TimeNs at_ns,
                        std::optional<std::uint32_t> ipv4);
  // A use another node saw (a follower's, issue 20), at `at_ns` already
  // clamped to this node's now: exact in memory at once, like record(),
  // but never persisted at once, even from a new address. The key's
  // newest use is persisted at most once per flush interval from then on,
  // wherever it happened: a key that API servers on several nodes share
  // would otherwise write an event for every change of address. Unknown
  // and deleted keys are ignored. Thread-safe; never blocks on disk.
  void record_elsewhere(std::string_view key_id, const std::string& client_ip, TimeNs at_ns);
  // The newest use known in memory (which may already be persisted).
  std::optional<LastUse> latest(const std::string& key_id) const;

  // Submits every unpersisted use and waits for the commits.
  void flush_all();
  // One round of the flusher, now: submits the uses due (without waiting
  // for their commits) and returns how many. The flusher thread does this
  // every second; tests call it rather than wait for that thread.
  std::size_t flush_once() { return flush_due(false); }
  // How many keys' uses are held on the slow path (not in the use cells):
  // for tests of what is kept and freed.
  std::size_t entries_held() const;
  // Starts the background flusher thread.
  void start();
  // Stops and joins the flusher (idempotent). Call before flush_all() at
  // shutdown, while the sink still takes uses.
  void stop();

 private:
  // A key's uses on the slow path, and a lock over some keys' entries
  // (last_use_tracker.cc).
  struct Entry;
  struct Shard;

  Shard& shard_for(std::string_view key_id);
  const Shard& shard_for(std::string_view key_id) const;
  // record_untouched() and record_elsewhere(): the slow path.
  void record_slow(std::string_view key_id, const std::string& client_ip, TimeNs at_ns,
                   std::optional<std::uint32_t> ipv4, bool elsewhere);
  // Submits a KeyUsed for `key_id` (whose entry the caller marked in
  // flight); call WITHOUT the shard lock.
  void persist(Shard& shard, const std::string& key_id, const LastUse& sending,
               std::function<void()> done = {});
  // Submits the uses due (all of them when `everything`); returns how many,
  // after waiting for their commits when `everything`.
  std::size_t flush_due(bool everything);
  // Counts the commits of one flush_due() still to complete.
  class CommitCountdown;
  // Submits the entries of `shard` that are due at `now`; returns how many.
  std::size_t flush_shard(Shard& shard, bool everything, TimeNs now, TimeNs interval,
                          const std::shared_ptr<CommitCountdown>& countdown);
  // Submits the uses the projection's use cells hold unpersisted; returns
  // how many.
  std::size_t flush_use_cells(const std::shared_ptr<CommitCountdown>& countdown);
  void run();

  KeyUseSink& sink_;
  projections::LiveProjection& projection_;
  const Clock& clock_;
  std::chrono::seconds flush_interval_;
  // When the use cells were last scanned for unpersisted uses (flusher
  // thread, then flush_all after it stopped).
  TimeNs cells_flushed_at_ns_;
  static constexpr int kShards = 32;
  // Submitted KeyUsed commits whose completion has not run yet.
  std::atomic<int> outstanding_{0};
  std::vector<std::unique_ptr<Shard>> shards_;
  std::mutex wake_mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread flusher_;
};

}  // namespace keyledger::server
