// Read-your-writes: how far this node has applied the ledger, and the
// requests waiting for it to reach a seq. A write's answer carries the seq
// it committed (KeyLedger-Seq); a verification may then ask for that seq or
// later (KeyLedger-Min-Seq on GET /v1/verify, minSeq on the verify port).
//
// Whoever makes events visible to verification says so: the leader's writer
// after each commit it publishes, a follower's applier after each event it
// applies (advanced()); a follower also says what it learns of the stream's
// last seq (learned_last()). A request for a seq this node has applied is
// answered as any other; one for a seq it has not applied but knows to exist
// waits for it, up to the node's bound; one for a seq beyond the last it
// knows of is refused at once (503 seq_not_reached): it may never come.
//
// Cost: a request without a minimum seq never looks here; one with it takes
// an atomic load when the seq is applied. advanced() is an atomic store and
// load while nobody waits. Waiting takes a lock, and never blocks a thread:
// a waiter's answer is posted to its connection's I/O thread, and its bound
// is a Deadline on that thread's ConnectionTimers (so tests move time).
#pragma once

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>

#include "core/status.h"
#include "server/http/connection_timers.h"

namespace keyledger::server {

class AppliedSeq {
 public:
  // What a request for a minimum seq gets now.
  enum class Check {
    kReached,     // applied: answer as usual
    kWait,        // not applied yet, but it exists: wait (wait_for)
    kBeyondLast,  // beyond the last seq this node knows of: refuse at once
  };

  // `max_wait` bounds every wait; zero refuses at once what is not applied.
  explicit AppliedSeq(std::chrono::nanoseconds max_wait, std::uint64_t applied = 0);
  // Drops any waiter left (at shutdown, once the I/O threads have stopped):
  // their answers are never sent, as the connections that would carry them
  // are gone.
  ~AppliedSeq();
  AppliedSeq(const AppliedSeq&) = delete;
  AppliedSeq& operator=(const AppliedSeq&) = delete;

  // Thread-safe.
  std::uint64_t applied() const { return applied_.load(std::memory_order_acquire); }
  std::uint64_t last_known() const { return last_known_.load(std::memory_order_acquire); }
  std::chrono::nanoseconds max_wait() const { return max_wait_; }
  Check check(std::uint64_t min_seq) const;

  // Thread-safe, from the one thread that applies (the writer, or a
  // follower's applier): every event up to `seq` is now visible to
  // verification. Wakes the waiters it satisfies (it only posts their
  // answers). A seq below the current one changes nothing.
  void advanced(std::uint64_t seq);
  // Thread-safe: the stream holds events up to `seq` (a follower that has
  // not applied them yet). Never lowers what is known; advanced() raises it
  // too.
  void learned_last(std::uint64_t seq);

  // On an I/O thread: calls `done(true)` once `min_seq` is applied, or
  // `done(false)` once max_wait() has passed on `timers` without it, or at
  // once if it is beyond the last known seq. `done` runs exactly once, on
  // `executor`'s thread (the one this is called on, which `timers` belong
  // to), never inside this call.
  void wait_for(std::uint64_t min_seq, ConnectionTimers& timers,
                boost::asio::any_io_executor executor, std::function<void(bool)> done);

  // Requests waiting now (for tests and metrics).
  std::size_t waiting() const;

 private:
  class Waiter;
  friend class Waiter;
  // Removes waiter `ticket`, if still listed.
  void forget(std::uint64_t ticket);

  const std::chrono::nanoseconds max_wait_;
  std::atomic<std::uint64_t> applied_;
  std::atomic<std::uint64_t> last_known_;
  // How many wait, read by advanced() without the lock: only when some
  // wait does it take the lock (see advanced() for the order).
  std::atomic<std::size_t> waiter_count_{0};
  mutable std::mutex mutex_;
  std::uint64_t next_ticket_ = 1;
  // min seq → the waiters for it, by ticket; each holds its Waiter.
  std::multimap<std::uint64_t, std::pair<std::uint64_t, std::shared_ptr<Waiter>>> waiters_;
};

// The answer to a request whose minimum seq this node has not reached
// (kUnavailable, reason seq_not_reached: 503, ask another node).
Status seq_not_reached(std::uint64_t min_seq, std::uint64_t applied);

}  // namespace keyledger::server
