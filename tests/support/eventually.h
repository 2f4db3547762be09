#pragma once

#include <chrono>
#include <thread>

namespace keyledger::testing {

// True once `condition()` holds, asking again every 20 ms for up to
// `limit`; false if it never did. For effects the server applies behind
// its answer (a lock's event is written after the 423 goes out). The
// limit is a bound on a hang, not a timing claim: a test asserts the
// result, never how long it took.
template <typename Condition>
bool eventually(Condition condition, std::chrono::milliseconds limit = std::chrono::seconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

}  // namespace keyledger::testing
