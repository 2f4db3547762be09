#include "server/verify/last_use_tracker.h"

#include <atomic>
#include <functional>
#include <memory>
#include <vector>

#include "core/ipv4_text.h"
#include "projections/live_projection.h"

namespace keyledger::server {

struct LastUseTracker::Entry {
  LastUse latest;
  LastUse persisted;
  bool in_flight = false;
  // Used on another node since the entry was made: persisted by the
  // flusher only, at most once per interval (sent_at_ns), and kept once
  // settled so that the interval is remembered.
  bool elsewhere = false;
  TimeNs sent_at_ns = 0;  // when its last KeyUsed was submitted (this node's clock)
};

struct LastUseTracker::Shard {
  mutable std::mutex mutex;
  projections::StringMap<Entry> entries;
};

LastUseTracker::LastUseTracker(KeyUseSink& sink, projections::LiveProjection& projection,
                               const Clock& clock, std::chrono::seconds flush_interval)
    : sink_(sink),
      projection_(projection),
      clock_(clock),
      flush_interval_(flush_interval),
      cells_flushed_at_ns_(clock.now_ns()) {
  for (int i = 0; i < kShards; ++i) shards_.push_back(std::make_unique<Shard>());
}

LastUseTracker::~LastUseTracker() {
  stop();
  // Completions of submitted commits use this tracker: wait for them
  // (bounded, in case the sink has stopped and will never call back).
  for (int i = 0; i < 500 && outstanding_.load() > 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
}

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

LastUseTracker::Shard& LastUseTracker::shard_for(std::string_view key_id) {
  return *shards_[std::hash<std::string_view>{}(key_id) % shards_.size()];
}
const LastUseTracker::Shard& LastUseTracker::shard_for(std::string_view key_id) const {
  return *shards_[std::hash<std::string_view>{}(key_id) % shards_.size()];
}

void LastUseTracker::record(std::string_view key_id, const std::string& client_ip, TimeNs at_ns) {
  const auto ipv4 = parse_canonical_ipv4(client_ip);
  if (ipv4 && projection_.touch_use(key_id, *ipv4, at_ns)) return;
  record_untouched(key_id, client_ip, at_ns, ipv4);
}

void LastUseTracker::record_untouched(std::string_view key_id, const std::string& client_ip,
                                      TimeNs at_ns, std::optional<std::uint32_t> ipv4) {
  record_slow(key_id, client_ip, at_ns, ipv4, false);
}

void LastUseTracker::record_elsewhere(std::string_view key_id, const std::string& client_ip,
                                      TimeNs at_ns) {
  // Never the use cell's touch: a cell's use is persisted by its own scan,
  // which would not keep to the entry's interval.
  record_slow(key_id, client_ip, at_ns, parse_canonical_ipv4(client_ip), true);
}

void LastUseTracker::record_slow(std::string_view key_id, const std::string& client_ip,
                                 TimeNs at_ns, std::optional<std::uint32_t> ipv4, bool elsewhere) {
  Shard& shard = shard_for(key_id);
  LastUse sending;
  {
    std::lock_guard lock(shard.mutex);
    auto it = shard.entries.find(key_id);
    if (it == shard.entries.end()) {
      // First slow use since the start (or since the entry settled): the
      // persisted use is the projection's.
      auto key = projection_.key(key_id);
      if (!key || key->deleted) return;
      Entry entry;
      entry.persisted = entry.latest = LastUse{key->last_used_ip, key->last_used_at_ns};
      entry.sent_at_ns = key->last_used_at_ns;
      it = shard.entries.emplace(std::string(key_id), std::move(entry)).first;
    }
    Entry& entry = it->second;
    entry.elsewhere = entry.elsewhere || elsewhere;
    if (at_ns < entry.latest.at_ns) return;
    entry.latest = LastUse{client_ip, at_ns};
    // From now on uses from this address take the fast path (IPv4 only; a
    // cell without an address sends every use here).
    projection_.replace_use(key_id, projections::KeyUse{ipv4, at_ns});
    if (entry.latest.ip == entry.persisted.ip || entry.in_flight || entry.elsewhere) return;
    entry.in_flight = true;
    entry.sent_at_ns = clock_.now_ns();
    sending = entry.latest;
  }
  persist(shard, std::string(key_id), sending);
}

std::size_t LastUseTracker::entries_held() const {
  std::size_t held = 0;
  for (const auto& shard : shards_) {
    std::lock_guard lock(shard->mutex);
    held += shard->entries.size();
  }
  return held;
}

std::optional<LastUse> LastUseTracker::latest(const std::string& key_id) const {
  std::optional<LastUse> newest;
  if (auto use = projection_.newest_use(key_id); use && use->ipv4)
    newest = LastUse{format_ipv4(*use->ipv4), use->at_ns};
  const Shard& shard = shard_for(key_id);
  std::lock_guard lock(shard.mutex);
  auto it = shard.entries.find(key_id);
  if (it != shard.entries.end() && (!newest || it->second.latest.at_ns > newest->at_ns))
    newest = it->second.latest;
  return newest;
}

void LastUseTracker::persist(Shard& shard, const std::string& key_id, const LastUse& sending,
                             std::function<void()> done) {
  outstanding_.fetch_add(1);
  sink_.submit(
      RecordKeyUse{key_id, sending.ip, sending.at_ns},
      [this, &shard, key_id, sending, done = std::move(done)](Status result) {
        const bool persisted = result.is_ok();
        const bool forgotten = result.code() == StatusCode::kNotFound;
        {
          std::lock_guard lock(shard.mutex);
          auto it = shard.entries.find(key_id);
          if (it != shard.entries.end()) {
            Entry& entry = it->second;
            entry.in_flight = false;
            // A failed commit is retried by the next flush; a
            // deleted key is simply forgotten.
            if (persisted) entry.persisted = sending;
            const bool settled = entry.latest.ip == entry.persisted.ip &&
                                 entry.latest.at_ns == entry.persisted.at_ns;
            // Settled on an IPv4 address, the key's use cell
            // carries it from here: the entry is not needed.
            if (forgotten || (settled && !entry.elsewhere && parse_canonical_ipv4(entry.latest.ip)))
              shard.entries.erase(it);
          }
        }
        if (done) done();
        outstanding_.fetch_sub(1);
      });
}

// Starts at one (the count flush_due() itself holds, so that no early
// completion finds zero); each submission adds one, and each completion and
// flush_due() at its end take one away. Shared with the completions, which
// may outlive the flush that does not wait.
class LastUseTracker::CommitCountdown {
 public:
  void add_one() { pending_.fetch_add(1); }
  void finish_one() {
    std::lock_guard lock(mutex_);
    if (pending_.fetch_sub(1) == 1) done_.notify_all();
  }
  // Until every submission and the initial count have finished.
  void wait() {
    std::unique_lock lock(mutex_);
    done_.wait(lock, [&] { return pending_.load() == 0; });
  }

 private:
  std::atomic<int> pending_{1};
  std::mutex mutex_;
  std::condition_variable done_;
};

std::size_t LastUseTracker::flush_due(bool everything) {
  const TimeNs now = clock_.now_ns();
  const TimeNs interval = std::chrono::nanoseconds(flush_interval_).count();
  auto countdown = std::make_shared<CommitCountdown>();
  std::size_t submitted = 0;
  for (auto& shard : shards_)
    submitted += flush_shard(*shard, everything, now, interval, countdown);
  // The use cells: scanned once per interval (a pass over the whole index),
  // so each key's time is persisted at most once per interval.
  if (everything || now - cells_flushed_at_ns_ >= interval) {
    cells_flushed_at_ns_ = now;
    submitted += flush_use_cells(countdown);
  }
  countdown->finish_one();  // the initial count
  if (everything) countdown->wait();
  return submitted;
}

std::size_t LastUseTracker::flush_shard(Shard& shard, bool everything, TimeNs now, TimeNs interval,
                                        const std::shared_ptr<CommitCountdown>& countdown) {
  std::vector<std::pair<std::string, LastUse>> due;
  {
    std::lock_guard lock(shard.mutex);
    for (auto& [key_id, entry] : shard.entries) {
      const bool unpersisted =
          entry.latest.at_ns > entry.persisted.at_ns || entry.latest.ip != entry.persisted.ip;
      if (!unpersisted || entry.in_flight) continue;
      if (!everything && entry.elsewhere && now - entry.sent_at_ns < interval) continue;
      if (!everything && !entry.elsewhere && entry.latest.ip == entry.persisted.ip &&
          now - entry.persisted.at_ns < interval)
        continue;
      entry.in_flight = true;
      entry.sent_at_ns = now;
      due.emplace_back(key_id, entry.latest);
    }
    // An entry kept for its interval (a use from another node) is freed
    // once the interval is over and its use is persisted and carried by
    // the key's use cell (IPv4): a later use makes a new one, which cannot
    // be sent before then. Otherwise every key ever used elsewhere, deleted
    // ones too, would stay here and be scanned every second.
    std::erase_if(shard.entries, [&](const auto& item) {
      const Entry& entry = item.second;
      return entry.elsewhere && !entry.in_flight && entry.latest.ip == entry.persisted.ip &&
             entry.latest.at_ns == entry.persisted.at_ns && now - entry.sent_at_ns >= interval &&
             parse_canonical_ipv4(entry.latest.ip);
    });
  }
  // Submitted outside the shard lock: the completion takes it.
  for (auto& [key_id, sending] : due) {
    countdown->add_one();
    persist(shard, key_id, sending, [countdown] { countdown->finish_one(); });
  }
  return due.size();
}

std::size_t LastUseTracker::flush_use_cells(const std::shared_ptr<CommitCountdown>& countdown) {
  std::vector<std::pair<std::string, projections::KeyUse>> due;
  // Collected first, then submitted outside the projection's lock: a
  // sink may run a completion at once, and a failed one takes the
  // projection's lock again (mark_use_unpersisted).
  projection_.take_unpersisted_uses([&](std::string_view key_id, const projections::KeyUse& use) {
    if (use.ipv4) due.emplace_back(std::string(key_id), use);
  });
  for (auto& [key_id, use] : due) {
    countdown->add_one();
    outstanding_.fetch_add(1);
    sink_.submit(RecordKeyUse{key_id, format_ipv4(*use.ipv4), use.at_ns},
                 // An init-capture: clang 14 cannot capture a structured binding.
                 [this, key_id = key_id, countdown](Status result) {
                   // Retried by the next flush, unless the key is gone.
                   if (!result.is_ok() && result.code() != StatusCode::kNotFound)
                     projection_.mark_use_unpersisted(key_id);
                   countdown->finish_one();
                   outstanding_.fetch_sub(1);
                 });
  }
  return due.size();
}

void LastUseTracker::flush_all() {
  // A use recorded while its key's previous commit was in flight is not
  // submitted by flush_due (one commit per key at a time), so repeat until
  // nothing is in flight or unpersisted (bounded, in case commits fail).
  for (int round = 0; round < 500; ++round) {
    const std::size_t submitted = flush_due(true);
    // Also no commit of an earlier periodic flush may still be pending: its
    // completion uses this tracker.
    bool settled = submitted == 0 && outstanding_.load() == 0;
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
