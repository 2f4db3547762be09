// Last use of each key: updated in memory on every successful verification
// (so the credentials list is exact at once) and persisted as KeyUsed
// events without ever making a verification wait:
//   - at once (asynchronously) when the client IP differs from the last
//     persisted one;
//   - otherwise at most once per key per flush interval, by a background
//     flusher;
//   - and everything outstanding at clean shutdown (flush_all).
// What a crash can lose: the last-use time of keys used since their last
// persisted use, at most one flush interval of it (plus commits in flight).
// IP changes are lost only if the crash beats their commit (milliseconds).
#pragma once

#include <array>
#include <chrono>
#include <condition_variable>
#include <memory_resource>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/clock.h"
#include "core/huge_page_memory.h"
#include "storage/group_commit_writer.h"

namespace keyledger::server {

struct LastUse {
  std::string ip;
  TimeNs at_ns = 0;
};

class LastUseTracker {
 public:
  LastUseTracker(storage::GroupCommitWriter& writer, const Clock& clock,
                 std::chrono::seconds flush_interval);
  ~LastUseTracker();  // stops the flusher

  // Thread-safe; never blocks on disk. `persisted` is the last use stored in
  // the projection, used the first time a key is seen after a start.
  void record(const std::string& key_id, const std::string& client_ip, TimeNs at_ns,
              const LastUse& persisted);
  // The newest known use, if newer than anything persisted.
  std::optional<LastUse> latest(const std::string& key_id) const;

  // Submits every unpersisted use and waits for the commits.
  void flush_all();
  // Starts the background flusher thread.
  void start();
  // Stops and joins the flusher (idempotent). Call before flush_all() at
  // shutdown, while the writer still runs.
  void stop();

 private:
  struct Entry {
    LastUse latest;
    LastUse persisted;
    bool in_flight = false;
  };
  struct Shard {
    explicit Shard(std::pmr::memory_resource* memory) : entries(memory) {}
    mutable std::mutex mutex;
    std::pmr::unordered_map<std::string, Entry> entries;
  };

  Shard& shard_for(const std::string& key_id);
  const Shard& shard_for(const std::string& key_id) const;
  // Submits a KeyUsed for `key_id` (whose entry the caller marked in
  // flight); call WITHOUT the shard lock.
  void persist(Shard& shard, const std::string& key_id, const LastUse& sending,
               std::function<void()> done = {});
  void flush_due(bool everything);
  void run();

  storage::GroupCommitWriter& writer_;
  const Clock& clock_;
  std::chrono::seconds flush_interval_;
  static constexpr int kShards = 32;
  // A lookup per verification, as for the projection's keys: in huge pages.
  SharedHugePagePool memory_;
  std::vector<std::unique_ptr<Shard>> shards_;
  std::mutex wake_mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread flusher_;
};

}  // namespace keyledger::server
