// The timeouts of keyledgerd's connections, ours rather than Beast's stream
// timeouts, on an injected clock. Each session has one Deadline at a time
// (the read, write or idle timeout of what it waits for); moving it costs a
// clock reading and a store, never a timer operation, so a request pays
// almost nothing for its timeout. The deadlines of all connections on one
// io_context are listed in that context's ConnectionTimers, whose owner
// calls expire_due() a few times a second while any is armed: a timeout
// fires at its deadline or up to one such interval later.
//
// A TimerService gives each io_context its ConnectionTimers: keyledgerd's
// SteadyTimerService (server/http/steady_timer_service.h) checks them on a real
// Asio timer; tests give a manual one and move its clock themselves, so no
// timeout test sleeps (tests/server/manual_timer_service.h).
//
// Threads: a ConnectionTimers and every Deadline on it belong to one
// io_context, which one thread runs; every call is made on that thread.
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstddef>
#include <functional>

#include "core/clock.h"

namespace keyledger::server {

class ConnectionTimers;

// One connection's deadline, a member of its session. While armed it is
// listed in its ConnectionTimers, which disarms it and calls `on_expiry` once
// the deadline has passed. A session arms it only while an operation of its
// own is pending, whose handler keeps the session alive: so a listed
// Deadline is never destroyed on another thread (a handler answering from
// another thread may drop a session's last reference there, but only while
// its Deadline is disarmed).
class Deadline {
 public:
  // `timers` outlives the Deadline, or forgets it first (~ConnectionTimers).
  Deadline(ConnectionTimers& timers, std::function<void()> on_expiry);
  ~Deadline() { disarm(); }
  Deadline(const Deadline&) = delete;
  Deadline& operator=(const Deadline&) = delete;

  // The deadline is `timeout` from now, replacing any armed one.
  void arm(std::chrono::nanoseconds timeout);
  // No deadline: nothing will expire.
  void disarm();
  bool armed() const { return armed_; }
  MonotonicTime deadline() const { return deadline_; }  // meaningful while armed

 private:
  friend class ConnectionTimers;
  ConnectionTimers& timers_;
  std::function<void()> on_expiry_;
  MonotonicTime deadline_{};
  bool armed_ = false;
  Deadline* previous_ = nullptr;  // neighbours in timers_'s list, while armed
  Deadline* next_ = nullptr;
};

// The armed Deadlines of one io_context's connections.
class ConnectionTimers {
 public:
  explicit ConnectionTimers(const MonotonicClock& clock) : clock_(clock) {}
  // Disarms every Deadline still armed: at shutdown the sessions of a
  // stopped io_context are destroyed with it, after their timers.
  virtual ~ConnectionTimers();
  ConnectionTimers(const ConnectionTimers&) = delete;
  ConnectionTimers& operator=(const ConnectionTimers&) = delete;

  // Disarms every Deadline whose time has come and calls its on_expiry,
  // which may arm its own Deadline again but must not arm, disarm or destroy
  // another of these timers. Returns how many are still armed.
  std::size_t expire_due();

  std::size_t armed() const { return armed_; }
  // The earliest armed deadline; MonotonicTime::max() when none is armed.
  MonotonicTime earliest() const;
  const MonotonicClock& clock() const { return clock_; }

 protected:
  // After every arm(): the owner makes sure expire_due() keeps being
  // called while a deadline is armed. Runs on the context's thread.
  virtual void on_armed() = 0;

 private:
  friend class Deadline;
  void link(Deadline& deadline);
  void unlink(Deadline& deadline);

  const MonotonicClock& clock_;
  Deadline* first_ = nullptr;  // the armed Deadlines, in no order
  std::size_t armed_ = 0;
};

// Gives the connections on each io_context their ConnectionTimers; what
// the listeners are given, so that tests can give a manual one.
class TimerService {
 public:
  virtual ~TimerService() = default;
  // The timers of `context`, one of the io_contexts the service was made
  // for. Thread-safe.
  virtual ConnectionTimers& timers_on(const boost::asio::io_context& context) = 0;
  // The clock the timers read. Thread-safe.
  virtual const MonotonicClock& clock() const = 0;
};

}  // namespace keyledger::server
