// Request ids: 16 lower-case hex digits, never repeated within a process,
// and reproducible under a seeded RandomSource.
#include "server/http/request_ids.h"

#include <catch2/catch.hpp>
#include <set>
#include <thread>
#include <vector>

using namespace keyledger;
using namespace keyledger::server;

TEST_CASE("request ids are 16 lower-case hex digits", "[server][request_ids]") {
  SeededRandom random(7);
  RequestIds ids(random);
  for (int i = 0; i < 100; ++i) {
    const std::string id = ids.next();
    REQUIRE(id.size() == 16);
    CHECK(id.find_first_not_of("0123456789abcdef") == std::string::npos);
  }
}

TEST_CASE("request ids never repeat, also when drawn from several threads",
          "[server][request_ids]") {
  SeededRandom random(7);
  RequestIds ids(random);
  std::vector<std::vector<std::string>> drawn(4);
  std::vector<std::thread> threads;
  for (auto& out : drawn)
    threads.emplace_back([&ids, &out] {
      for (int i = 0; i < 20'000; ++i) out.push_back(ids.next());
    });
  for (auto& thread : threads) thread.join();
  std::set<std::string> unique;
  for (const auto& out : drawn) unique.insert(out.begin(), out.end());
  CHECK(unique.size() == 80'000);
}

TEST_CASE("request ids depend on the injected randomness, not only on the count",
          "[server][request_ids]") {
  SeededRandom first_random(1), same_random(1), other_random(2);
  RequestIds first(first_random), same(same_random), other(other_random);
  const std::string a = first.next(), b = first.next();
  CHECK(a != b);
  CHECK(same.next() == a);
  CHECK(other.next() != a);
}
