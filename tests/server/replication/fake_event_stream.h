// An EventStream in memory for the follower's unit tests: what it holds,
// it answers; its reader delivers what it holds from a seq on, and a test
// can make it drop, repeat or replace messages on the way, or fail. The
// same behaviour against a real nats-server is tested in
// tests/cluster (keyledger_cluster_tests).
#pragma once

#include <algorithm>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "server/replication/event_stream.h"

namespace keyledger::testing {

class FakeEventStream final : public replication::EventStream {
 public:
  using StreamMessage = replication::StreamMessage;

  // Stores `bytes` at the next seq (no fencing: tests put what they like).
  void put(std::string bytes) {
    std::lock_guard lock(mutex_);
    stored_[next_seq_locked()] = std::move(bytes);
  }
  void put_at(std::uint64_t seq, std::string bytes) {
    std::lock_guard lock(mutex_);
    stored_[seq] = std::move(bytes);
  }
  // Every call fails with kUnavailable while down.
  void set_down(bool down) {
    std::lock_guard lock(mutex_);
    down_ = down;
  }
  // The reader leaves these seqs out of what it delivers (get still has them).
  void drop_on_delivery(std::uint64_t seq) {
    std::lock_guard lock(mutex_);
    dropped_.insert(seq);
  }
  // The reader delivers each of these seqs twice.
  void repeat_on_delivery(std::uint64_t seq) {
    std::lock_guard lock(mutex_);
    repeated_.insert(seq);
  }
  int gets() const {
    std::lock_guard lock(mutex_);
    return gets_;
  }
  int readers_opened() const {
    std::lock_guard lock(mutex_);
    return readers_;
  }
  // The seq the last reader was opened from.
  std::uint64_t last_read_from() const {
    std::lock_guard lock(mutex_);
    return last_read_from_;
  }

  StatusOr<std::uint64_t> last_seq() override {
    std::lock_guard lock(mutex_);
    if (down_) return unavailable(Reason::kUnreachable, "fake stream down");
    return stored_.empty() ? 0 : stored_.rbegin()->first;
  }

  StatusOr<StreamMessage> get(std::uint64_t seq) override {
    std::lock_guard lock(mutex_);
    if (down_) return unavailable(Reason::kUnreachable, "fake stream down");
    ++gets_;
    auto found = stored_.find(seq);
    if (found == stored_.end()) return not_found(Reason::kEventMissing, "no such message");
    return StreamMessage{seq, found->second};
  }

  StatusOr<replication::PublishAck> publish(std::uint64_t seq, std::string_view bytes) override {
    std::lock_guard lock(mutex_);
    if (down_) return unavailable(Reason::kUnreachable, "fake stream down");
    stored_[seq] = std::string(bytes);
    return replication::PublishAck{seq, false};
  }

  StatusOr<std::unique_ptr<replication::StreamReader>> read_from(std::uint64_t seq) override {
    std::lock_guard lock(mutex_);
    if (down_) return unavailable(Reason::kUnreachable, "fake stream down");
    ++readers_;
    last_read_from_ = seq;
    return std::unique_ptr<replication::StreamReader>(std::make_unique<Reader>(*this, seq));
  }

 private:
  class Reader final : public replication::StreamReader {
   public:
    Reader(FakeEventStream& stream, std::uint64_t from) : stream_(stream), next_(from) {}
    StatusOr<std::vector<StreamMessage>> next(std::size_t max, std::chrono::milliseconds) override {
      std::lock_guard lock(stream_.mutex_);
      if (stream_.down_) return unavailable(Reason::kUnreachable, "fake stream down");
      std::vector<StreamMessage> out;
      for (auto it = stream_.stored_.lower_bound(next_);
           it != stream_.stored_.end() && out.size() < max; ++it) {
        next_ = it->first + 1;
        if (stream_.dropped_.count(it->first)) continue;
        out.push_back({it->first, it->second});
        if (stream_.repeated_.count(it->first)) out.push_back({it->first, it->second});
      }
      return out;
    }

   private:
    FakeEventStream& stream_;
    std::uint64_t next_;
  };

  std::uint64_t next_seq_locked() const {
    return stored_.empty() ? 1 : stored_.rbegin()->first + 1;
  }

  mutable std::mutex mutex_;
  std::map<std::uint64_t, std::string> stored_;
  std::set<std::uint64_t> dropped_;
  std::set<std::uint64_t> repeated_;
  bool down_ = false;
  int gets_ = 0;
  int readers_ = 0;
  std::uint64_t last_read_from_ = 0;
};

}  // namespace keyledger::testing
