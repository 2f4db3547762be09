// A burst of failed verifications from one address, from several threads
// at once: after the limit it answers 429 with Retry-After, whatever the
// token, while another address verifies (and fails) normally.
#include <atomic>
#include <catch2/catch.hpp>
#include <thread>
#include <vector>

#include "tests/security/security_support.h"

using namespace keyledger::testing;

TEST_CASE("a burst of failed verifications is limited for its address only",
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
  // Checking and counting a failure are two steps, so each thread may slip
  // one past the limit at most.
  CHECK(unauthorized >= kLimit);
  CHECK(unauthorized <= kLimit + kThreads);
  CHECK(limited == kThreads * kPerThread - unauthorized);

  // The limited address waits even with a good key; another is unaffected.
  auto from_attacker =
      http_exchange_from(attacker_ip(2), server.port(),
                         http_request_text("GET", "/v1/verify", {{"MC-Api-Key", good}}));
  CHECK(from_attacker.status == 429);
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
