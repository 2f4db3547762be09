// keyledgerd's TimerService: deadlines on the steady clock, and on each
// io_context one Asio timer that checks its connections' deadlines every
// `resolution` while any is armed (and sleeps while none is). One timer per
// thread instead of one per connection: a request never touches Asio's timer
// queue, and a timeout fires at most `resolution` late.
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <memory>
#include <vector>

#include "core/clock.h"
#include "server/http/connection_timers.h"

namespace keyledger::server {

class SteadyTimerService final : public TimerService {
 public:
  static constexpr std::chrono::milliseconds kDefaultResolution{250};

  // `contexts` are the io_contexts whose connections are timed; they
  // outlive the service. Destroy it only once they have stopped running.
  explicit SteadyTimerService(const std::vector<boost::asio::io_context*>& contexts,
                              std::chrono::milliseconds resolution = kDefaultResolution);
  ~SteadyTimerService() override;

  ConnectionTimers& timers_on(const boost::asio::io_context& context) override;
  const MonotonicClock& clock() const override { return clock_; }

 private:
  class Ticking;

  SteadyClock clock_;
  std::vector<const boost::asio::io_context*> contexts_;
  std::vector<std::unique_ptr<Ticking>> timers_;  // timers_[i] for contexts_[i]
};

}  // namespace keyledger::server
