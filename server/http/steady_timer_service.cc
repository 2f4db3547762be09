#include "server/http/steady_timer_service.h"

#include <boost/asio/steady_timer.hpp>
#include <cassert>
#include <cstdlib>

namespace keyledger::server {

// The ConnectionTimers of one io_context, checked on an Asio timer of that
// context while any deadline is armed.
class SteadyTimerService::Ticking final : public ConnectionTimers {
 public:
  Ticking(const MonotonicClock& clock, boost::asio::io_context& context,
          std::chrono::milliseconds resolution)
      : ConnectionTimers(clock), timer_(context), resolution_(resolution) {}

 private:
  void on_armed() override {
    if (ticking_) return;
    ticking_ = true;
    wait();
  }

  void wait() {
    timer_.expires_after(resolution_);
    // Cancelled only when the timer is destroyed (with the service, after
    // the context stopped): the handler must then not touch `this`.
    timer_.async_wait([this](const boost::system::error_code& error) {
      if (error) return;
      if (expire_due() > 0) return wait();
      ticking_ = false;
    });
  }

  boost::asio::steady_timer timer_;
  const std::chrono::milliseconds resolution_;
  bool ticking_ = false;
};

SteadyTimerService::SteadyTimerService(const std::vector<boost::asio::io_context*>& contexts,
                                       std::chrono::milliseconds resolution) {
  for (auto* context : contexts) {
    contexts_.push_back(context);
    timers_.push_back(std::make_unique<Ticking>(clock_, *context, resolution));
  }
}

SteadyTimerService::~SteadyTimerService() = default;

ConnectionTimers& SteadyTimerService::timers_on(const boost::asio::io_context& context) {
  for (std::size_t i = 0; i < contexts_.size(); ++i)
    if (contexts_[i] == &context) return *timers_[i];
  assert(false && "an io_context the service was not made for");
  std::abort();
}

}  // namespace keyledger::server
