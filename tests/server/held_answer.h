// One answer a test holds back: a handler hands it over with hold() on the
// server's thread, and the test gives it from its own thread when it
// chooses, so that what happens while a handler works can be looked at.
#pragma once

#include <chrono>
#include <functional>
#include <future>
#include <mutex>

namespace keyledger::testing {

class HeldAnswer {
 public:
  // Keeps `answer` (called once, by give()); for one request only.
  void hold(std::function<void()> answer) {
    std::lock_guard lock(mutex_);
    answer_ = std::move(answer);
    arrived_.set_value();
  }
  // Whether hold() was called within `guard`.
  bool arrived(std::chrono::milliseconds guard) {
    return arrived_future_.wait_for(guard) == std::future_status::ready;
  }
  // Gives the held answer, from the calling thread.
  void give() {
    std::function<void()> answer;
    {
      std::lock_guard lock(mutex_);
      answer = std::move(answer_);
    }
    answer();
  }

 private:
  std::mutex mutex_;
  std::function<void()> answer_;
  std::promise<void> arrived_;
  std::future<void> arrived_future_ = arrived_.get_future();
};

}  // namespace keyledger::testing
