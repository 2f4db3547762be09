// A follower's loop, on its own thread: reads the stream from its applied
// head + 1, applies what arrives (follower_applier.h), reconnects with
// backoff when NATS cannot be reached, and confirms how current it is.
//
// Confirming: every confirm interval the loop asks the stream for its last
// seq. Once the follower has applied up to that seq, it held every event
// the stream held when it asked, so the time it ASKED (on the monotonic
// clock) is its "confirmed at"; its staleness is now minus that. A
// follower that cannot reach the stream, or is refused an event, stops
// confirming and so grows stale: the observer (the daemon) turns that into
// 503 answers past --max-staleness.
//
// Every call on the stream may block for a bounded time; none runs on an
// I/O thread. step() is one turn of the loop, which tests drive on their
// own thread with a manual clock; start() runs it on the loop's thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "core/clock.h"
#include "core/status.h"
#include "server/replication/event_stream.h"
#include "server/replication/follower_applier.h"

namespace keyledger::replication {

// What the loop tells the node. Called on the loop's thread; each call
// must be quick.
class FollowObserver {
 public:
  virtual ~FollowObserver() = default;
  // The follower held, when it asked at `asked_at`, every event the
  // stream held.
  virtual void confirmed(MonotonicTime asked_at) = 0;
  // Events up to `seq` are applied and visible to readers.
  virtual void applied(std::uint64_t seq) = 0;
  // The stream answered that it holds events up to `seq`.
  virtual void stream_last(std::uint64_t seq) = 0;
  // The stream could not be read (kUnavailable and the like), or holds
  // fewer events than were applied; told once when such an outage starts.
  // The loop retries after a backoff.
  virtual void unavailable(const Status& why) = 0;
  // The stream answered, for the first time or after an outage.
  virtual void connected() = 0;
  // The applier refused a message for good; the loop applies nothing
  // more (its status says why) until the node restarts.
  virtual void refused(const ApplyRefusal& refusal) = 0;
};

struct FollowOptions {
  // Most messages asked of the stream at once, and the longest one ask
  // waits for the first of them.
  std::size_t batch = 1024;
  std::chrono::milliseconds wait{100};
  // How often the stream's last seq is asked (a quarter of
  // --max-staleness, at most a second, is what the daemon gives).
  std::chrono::milliseconds confirm_interval{1000};
  // The pause after a failure, doubled after each one in a row, up to
  // max_backoff.
  std::chrono::milliseconds min_backoff{50};
  std::chrono::milliseconds max_backoff{2000};
};

// The loop's figures, as of the call.
struct FollowStatus {
  std::uint64_t applied_seq = 0;
  // The stream's last seq as last asked, and whether it was ever asked.
  std::uint64_t stream_last_seq = 0;
  bool stream_last_known = false;
  // When the follower last confirmed it held every event; nullopt before
  // the first confirmation.
  std::optional<MonotonicTime> confirmed_at;
  // Whether the last call on the stream succeeded.
  bool connected = false;
  // Whether the last append to the follower's own log failed.
  bool storage_failing = false;
  std::optional<ApplyRefusal> refusal;
  std::uint64_t applied_events = 0;  // since start
  std::uint64_t redeliveries = 0;
  std::uint64_t gap_events_filled = 0;
  std::uint64_t failures = 0;  // stream or storage failures retried
};

class FollowLoop {
 public:
  // What it is given outlives it.
  FollowLoop(FollowerApplier& applier, EventStream& stream, const MonotonicClock& clock,
             FollowObserver& observer, FollowOptions options = {});
  // Stops the thread.
  ~FollowLoop();
  FollowLoop(const FollowLoop&) = delete;
  FollowLoop& operator=(const FollowLoop&) = delete;

  // Runs step() on the loop's thread, pausing as it says, until stop().
  void start();
  // Stops and joins the thread (idempotent); returns within about one
  // stream call's bound.
  void stop();

  // One turn: (re)opens the reader if needed, asks the last seq when the
  // confirm interval has passed, reads one batch and applies it. Returns
  // how long to pause before the next turn (a backoff after a failure;
  // forever-ish once refused; zero otherwise).
  std::chrono::milliseconds step();

  FollowStatus status() const;

 private:
  // Asks the stream's last seq, then confirms if already applied that far.
  Status ask_last_seq();
  // Confirms the pending ask once the applied head reached its seq.
  void confirm_if_caught_up();
  // Counts a failure, drops the reader, and returns the backoff.
  std::chrono::milliseconds fail(const Status& why);
  // Marks the stream reachable and resets the backoff.
  void succeeded();
  // Takes in what apply() did; returns step()'s pause.
  std::chrono::milliseconds after_apply(const StatusOr<ApplyOutcome>& outcome);

  FollowerApplier& applier_;
  EventStream& stream_;
  const MonotonicClock& clock_;
  FollowObserver& observer_;
  const FollowOptions options_;

  // The loop's thread (or the test calling step()) only.
  std::unique_ptr<StreamReader> reader_;
  std::optional<MonotonicTime> next_ask_;
  // Asks of the last seq the applied head has not reached yet, oldest
  // first.
  struct PendingAsk {
    MonotonicTime asked_at;
    std::uint64_t last_seq;
  };
  std::deque<PendingAsk> pending_asks_;
  bool stream_behind_ = false;  // the last answer was below the applied head
  std::chrono::milliseconds backoff_{0};

  mutable std::mutex mutex_;  // status_, stopping_
  FollowStatus status_;
  bool stopping_ = false;
  std::condition_variable wake_;
  std::thread thread_;
};

}  // namespace keyledger::replication
