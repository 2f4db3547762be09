// A burst of failed verifications from one address, from several threads
// at once: after the limit every further failure answers 429 with
// Retry-After, while a valid key from that same address still verifies (an
// API server verifies for all its clients, honest or not) and another
// address verifies (and fails) normally.
#include <atomic>
#include <catch2/catch.hpp>
#include <thread>
#include <vector>

#include "tests/security/security_support.h"

using namespace keyledger::testing;

TEST_CASE("a burst of failed verifications is limited for its address only, and never a valid key",
          "[security][abuse][verify-burst]") {
  constexpr int kLimit = 20, kThreads = 4, kPerThread = 50;
  ServerProcess server({"--max-failed-verifications", std::to_string(kLimit)});
  HttpClient admin(server.port());
  REQUIRE(admin.login("admin", kAdminPassword).status == 200);
  auto created = admin.post_json("/v1/keys", {{"name", "good"}});
  REQUIRE(created.status == 201);
  const std::string good = created.json()["key"];
  auto deleted = admin.post_json("/v1/keys", {{"name", "deleted"}});
  REQUIRE(deleted.status == 201);
  const std::string deleted_token = deleted.json()["key"];
  REQUIRE(admin.del("/v1/keys/" + deleted.json()["id"].get<std::string>()).status == 204);
  std::string mistyped = good;
  mistyped.back() = mistyped.back() == 'A' ? 'B' : 'A';
  const std::vector<std::string> bad_tokens = {mistyped, deleted_token, "kl_garbage",
                                               std::string(200, 'z'), good + "x"};

  std::atomic<int> unauthorized{0}, limited{0}, other{0}, retry_after_missing{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const std::string& token = bad_tokens[(t + i) % bad_tokens.size()];
        RawHttpResponse answer =
            http_exchange_from(attacker_ip(2), server.port(),
                               http_request_text("GET", "/v1/verify", {{"MC-Api-Key", token}}));
        if (answer.status == 401) {
          ++unauthorized;
        } else if (answer.status == 429) {
          ++limited;
          if (!answer.headers.count("retry-after")) ++retry_after_missing;
        } else {
          ++other;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(other == 0);
  CHECK(retry_after_missing == 0);
  // A failure is checked against the limit and counted in one step, so
  // exactly the limit's worth of failures answer 401, however many threads.
  CHECK(unauthorized == kLimit);
  CHECK(limited == kThreads * kPerThread - kLimit);

  // The limited address still verifies a valid key, as often as it asks,
  // and its bad ones are still refused.
  for (int i = 0; i < 3; ++i) {
    auto good_from_attacker =
        http_exchange_from(attacker_ip(2), server.port(),
                           http_request_text("GET", "/v1/verify", {{"MC-Api-Key", good}}));
    CHECK(good_from_attacker.status == 200);
    CHECK_FALSE(good_from_attacker.headers.count("retry-after"));
    auto bad_from_attacker =
        http_exchange_from(attacker_ip(2), server.port(),
                           http_request_text("GET", "/v1/verify", {{"MC-Api-Key", mistyped}}));
    CHECK(bad_from_attacker.status == 429);
    CHECK(bad_from_attacker.headers.count("retry-after") == 1);
  }
  // The same holds for a key presented to any other route.
  auto credentials_from_attacker =
      http_exchange_from(attacker_ip(2), server.port(),
                         http_request_text("GET", "/v1/credentials", {{"MC-Api-Key", good}}));
  CHECK(credentials_from_attacker.status == 200);
  // Another address is unaffected.
  auto good_elsewhere =
      http_exchange_from(attacker_ip(3), server.port(),
                         http_request_text("GET", "/v1/verify", {{"MC-Api-Key", good}}));
  CHECK(good_elsewhere.status == 200);
  auto bad_elsewhere =
      http_exchange_from(attacker_ip(3), server.port(),
                         http_request_text("GET", "/v1/verify", {{"MC-Api-Key", mistyped}}));
  CHECK(bad_elsewhere.status == 401);
  require_served_normally(server.port());
}
