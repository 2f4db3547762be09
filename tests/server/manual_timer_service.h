// A TimerService for tests, on a clock that moves only when the test says
// so: advance() moves it and then, on each io_context's own thread, expires
// whatever has come due, returning once that has happened. A timeout test
// therefore neither sleeps nor depends on how fast the machine is: it waits
// until the server has armed the deadline it means (wait_for_deadline_within),
// moves time past it, and looks at what the client got.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <condition_variable>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <vector>

#include "core/clock.h"
#include "server/http/connection_timers.h"

namespace keyledger::testing {

class ManualTimerService final : public server::TimerService {
 public:
  // How long (real time) a wait on the io_contexts may take before the test
  // fails instead of hanging: a guard, never a timing assertion.
  static constexpr std::chrono::seconds kHangGuard{20};

  // `contexts` are run by threads of the test's own while the service is
  // used, and outlive it.
  explicit ManualTimerService(std::vector<boost::asio::io_context*> contexts) {
    for (auto* context : contexts)
      timers_.push_back({context, std::make_unique<Timers>(clock_, *this)});
  }

  server::ConnectionTimers& timers_on(const boost::asio::io_context& context) override {
    for (auto& entry : timers_)
      if (entry.context == &context) return *entry.timers;
    throw std::logic_error("an io_context the ManualTimerService was not made for");
  }
  const MonotonicClock& clock() const override { return clock_; }

  // Moves the clock by `by`, then expires every deadline that has come due,
  // each on its context's thread; returns once all have been looked at.
  void advance(std::chrono::nanoseconds by) {
    clock_.advance(by);
    for (auto& entry : timers_)
      on_thread_of(entry, [&timers = *entry.timers] {
        timers.expire_due();
        return true;
      });
  }

  // Waits until some connection has armed a deadline at most `within` from
  // now (and has not expired it): false if none did within kHangGuard.
  bool wait_for_deadline_within(std::chrono::nanoseconds within) {
    const auto give_up = std::chrono::steady_clock::now() + kHangGuard;
    std::unique_lock lock(mutex_);
    while (true) {
      const std::uint64_t arms_seen = arms_;
      lock.unlock();
      const MonotonicTime limit = clock_.now() + within;
      bool found = false;
      for (auto& entry : timers_)
        found |= on_thread_of(
            entry, [&timers = *entry.timers, limit] { return timers.earliest() <= limit; });
      lock.lock();
      if (found) return true;
      // Armed since the look (or about to be): look again.
      if (!arms_changed_.wait_until(lock, give_up, [&] { return arms_ != arms_seen; }))
        return false;
    }
  }

 private:
  class Timers final : public server::ConnectionTimers {
   public:
    Timers(const MonotonicClock& clock, ManualTimerService& service)
        : ConnectionTimers(clock), service_(service) {}

   private:
    void on_armed() override {
      std::lock_guard lock(service_.mutex_);
      ++service_.arms_;
      service_.arms_changed_.notify_all();
    }
    ManualTimerService& service_;
  };

  struct Entry {
    boost::asio::io_context* context;
    std::unique_ptr<Timers> timers;
  };

  // Runs `look` on `entry`'s context's thread and returns what it returned.
  template <typename Look>
  bool on_thread_of(Entry& entry, Look look) {
    std::promise<bool> result;
    auto done = result.get_future();
    boost::asio::post(*entry.context, [&] { result.set_value(look()); });
    if (done.wait_for(kHangGuard) != std::future_status::ready)
      throw std::runtime_error("an io_context did not run a posted check (is it running?)");
    return done.get();
  }

  ManualMonotonicClock clock_;
  std::vector<Entry> timers_;
  std::mutex mutex_;
  std::condition_variable arms_changed_;
  std::uint64_t arms_ = 0;  // on_armed() calls so far, on any context
};

}  // namespace keyledger::testing
