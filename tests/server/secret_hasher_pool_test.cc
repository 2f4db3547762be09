// SecretHasherPool: the same keyed hashes as one SecretHasher, from many
// threads at once.
#include "server/secret_hasher_pool.h"

#include <catch2/catch.hpp>
#include <string>
#include <thread>
#include <vector>

using namespace keyledger;
using namespace keyledger::server;

TEST_CASE("the pool hashes as its prototype does, from many threads at once",
          "[server][secret_hasher_pool]") {
  auto prototype = SecretHasher::create(std::string(32, 'p'));
  REQUIRE(prototype.is_ok());
  SecretHasherPool pool(*prototype);

  constexpr int kThreads = 16;  // more than the pool's copies on small machines
  constexpr int kHashes = 500;
  std::vector<std::vector<Hash256>> results(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kHashes; ++i)
        results[t].push_back(pool.hash("key" + std::to_string(i), "secret" + std::to_string(t)));
    });
  for (auto& thread : threads) thread.join();

  for (int t = 0; t < kThreads; ++t)
    for (int i = 0; i < kHashes; ++i)
      REQUIRE(results[t][i] ==
              prototype->hash("key" + std::to_string(i), "secret" + std::to_string(t)));
  // Different inputs, different hashes: the pool does not hand back a
  // stale result from a shared context.
  CHECK(results[0][0] != results[1][0]);
  CHECK(results[0][0] != results[0][1]);
}
