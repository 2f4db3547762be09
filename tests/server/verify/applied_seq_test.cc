// AppliedSeq: what a request for "seq N or later" gets, and its waits,
// answered on the waiting request's own I/O thread, on a manual clock (no
// test here sleeps or measures time).
#include "server/verify/applied_seq.h"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <future>
#include <optional>
#include <thread>

#include "tests/server/manual_timer_service.h"

using namespace keyledger;
using namespace keyledger::server;
using keyledger::testing::ManualTimerService;

namespace {

constexpr std::chrono::seconds kGuard{20};

// An I/O thread of the test's own, with manual timers.
struct IoThread {
  IoThread() : thread([this] { io.run(); }) {}
  ~IoThread() {
    work.reset();
    thread.join();
  }
  // Runs `call` on the I/O thread and waits for it.
  template <typename Call>
  void on_thread(Call call) {
    std::promise<void> ran;
    boost::asio::post(io, [&] {
      call();
      ran.set_value();
    });
    REQUIRE(ran.get_future().wait_for(kGuard) == std::future_status::ready);
  }

  boost::asio::io_context io;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work{io.get_executor()};
  ManualTimerService timers{{&io}};
  std::thread thread;
};

// How a wait ended, and on which thread.
struct Outcome {
  std::promise<std::pair<bool, std::thread::id>> promise;
  std::future<std::pair<bool, std::thread::id>> future = promise.get_future();
  std::function<void(bool)> done() {
    return [this](bool reached) { promise.set_value({reached, std::this_thread::get_id()}); };
  }
  bool ended() { return future.wait_for(std::chrono::seconds(0)) == std::future_status::ready; }
  std::pair<bool, std::thread::id> get() {
    REQUIRE(future.wait_for(kGuard) == std::future_status::ready);
    return future.get();
  }
};

void wait_on(IoThread& io, AppliedSeq& applied, std::uint64_t min_seq, Outcome& outcome) {
  io.on_thread([&] {
    applied.wait_for(min_seq, io.timers.timers_on(io.io), io.io.get_executor(), outcome.done());
  });
}

}  // namespace

TEST_CASE("a minimum seq is reached, worth a wait, or beyond the last seq known",
          "[server][applied_seq]") {
  AppliedSeq applied(std::chrono::seconds(1), 10);
  CHECK(applied.check(0) == AppliedSeq::Check::kReached);
  CHECK(applied.check(10) == AppliedSeq::Check::kReached);
  CHECK(applied.check(11) == AppliedSeq::Check::kBeyondLast);
  applied.learned_last(15);  // a follower that knows the stream holds up to 15
  CHECK(applied.check(11) == AppliedSeq::Check::kWait);
  CHECK(applied.check(15) == AppliedSeq::Check::kWait);
  CHECK(applied.check(16) == AppliedSeq::Check::kBeyondLast);
  applied.advanced(12);
  CHECK(applied.applied() == 12);
  CHECK(applied.check(12) == AppliedSeq::Check::kReached);
  // Neither goes back.
  applied.advanced(3);
  applied.learned_last(4);
  CHECK(applied.applied() == 12);
  CHECK(applied.last_known() == 15);
  // Applying past what was known is known too (a leader's head).
  applied.advanced(20);
  CHECK(applied.last_known() == 20);
}

TEST_CASE("a waiting request is answered on its own thread once another thread applies its seq",
          "[server][applied_seq]") {
  IoThread io;
  AppliedSeq applied(std::chrono::seconds(1), 10);
  applied.learned_last(12);
  Outcome outcome;
  wait_on(io, applied, 12, outcome);
  CHECK(applied.waiting() == 1);
  applied.advanced(11);  // not yet
  io.on_thread([] {});
  CHECK_FALSE(outcome.ended());
  CHECK(applied.waiting() == 1);
  std::thread([&] { applied.advanced(12); }).join();  // an applier's thread
  const auto [reached, thread] = outcome.get();
  CHECK(reached);
  CHECK(thread == io.thread.get_id());
  CHECK(applied.waiting() == 0);
}

TEST_CASE("a wait ends without its seq once the bound has passed, and only then",
          "[server][applied_seq]") {
  IoThread io;
  AppliedSeq applied(std::chrono::milliseconds(250), 10);
  applied.learned_last(11);
  Outcome outcome;
  wait_on(io, applied, 11, outcome);
  io.timers.advance(std::chrono::milliseconds(249));
  io.on_thread([] {});  // anything the timers posted has run
  CHECK_FALSE(outcome.ended());
  io.timers.advance(std::chrono::milliseconds(1));
  const auto [reached, thread] = outcome.get();
  CHECK_FALSE(reached);
  CHECK(thread == io.thread.get_id());
  CHECK(applied.waiting() == 0);
  applied.advanced(11);  // too late: answered once only (the promise would throw)
  io.on_thread([] {});
}

TEST_CASE("a seq beyond the last known, or a bound of zero, ends the wait at once, never inline",
          "[server][applied_seq]") {
  IoThread io;
  AppliedSeq applied(std::chrono::seconds(1), 10);
  Outcome beyond;
  bool inline_call = true;
  io.on_thread([&] {
    applied.wait_for(11, io.timers.timers_on(io.io), io.io.get_executor(), beyond.done());
    inline_call = beyond.ended();
  });
  CHECK_FALSE(inline_call);
  CHECK_FALSE(beyond.get().first);

  AppliedSeq no_wait(std::chrono::nanoseconds(0), 10);
  no_wait.learned_last(11);
  Outcome refused;
  wait_on(io, no_wait, 11, refused);
  CHECK_FALSE(refused.get().first);
  Outcome reached;
  wait_on(io, no_wait, 10, reached);
  CHECK(reached.get().first);
  CHECK(no_wait.waiting() == 0);
}

TEST_CASE("many waiters for different seqs are each answered when theirs is applied",
          "[server][applied_seq]") {
  IoThread io;
  AppliedSeq applied(std::chrono::seconds(1), 0);
  applied.learned_last(3);
  Outcome first, second, third;
  wait_on(io, applied, 1, first);
  wait_on(io, applied, 3, third);
  wait_on(io, applied, 2, second);
  applied.advanced(2);
  CHECK(first.get().first);
  CHECK(second.get().first);
  io.on_thread([] {});
  CHECK_FALSE(third.ended());
  io.timers.advance(std::chrono::seconds(1));
  CHECK_FALSE(third.get().first);
}

TEST_CASE("a refused minimum seq is 503 seq_not_reached, saying how far this node is",
          "[server][applied_seq]") {
  const Status status = seq_not_reached(12, 10);
  CHECK(status.code() == StatusCode::kUnavailable);
  CHECK(status.is(Reason::kSeqNotReached));
  CHECK(status.message().find("12") != std::string::npos);
  CHECK(status.message().find("10") != std::string::npos);
}
