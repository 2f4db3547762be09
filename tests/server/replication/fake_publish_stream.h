// Fakes for the publisher's unit tests: an EventStream in memory that
// behaves as JetStream does where the publisher cares (message ids checked
// before the expected last seq, the duplicate window, a timeout after the
// message was stored), and an EventLog in memory holding arbitrary bytes.
// The same behaviour is tested against real nats-server processes in
// tests/cluster.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "core/event_log.h"
#include "server/replication/event_publisher.h"
#include "server/replication/event_stream.h"

namespace keyledger::testing {

// Thread-safe: the publisher's thread calls it while the test looks.
class FakePublishStream final : public replication::EventStream {
 public:
  // Every call fails with kUnavailable while set.
  void set_unreachable(bool unreachable) {
    std::lock_guard lock(mutex_);
    unreachable_ = unreachable;
  }
  // The next `count` publishes store their message and then answer
  // kUnavailable, as a publish whose ack timed out; with `then_unreachable`,
  // NATS stays unreachable after that until set_unreachable(false).
  void time_out_after_storing(int count, bool then_unreachable = false) {
    std::lock_guard lock(mutex_);
    time_outs_after_storing_ = count;
    unreachable_after_time_out_ = then_unreachable;
  }
  // Forget every message id, as when the duplicate window has passed.
  void expire_duplicate_window() {
    std::lock_guard lock(mutex_);
    ids_.clear();
  }
  // Another publisher stores `bytes` as the next message, under `id`
  // (empty: an id no keyledger event has).
  void store_foreign(const std::string& bytes, std::uint64_t id = 0) {
    std::lock_guard lock(mutex_);
    messages_.push_back(bytes);
    if (id != 0) ids_[id] = messages_.size();
  }
  // Drops the messages after `seq` (a stream that lost what it had
  // acknowledged).
  void truncate_to(std::uint64_t seq) {
    std::lock_guard lock(mutex_);
    messages_.resize(seq);
    std::erase_if(ids_, [seq](const auto& entry) { return entry.second > seq; });
  }

  std::vector<std::string> messages() const {
    std::lock_guard lock(mutex_);
    return messages_;
  }
  // The seq of every publish asked for, in order, whatever its answer.
  std::vector<std::uint64_t> publish_attempts() const {
    std::lock_guard lock(mutex_);
    return attempts_;
  }

  StatusOr<std::uint64_t> last_seq() override {
    std::lock_guard lock(mutex_);
    if (unreachable_) return unreachable();
    return static_cast<std::uint64_t>(messages_.size());
  }

  StatusOr<replication::StreamMessage> get(std::uint64_t seq) override {
    std::lock_guard lock(mutex_);
    if (unreachable_) return unreachable();
    if (seq == 0 || seq > messages_.size())
      return not_found(Reason::kEventMissing, "no message " + std::to_string(seq));
    return replication::StreamMessage{seq, messages_[seq - 1]};
  }

  StatusOr<replication::PublishAck> publish(std::uint64_t seq, std::string_view bytes) override {
    std::lock_guard lock(mutex_);
    attempts_.push_back(seq);
    if (unreachable_) return unreachable();
    // JetStream looks at the message id before the expected last seq.
    if (auto stored = ids_.find(seq); stored != ids_.end())
      return replication::PublishAck{stored->second, true};
    if (messages_.size() != seq - 1)
      return failed_precondition(Reason::kSeqGap,
                                 "wrong last sequence: " + std::to_string(messages_.size()));
    messages_.emplace_back(bytes);
    ids_[seq] = seq;
    if (time_outs_after_storing_ > 0) {
      --time_outs_after_storing_;
      unreachable_ = unreachable_after_time_out_;
      return unreachable();
    }
    return replication::PublishAck{seq, false};
  }

  StatusOr<std::unique_ptr<replication::StreamReader>> read_from(std::uint64_t) override {
    return internal_error(Reason::kNoCommands, "the publisher never reads the stream");
  }

 private:
  static Status unreachable() { return unavailable(Reason::kUnreachable, "nats is down (test)"); }

  mutable std::mutex mutex_;
  bool unreachable_ = false;
  int time_outs_after_storing_ = 0;
  bool unreachable_after_time_out_ = false;
  std::vector<std::string> messages_;
  std::map<std::uint64_t, std::uint64_t> ids_;  // message id (the seq) → stream seq
  std::vector<std::uint64_t> attempts_;
};

// An EventLog of arbitrary bytes: the publisher never decodes events.
class MemoryEventLog final : public EventLog {
 public:
  void add(const std::string& bytes) {
    std::lock_guard lock(mutex_);
    events_.push_back(bytes);
  }
  std::vector<std::string> events() const {
    std::lock_guard lock(mutex_);
    return events_;
  }

  LogHead head() const override {
    std::lock_guard lock(mutex_);
    return LogHead{events_.size(), {}};
  }
  Status append(std::span<const EncodedEvent>, std::span<const RecordChange>,
                const LogHead&) override {
    return internal_error(Reason::kNoCommands, "use add()");
  }
  Status read_events(
      std::uint64_t from_seq,
      const std::function<bool(std::uint64_t, std::string_view)>& visit) const override {
    std::vector<std::string> events = this->events();
    for (std::uint64_t seq = std::max<std::uint64_t>(from_seq, 1); seq <= events.size(); ++seq)
      if (!visit(seq, events[seq - 1])) break;
    return Status::ok();
  }
  Status read_records(
      RecordTable, const std::function<bool(std::string_view, std::string_view)>&) const override {
    return Status::ok();
  }
  std::uint32_t projection_version() const override { return 1; }
  Status replace_projection(std::span<const RecordChange>, std::uint32_t) override {
    return internal_error(Reason::kNoCommands, "not a projection");
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> events_;
};

// Keeps every report of the publisher.
class RecordingPublisherLog final : public replication::PublisherLog {
 public:
  void report(const replication::PublisherEvent& event) override {
    std::lock_guard lock(mutex_);
    events_.push_back(event);
  }
  std::vector<replication::PublisherEvent> events() const {
    std::lock_guard lock(mutex_);
    return events_;
  }
  int count(replication::PublisherEventKind kind) const {
    std::lock_guard lock(mutex_);
    int n = 0;
    for (const auto& event : events_) n += event.kind == kind;
    return n;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<replication::PublisherEvent> events_;
};

}  // namespace keyledger::testing
