// The failed-verification limiter: counts per client in a window, answers
// how long to wait, forgets finished windows, and stays bounded (dropping
// the oldest windows first) when more clients fail than it keeps.
#include "server/verify/rate_limiter.h"

#include <catch2/catch.hpp>

#include "core/clock.h"

using keyledger::ManualClock;
using keyledger::server::FailureRateLimiter;

namespace {
constexpr keyledger::TimeNs kSecond = 1'000'000'000;
}

TEST_CASE("a client is limited after its failures, until its window ends", "[server][rate-limit]") {
  ManualClock clock;
  FailureRateLimiter limiter(clock, 3, std::chrono::seconds(60));
  for (int i = 0; i < 3; ++i) {
    CHECK(limiter.retry_after_seconds("10.0.0.1") == 0);
    limiter.record_failure("10.0.0.1");
  }
  CHECK(limiter.retry_after_seconds("10.0.0.1") == 60);
  CHECK(limiter.retry_after_seconds("10.0.0.2") == 0);
  clock.advance(59 * kSecond + 1);
  CHECK(limiter.retry_after_seconds("10.0.0.1") == 1);
  clock.advance(kSecond);
  CHECK(limiter.retry_after_seconds("10.0.0.1") == 0);
  // A new window starts from zero.
  limiter.record_failure("10.0.0.1");
  CHECK(limiter.retry_after_seconds("10.0.0.1") == 0);
}

TEST_CASE(
    "count_failure counts failures up to the limit and then answers the wait without counting",
    "[server][rate-limit]") {
  ManualClock clock;
  FailureRateLimiter limiter(clock, 3, std::chrono::seconds(60));
  for (int i = 0; i < 3; ++i) CHECK(limiter.count_failure("10.0.0.1") == 0);
  CHECK(limiter.count_failure("10.0.0.1") == 60);
  CHECK(limiter.count_failure("10.0.0.2") == 0);
  clock.advance(30 * kSecond);
  // Refused failures do not move the window: it still ends 60 s after the first.
  CHECK(limiter.count_failure("10.0.0.1") == 30);
  CHECK(limiter.retry_after_seconds("10.0.0.1") == 30);
  clock.advance(30 * kSecond);
  CHECK(limiter.count_failure("10.0.0.1") == 0);  // a new window, counted
  CHECK(limiter.count_failure("10.0.0.1") == 0);
  CHECK(limiter.count_failure("10.0.0.1") == 0);
  CHECK(limiter.count_failure("10.0.0.1") == 60);
}

TEST_CASE("when full, the limiter drops the client whose window began first",
          "[server][rate-limit]") {
  ManualClock clock;
  FailureRateLimiter limiter(clock, 2, std::chrono::seconds(60), /*max_clients=*/3);
  for (const char* client : {"a", "b", "c"}) {
    limiter.record_failure(client);
    limiter.record_failure(client);
    clock.advance(kSecond);
  }
  for (const char* client : {"a", "b", "c"}) CHECK(limiter.retry_after_seconds(client) > 0);
  limiter.record_failure("d");  // room for d: a (oldest) goes
  CHECK(limiter.retry_after_seconds("a") == 0);
  CHECK(limiter.retry_after_seconds("b") > 0);
  CHECK(limiter.retry_after_seconds("c") > 0);
  // More failures from a client already kept make no room at anyone's cost.
  limiter.record_failure("d");
  CHECK(limiter.retry_after_seconds("b") > 0);
  CHECK(limiter.retry_after_seconds("d") > 0);
}

TEST_CASE("finished windows are dropped before fresh ones", "[server][rate-limit]") {
  ManualClock clock;
  FailureRateLimiter limiter(clock, 1, std::chrono::seconds(10), /*max_clients=*/2);
  limiter.record_failure("old");
  clock.advance(5 * kSecond);
  limiter.record_failure("fresh");
  clock.advance(6 * kSecond);  // "old" has ended, "fresh" has not
  limiter.record_failure("new");
  CHECK(limiter.retry_after_seconds("fresh") > 0);
  CHECK(limiter.retry_after_seconds("new") > 0);
}

TEST_CASE("a flood of distinct failing clients keeps the newest ones limited",
          "[server][rate-limit]") {
  ManualClock clock;
  FailureRateLimiter limiter(clock, 1, std::chrono::seconds(60), /*max_clients=*/1000);
  for (int i = 0; i < 200'000; ++i) limiter.record_failure("client-" + std::to_string(i));
  CHECK(limiter.retry_after_seconds("client-199999") > 0);
  CHECK(limiter.retry_after_seconds("client-199000") > 0);
  CHECK(limiter.retry_after_seconds("client-0") == 0);
}

TEST_CASE("clients without failures are answered 0 even when they share a slot with failing ones",
          "[server][rate-limit]") {
  ManualClock clock;
  FailureRateLimiter limiter(clock, 1, std::chrono::seconds(60));
  // More failing clients than the limiter has slots, so every slot holds some.
  for (int i = 0; i < 3000; ++i) limiter.record_failure("failing-" + std::to_string(i));
  for (int i = 0; i < 3000; ++i) {
    CHECK(limiter.retry_after_seconds("failing-" + std::to_string(i)) == 60);
    CHECK(limiter.retry_after_seconds("innocent-" + std::to_string(i)) == 0);
  }
  // Once the windows end, the clients are forgotten and may fail afresh.
  clock.advance(60 * kSecond);
  for (int i = 0; i < 3000; ++i)
    CHECK(limiter.retry_after_seconds("failing-" + std::to_string(i)) == 0);
  limiter.record_failure("failing-7");
  CHECK(limiter.retry_after_seconds("failing-7") == 60);
  CHECK(limiter.retry_after_seconds("failing-8") == 0);
}

TEST_CASE("clients dropped to make room are forgotten everywhere", "[server][rate-limit]") {
  ManualClock clock;
  FailureRateLimiter limiter(clock, 1, std::chrono::seconds(60), /*max_clients=*/2);
  for (int round = 0; round < 100; ++round) {
    const std::string client = "client-" + std::to_string(round);
    limiter.record_failure(client);
    CHECK(limiter.retry_after_seconds(client) == 60);
    if (round >= 2) CHECK(limiter.retry_after_seconds("client-" + std::to_string(round - 2)) == 0);
  }
}
