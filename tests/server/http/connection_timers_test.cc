// ConnectionTimers and Deadline on a manual clock: a deadline expires once,
// when its time has come and not before; moving or disarming it is
// honoured; an expiry may arm its own deadline again; and timers destroyed
// before their deadlines (a stopped io_context's sessions at shutdown) leave
// them disarmed. Then keyledgerd's SteadyTimerService on a real io_context.
#include "server/http/connection_timers.h"

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <optional>

#include "core/clock.h"
#include "server/http/steady_timer_service.h"

using namespace keyledger;
using namespace keyledger::server;
using std::chrono::seconds;

namespace {

// Timers that count how often they were armed; the test calls expire_due().
class CountingTimers final : public ConnectionTimers {
 public:
  using ConnectionTimers::ConnectionTimers;
  int arms = 0;

 private:
  void on_armed() override { ++arms; }
};

struct Fixture {
  ManualMonotonicClock clock;
  CountingTimers timers{clock};
};

}  // namespace

TEST_CASE("a deadline expires once, when its time has come and not before", "[server][timers]") {
  Fixture f;
  int expired = 0;
  Deadline deadline(f.timers, [&] { ++expired; });
  deadline.arm(seconds(15));
  CHECK(f.timers.armed() == 1);
  CHECK(f.timers.earliest() == f.clock.now() + seconds(15));
  f.clock.advance(seconds(15) - std::chrono::nanoseconds(1));
  CHECK(f.timers.expire_due() == 1);
  CHECK(expired == 0);
  f.clock.advance(std::chrono::nanoseconds(1));
  CHECK(f.timers.expire_due() == 0);
  CHECK(expired == 1);
  CHECK_FALSE(deadline.armed());
  f.clock.advance(seconds(100));
  f.timers.expire_due();
  CHECK(expired == 1);
}

TEST_CASE("arming an armed deadline moves it, later or sooner", "[server][timers]") {
  Fixture f;
  int expired = 0;
  Deadline deadline(f.timers, [&] { ++expired; });
  deadline.arm(seconds(60));
  deadline.arm(seconds(15));
  CHECK(f.timers.armed() == 1);
  CHECK(f.timers.arms == 2);
  f.clock.advance(seconds(15));
  f.timers.expire_due();
  CHECK(expired == 1);

  deadline.arm(seconds(15));
  f.clock.advance(seconds(10));
  deadline.arm(seconds(15));  // now due 25 s after the first arm
  f.clock.advance(seconds(10));
  f.timers.expire_due();
  CHECK(expired == 1);
  f.clock.advance(seconds(5));
  f.timers.expire_due();
  CHECK(expired == 2);
}

TEST_CASE("a disarmed deadline never expires", "[server][timers]") {
  Fixture f;
  int expired = 0;
  Deadline deadline(f.timers, [&] { ++expired; });
  deadline.disarm();  // disarming what is not armed changes nothing
  deadline.arm(seconds(1));
  deadline.disarm();
  CHECK(f.timers.armed() == 0);
  CHECK(f.timers.earliest() == MonotonicTime::max());
  f.clock.advance(seconds(2));
  CHECK(f.timers.expire_due() == 0);
  CHECK(expired == 0);
}

TEST_CASE("deadlines expire independently of each other, in one pass", "[server][timers]") {
  Fixture f;
  int first = 0, second = 0, third = 0;
  Deadline a(f.timers, [&] { ++first; });
  Deadline b(f.timers, [&] { ++second; });
  Deadline c(f.timers, [&] { ++third; });
  a.arm(seconds(1));
  b.arm(seconds(3));
  c.arm(seconds(2));
  CHECK(f.timers.earliest() == f.clock.now() + seconds(1));
  f.clock.advance(seconds(2));
  CHECK(f.timers.expire_due() == 1);
  CHECK((first == 1 && second == 0 && third == 1));
  CHECK(b.armed());
}

TEST_CASE("an expiry may arm its own deadline again, which then expires at its new time",
          "[server][timers]") {
  Fixture f;
  int expired = 0;
  std::optional<Deadline> deadline;
  deadline.emplace(f.timers, [&] {
    if (++expired == 1) deadline->arm(seconds(0));  // due at once, but not in this pass
  });
  deadline->arm(seconds(1));
  f.clock.advance(seconds(1));
  CHECK(f.timers.expire_due() == 1);
  CHECK(expired == 1);
  CHECK(f.timers.expire_due() == 0);
  CHECK(expired == 2);
}

TEST_CASE("a deadline destroyed while armed leaves the others listed", "[server][timers]") {
  Fixture f;
  int kept = 0;
  Deadline first(f.timers, [&] { ++kept; });
  first.arm(seconds(1));
  {
    Deadline middle(f.timers, [] { FAIL("a destroyed deadline expired"); });
    middle.arm(seconds(1));
    Deadline last(f.timers, [] { FAIL("a destroyed deadline expired"); });
    last.arm(seconds(1));
  }
  CHECK(f.timers.armed() == 1);
  f.clock.advance(seconds(1));
  f.timers.expire_due();
  CHECK(kept == 1);
}

TEST_CASE("timers destroyed before their deadlines leave them disarmed", "[server][timers]") {
  ManualMonotonicClock clock;
  auto timers = std::make_unique<CountingTimers>(clock);
  Deadline one(*timers, [] {});
  Deadline two(*timers, [] {});
  one.arm(seconds(1));
  two.arm(seconds(2));
  timers.reset();
  CHECK_FALSE(one.armed());
  CHECK_FALSE(two.armed());
  // Destroying them now touches nothing of the timers.
}

TEST_CASE("keyledgerd's timer service expires a deadline on its context's thread, then sleeps",
          "[server][timers]") {
  boost::asio::io_context io;
  int expired = 0;
  {
    SteadyTimerService service({&io}, std::chrono::milliseconds(1));
    Deadline deadline(service.timers_on(io), [&] { ++expired; });
    deadline.arm(seconds(0));
    // Returns once the service's timer has nothing left to wait for: the
    // deadline expired and nothing else is armed.
    io.run();
    CHECK(expired == 1);
    CHECK_FALSE(deadline.armed());
  }
}
