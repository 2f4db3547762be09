// The asynchronous verify client against a real keyledgerd: answers from
// many threads come back matched to their requests, it survives a restart
// of keyledgerd, and it fails cleanly when keyledgerd is gone, silent, or
// the client has too much outstanding.
#include "server/client/async_verify_client.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "tests/support/http_client.h"
#include "tests/support/server_process.h"

using namespace keyledger::testing;
using keyledger::StatusCode;
using keyledger::StatusOr;
using keyledger::client::AsyncVerifyClient;
using keyledger::client::AsyncVerifyOptions;
using keyledger::client::VerifyAnswer;
using keyledger::client::VerifyResult;

namespace {

namespace asio = boost::asio;

// A loopback port nobody listens on right now (bound once, then released),
// so a restarted keyledgerd can take the same verify port again.
unsigned short free_port() {
  asio::io_context io;
  asio::ip::tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
  return acceptor.local_endpoint().port();
}

struct Server {
  unsigned short verify_port = free_port();
  ServerProcess process{{"--verify-listen", "127.0.0.1:" + std::to_string(verify_port)}};
  std::string token, key_id;

  Server() {
    HttpClient admin(process.port());
    REQUIRE(admin.login("admin", kAdminPassword).status == 200);
    auto created = admin.post_json("/v1/keys", {{"name", "async"}});
    REQUIRE(created.status == 201);
    token = created.json()["key"];
    key_id = created.json()["id"];
  }
};

}  // namespace

TEST_CASE("async verifications from many threads are answered each with its own result",
          "[integration][verify-port][async]") {
  Server server;
  AsyncVerifyClient client("127.0.0.1", server.verify_port);
  constexpr int kThreads = 4, kPerThread = 400;
  // Every 97th token is wrong: few enough to stay under the rate limit of
  // failed verifications per client IP.
  auto is_bad = [](int i) { return i % 97 == 96; };
  std::vector<std::vector<std::future<StatusOr<VerifyAnswer>>>> answers(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i)
        answers[t].push_back(client.verify(is_bad(i) ? "kl_wrong" : server.token));
    });
  for (auto& thread : threads) thread.join();
  for (int t = 0; t < kThreads; ++t)
    for (int i = 0; i < kPerThread; ++i) {
      auto answer = answers[t][i].get();
      INFO("thread " << t << " request " << i);
      REQUIRE(answer.is_ok());
      if (is_bad(i)) {
        CHECK(answer->result == VerifyResult::kInvalid);
        CHECK(answer->key_id.empty());
        CHECK(answer->user_id.empty());
        CHECK(answer->privilege.empty());
      } else {
        CHECK(answer->result == VerifyResult::kOk);
        CHECK(answer->key_id == server.key_id);
        CHECK(answer->user_id == "admin");
        CHECK(answer->privilege == "admin");
      }
    }
}

TEST_CASE("the async callback API calls back exactly once per request",
          "[integration][verify-port][async]") {
  Server server;
  AsyncVerifyClient client("127.0.0.1", server.verify_port);
  std::mutex mutex;
  std::condition_variable done;
  int ok = 0, other = 0;
  constexpr int kRequests = 1000;
  for (int i = 0; i < kRequests; ++i)
    client.verify(server.token, "", [&](StatusOr<VerifyAnswer> answer) {
      std::lock_guard lock(mutex);
      (answer.is_ok() && answer->valid() ? ok : other)++;
      done.notify_all();
    });
  std::unique_lock lock(mutex);
  REQUIRE(done.wait_for(lock, std::chrono::seconds(60), [&] { return ok + other == kRequests; }));
  CHECK(ok == kRequests);
  CHECK(other == 0);
}

TEST_CASE("the async client reconnects after keyledgerd restarts",
          "[integration][verify-port][async]") {
  Server server;
  AsyncVerifyClient client("127.0.0.1", server.verify_port);
  REQUIRE(client.verify(server.token).get()->valid());

  REQUIRE(server.process.stop() == 0);
  auto while_down = client.verify(server.token).get();
  REQUIRE_FALSE(while_down.is_ok());
  CHECK(while_down.status().code() == StatusCode::kUnavailable);

  server.process.restart();
  REQUIRE(server.process.verify_port() == server.verify_port);
  auto after = client.verify(server.token).get();
  REQUIRE(after.is_ok());
  CHECK(after->valid());
  CHECK(after->key_id == server.key_id);
}

TEST_CASE("the async client reports an unreachable keyledgerd as unavailable",
          "[integration][verify-port][async]") {
  AsyncVerifyClient client("127.0.0.1", free_port());
  auto answer = client.verify("kl_anything").get();
  REQUIRE_FALSE(answer.is_ok());
  CHECK(answer.status().code() == StatusCode::kUnavailable);
  CHECK(answer.status().reason() == "unreachable");

  AsyncVerifyClient bad_host("not an address", 7070);
  auto refused = bad_host.verify("kl_anything").get();
  REQUIRE_FALSE(refused.is_ok());
  CHECK(refused.status().code() == StatusCode::kInvalidArgument);
}

TEST_CASE("a silent peer, a full queue and closing the client all end pending requests",
          "[integration][verify-port][async]") {
  // A peer that accepts connections and never answers.
  asio::io_context io;
  asio::ip::tcp::acceptor silent(io, {asio::ip::make_address("127.0.0.1"), 0});
  const unsigned short port = silent.local_endpoint().port();

  SECTION("requests time out, after one more try on a fresh connection") {
    AsyncVerifyOptions options;
    options.answer_timeout = std::chrono::milliseconds(200);
    AsyncVerifyClient client("127.0.0.1", port, options);
    auto answer = client.verify("kl_anything").get();
    REQUIRE_FALSE(answer.is_ok());
    CHECK(answer.status().code() == StatusCode::kUnavailable);
    CHECK(answer.status().reason() == "timeout");
  }
  SECTION("beyond max_pending a request is refused at once; closing ends the rest") {
    AsyncVerifyOptions options;
    options.max_pending = 2;
    std::future<StatusOr<VerifyAnswer>> first, second;
    {
      AsyncVerifyClient client("127.0.0.1", port, options);
      first = client.verify("kl_one");
      second = client.verify("kl_two");
      auto third = client.verify("kl_three").get();
      REQUIRE_FALSE(third.is_ok());
      CHECK(third.status().code() == StatusCode::kResourceExhausted);
      CHECK(first.wait_for(std::chrono::milliseconds(0)) == std::future_status::timeout);
    }
    for (auto* pending : {&first, &second}) {
      auto answer = pending->get();
      REQUIRE_FALSE(answer.is_ok());
      CHECK(answer.status().code() == StatusCode::kUnavailable);
      CHECK(answer.status().reason() == "closed");
    }
  }
}
