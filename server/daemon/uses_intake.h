// A leader's half of "Last use flows back" (issue 20): the followers'
// reports on the uses subject (key_uses_message.h) are decoded with the
// format's limits, each follower is marked heard in the FollowerTable (the
// cluster view), and each use, its time clamped to the leader's now, goes
// to the LastUseTracker as a use seen elsewhere: the in-memory list is
// exact at once, and the tracker persists at most one KeyUsed per key per
// flush interval. Uses of unknown or deleted keys are ignored there.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "core/clock.h"
#include "core/status.h"
#include "server/http/json_log.h"
#include "server/replication/follower_table.h"
#include "server/replication/uses_channel.h"
#include "server/verify/last_use_tracker.h"

namespace keyledger::server {

// Thread-safe; what it is given outlives it.
class FollowerUsesIntake {
 public:
  FollowerUsesIntake(LastUseTracker& tracker, const Clock& clock,
                     replication::FollowerTable& followers)
      : tracker_(tracker), clock_(clock), followers_(followers) {}
  // Takes one message: ok, or the decoder's kInvalidArgument (counted;
  // nothing of the message is taken).
  Status take(std::string_view message);
  std::uint64_t bad_messages() const { return bad_messages_.load(std::memory_order_relaxed); }
  std::uint64_t uses_taken() const { return uses_taken_.load(std::memory_order_relaxed); }

 private:
  LastUseTracker& tracker_;
  const Clock& clock_;
  replication::FollowerTable& followers_;
  std::atomic<std::uint64_t> bad_messages_{0};
  std::atomic<std::uint64_t> uses_taken_{0};
};

// Where the receiver reads messages: the uses subject, or a test's fake.
class UsesSource {
 public:
  virtual ~UsesSource() = default;
  // The next message within `wait`, nullopt when none came, or a failure
  // (the receiver waits a little and asks again).
  virtual StatusOr<std::optional<std::string>> next(std::chrono::milliseconds wait) = 0;
};

// UsesSource over the real subscription.
class SubscribedUses final : public UsesSource {
 public:
  explicit SubscribedUses(std::unique_ptr<replication::UsesSubscription> subscription)
      : subscription_(std::move(subscription)) {}
  StatusOr<std::optional<std::string>> next(std::chrono::milliseconds wait) override {
    return subscription_->next(wait);
  }

 private:
  std::unique_ptr<replication::UsesSubscription> subscription_;
};

// Reads `source` on a thread of its own (never an I/O thread) into
// `intake`. A bad message or an unreachable NATS is logged once per
// `log_interval` at most, never more: a flood of bad messages costs a count.
class UsesReceiver {
 public:
  UsesReceiver(UsesSource& source, FollowerUsesIntake& intake,
               std::chrono::nanoseconds log_interval, JsonLog& log)
      : source_(source), intake_(intake), log_interval_(log_interval), log_(log) {}
  ~UsesReceiver() { stop(); }
  UsesReceiver(const UsesReceiver&) = delete;
  UsesReceiver& operator=(const UsesReceiver&) = delete;

  void start();
  void stop();  // idempotent; returns within one read's wait

 private:
  void run();
  // Logs `what` unless a line of the same kind went out within log_interval_.
  void log_at_most_once(std::chrono::steady_clock::time_point& last, const std::string& what,
                        const Status& why);

  UsesSource& source_;
  FollowerUsesIntake& intake_;
  const std::chrono::nanoseconds log_interval_;
  JsonLog& log_;
  std::atomic<bool> stopping_{false};
  std::mutex mutex_;
  std::condition_variable wake_;
  std::thread thread_;
};

}  // namespace keyledger::server
