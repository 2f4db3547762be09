#include "server/last_use_tracker.h"

#include <atomic>
#include <functional>
#include <memory>
#include <vector>

namespace keyledger::server {

LastUseTracker::LastUseTracker(storage::GroupCommitWriter& writer, const Clock& clock,
                               std::chrono::seconds flush_interval)
    : writer_(writer), clock_(clock), flush_interval_(flush_interval) {
  for (int i = 0; i < kShards; ++i) shards_.push_back(std::make_unique<Shard>(memory_.resource()));
}

LastUseTracker::~LastUseTracker() { stop(); }

void LastUseTracker::stop() {
  {
    std::lock_guard lock(wake_mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (flusher_.joinable()) flusher_.join();
}

void LastUseTracker::start() {
  flusher_ = std::thread([this] { run(); });
}

LastUseTracker::Shard& LastUseTracker::shard_for(const std::string& key_id) {
  return *shards_[std::hash<std::string>{}(key_id) % shards_.size()];
}
const LastUseTracker::Shard& LastUseTracker::shard_for(const std::string& key_id) const {
  return *shards_[std::hash<std::string>{}(key_id) % shards_.size()];
}

void LastUseTracker::record(const std::string& key_id, const std::string& client_ip, TimeNs at_ns,
                            const LastUse& persisted) {
  Shard& shard = shard_for(key_id);
  LastUse sending;
  {
    std::lock_guard lock(shard.mutex);
    auto [it, inserted] = shard.entries.try_emplace(key_id);
    Entry& entry = it->second;
    if (inserted) entry.persisted = entry.latest = persisted;
    if (at_ns < entry.latest.at_ns) return;
    entry.latest = LastUse{client_ip, at_ns};
    if (entry.latest.ip == entry.persisted.ip || entry.in_flight) return;
    entry.in_flight = true;
    sending = entry.latest;
  }
  persist(shard, key_id, sending);
}

std::optional<LastUse> LastUseTracker::latest(const std::string& key_id) const {
  const Shard& shard = shard_for(key_id);
  std::lock_guard lock(shard.mutex);
  auto it = shard.entries.find(key_id);
  if (it == shard.entries.end()) return std::nullopt;
  return it->second.latest;
}

void LastUseTracker::persist(Shard& shard, const std::string& key_id, const LastUse& sending,
                             std::function<void()> done) {
  writer_.submit(RecordKeyUse{key_id, sending.ip, sending.at_ns}, EventOrigin{},
                 [&shard, key_id, sending, done = std::move(done)](auto result) {
                   {
                     std::lock_guard lock(shard.mutex);
                     auto it = shard.entries.find(key_id);
                     if (it != shard.entries.end()) {
                       it->second.in_flight = false;
                       // A failed commit is retried by the next flush; a
                       // deleted key is simply forgotten.
                       if (result.is_ok()) it->second.persisted = sending;
                       if (!result.is_ok() && result.status().code() == StatusCode::kNotFound)
                         shard.entries.erase(it);
                     }
                   }
                   if (done) done();
                 });
}

void LastUseTracker::flush_due(bool everything) {
  const TimeNs now = clock_.now_ns();
  const TimeNs interval = std::chrono::nanoseconds(flush_interval_).count();
  auto pending = std::make_shared<std::atomic<int>>(1);
  auto done_mutex = std::make_shared<std::mutex>();
  auto done = std::make_shared<std::condition_variable>();
  auto finished_one = [pending, done_mutex, done] {
    std::lock_guard lock(*done_mutex);
    if (pending->fetch_sub(1) == 1) done->notify_all();
  };
  for (auto& shard_slot : shards_) {
    Shard& shard = *shard_slot;
    std::vector<std::pair<std::string, LastUse>> due;
    {
      std::lock_guard lock(shard.mutex);
      for (auto& [key_id, entry] : shard.entries) {
        const bool unpersisted =
            entry.latest.at_ns > entry.persisted.at_ns || entry.latest.ip != entry.persisted.ip;
        if (!unpersisted || entry.in_flight) continue;
        if (!everything && entry.latest.ip == entry.persisted.ip &&
            now - entry.persisted.at_ns < interval)
          continue;
        entry.in_flight = true;
        due.emplace_back(key_id, entry.latest);
      }
    }
    // Submitted outside the shard lock: the completion takes it.
    for (auto& [key_id, sending] : due) {
      pending->fetch_add(1);
      persist(shard, key_id, sending, finished_one);
    }
  }
  finished_one();  // the initial count
  if (everything) {
    std::unique_lock lock(*done_mutex);
    done->wait(lock, [&] { return pending->load() == 0; });
  }
}

void LastUseTracker::flush_all() {
  // A use recorded while its key's previous commit was in flight is not
  // submitted by flush_due (one commit per key at a time), so repeat until
  // nothing is in flight or unpersisted (bounded, in case commits fail).
  for (int round = 0; round < 500; ++round) {
    flush_due(true);
    bool settled = true;
    for (const auto& shard_slot : shards_) {
      const Shard& shard = *shard_slot;
      std::lock_guard lock(shard.mutex);
      for (const auto& [key_id, entry] : shard.entries)
        settled = settled && !entry.in_flight && entry.latest.at_ns == entry.persisted.at_ns &&
                  entry.latest.ip == entry.persisted.ip;
    }
    if (settled) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

void LastUseTracker::run() {
  std::unique_lock lock(wake_mutex_);
  while (!stopping_) {
    wake_.wait_for(lock, std::chrono::seconds(1), [this] { return stopping_; });
    if (stopping_) break;
    lock.unlock();
    flush_due(false);
    lock.lock();
  }
}

}  // namespace keyledger::server
