// The connection caps: in all and per client IP, a slot gives its place
// back when it goes away (or is moved from and then goes away), refusals
// are counted, and a client at its own cap does not block anyone else.
#include "server/http/connection_limiter.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <thread>
#include <vector>

using keyledger::server::ConnectionLimiter;
using keyledger::server::ConnectionSlot;
using keyledger::server::TrustedPeers;
using Refusal = keyledger::server::ConnectionLimiter::Refusal;

TEST_CASE("a client at its own cap is refused while other clients still get slots",
          "[server][connections]") {
  ConnectionLimiter limiter({/*max_total=*/10, /*max_per_client=*/2, {}});
  ConnectionSlot a1 = limiter.try_acquire("10.0.0.1");
  ConnectionSlot a2 = limiter.try_acquire("10.0.0.1");
  REQUIRE(a1);
  REQUIRE(a2);
  Refusal refusal = Refusal::kNone;
  ConnectionSlot a3 = limiter.try_acquire("10.0.0.1", &refusal);
  CHECK_FALSE(a3);
  CHECK(refusal == Refusal::kPerClient);
  ConnectionSlot b1 = limiter.try_acquire("10.0.0.2", &refusal);
  CHECK(b1);
  CHECK(refusal == Refusal::kNone);
  CHECK(limiter.open() == 3);
  CHECK(limiter.open_from("10.0.0.1") == 2);
  CHECK(limiter.refused() == 1);
}

TEST_CASE("an exempt address (a trusted proxy) is held to the total cap only",
          "[server][connections]") {
  ConnectionLimiter limiter({/*max_total=*/4, /*max_per_client=*/1, TrustedPeers({"10.0.0.9"})});
  std::vector<ConnectionSlot> slots;
  for (int i = 0; i < 3; ++i) slots.push_back(limiter.try_acquire("10.0.0.9"));
  for (const auto& slot : slots) CHECK(slot);
  CHECK(limiter.open_from("10.0.0.9") == 3);
  ConnectionSlot other = limiter.try_acquire("10.0.0.1");
  CHECK(other);
  CHECK_FALSE(limiter.try_acquire("10.0.0.1"));  // not exempt
  Refusal refusal = Refusal::kNone;
  CHECK_FALSE(limiter.try_acquire("10.0.0.9", &refusal));
  CHECK(refusal == Refusal::kTotal);
}

TEST_CASE("a trusted proxy configured in its IPv4-mapped form is exempt as its IPv4 address",
          "[server][connections]") {
  // What broke: the exemption compared text, and a dual-stack socket shows
  // an IPv4 proxy as "10.0.0.9", never as the "::ffff:10.0.0.9" configured.
  ConnectionLimiter limiter(
      {/*max_total=*/4, /*max_per_client=*/1, TrustedPeers({"::ffff:10.0.0.9"})});
  ConnectionSlot first = limiter.try_acquire("10.0.0.9");
  ConnectionSlot second = limiter.try_acquire("10.0.0.9");
  CHECK(first);
  CHECK(second);
  ConnectionSlot other = limiter.try_acquire("10.0.0.1");
  CHECK(other);
  CHECK_FALSE(limiter.try_acquire("10.0.0.1"));
}

TEST_CASE("the total cap refuses every client once reached", "[server][connections]") {
  ConnectionLimiter limiter({/*max_total=*/3, /*max_per_client=*/100, {}});
  std::vector<ConnectionSlot> slots;
  for (const char* client : {"a", "b", "c"}) slots.push_back(limiter.try_acquire(client));
  for (const auto& slot : slots) REQUIRE(slot);
  Refusal refusal = Refusal::kNone;
  CHECK_FALSE(limiter.try_acquire("d", &refusal));
  CHECK(refusal == Refusal::kTotal);
  CHECK_FALSE(limiter.try_acquire("a", &refusal));
  CHECK(refusal == Refusal::kTotal);
  CHECK(limiter.refused() == 2);
  slots.pop_back();
  CHECK(limiter.try_acquire("d"));
}

TEST_CASE("a slot gives its place back when destroyed, released or moved over",
          "[server][connections]") {
  ConnectionLimiter limiter({/*max_total=*/2, /*max_per_client=*/1, {}});
  {
    ConnectionSlot slot = limiter.try_acquire("x");
    REQUIRE(slot);
    CHECK_FALSE(limiter.try_acquire("x"));
  }
  CHECK(limiter.open() == 0);
  CHECK(limiter.open_from("x") == 0);

  ConnectionSlot first = limiter.try_acquire("x");
  ConnectionSlot moved = std::move(first);
  CHECK_FALSE(first);  // NOLINT(bugprone-use-after-move): moved-from is empty by contract
  CHECK(moved);
  CHECK(limiter.open() == 1);
  first.release();  // an empty slot releases nothing
  CHECK(limiter.open() == 1);

  // Assigning over a held slot gives the old place back.
  ConnectionSlot other = limiter.try_acquire("y");
  REQUIRE(other);
  moved = std::move(other);
  CHECK(limiter.open() == 1);
  CHECK(limiter.open_from("x") == 0);
  CHECK(limiter.open_from("y") == 1);
  moved.release();
  CHECK(limiter.open() == 0);
  moved.release();  // twice is harmless
  CHECK(limiter.open() == 0);
}

TEST_CASE("slots taken and returned from many threads leave nothing counted",
          "[server][connections]") {
  ConnectionLimiter limiter({/*max_total=*/64, /*max_per_client=*/8, {}});
  std::atomic<bool> over_cap{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&limiter, &over_cap, t] {
      const std::string client = "10.0.0." + std::to_string(t % 3);
      std::vector<ConnectionSlot> held;
      for (int i = 0; i < 2'000; ++i) {
        // Each thread holds up to 4 at once, so the three clients (3 or 2
        // threads each) push against their cap of 8.
        held.push_back(limiter.try_acquire(client));
        if (limiter.open_from(client) > 8 || limiter.open() > 64) over_cap = true;
        if (held.size() == 4) held.clear();
      }
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK_FALSE(over_cap.load());
  CHECK(limiter.open() == 0);
  for (int c = 0; c < 3; ++c) CHECK(limiter.open_from("10.0.0." + std::to_string(c)) == 0);
}
