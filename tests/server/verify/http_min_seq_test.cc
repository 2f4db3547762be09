// GET /v1/verify with KeyLedger-Min-Seq: a bad value is 400 with the usual
// envelope, a seq applied answers as usual, one beyond the last known seq
// is 503 seq_not_reached at once, and one known but not applied waits on
// the connection's thread (a real HttpServer on loopback, on a manual
// clock: nothing here sleeps or measures time).
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "core/random.h"
#include "server/http/connection_limiter.h"
#include "server/http/http_server.h"
#include "server/http/responses.h"
#include "server/verify/applied_seq.h"
#include "server/verify/credential_verifier.h"
#include "tests/server/captured_log.h"
#include "tests/server/manual_timer_service.h"
#include "tests/support/loopback.h"

using namespace keyledger;
using namespace keyledger::server;
using keyledger::testing::CapturedLog;
using keyledger::testing::http_request_text;
using keyledger::testing::LoopbackConnection;
using keyledger::testing::ManualTimerService;
using keyledger::testing::RawHttpResponse;
using std::chrono::milliseconds;

namespace {

constexpr milliseconds kGuard{20'000};

class OneKeyVerifier final : public KeyVerifier {
 public:
  std::atomic<int> calls{0};
  StatusOr<VerifiedKey> verify(std::string_view token, const std::string&, std::int64_t*) override {
    ++calls;
    if (token == "kl_good") return VerifiedKey{"alice", Privilege::kAuditor, "k1"};
    return invalid_credentials();
  }
};

struct NoObserver final : RequestObserver {
  void observe_request(std::string_view, std::string_view, unsigned,
                       std::chrono::nanoseconds) override {}
};

std::string code_of(const std::string& body) {
  return nlohmann::json::parse(body)["errors"][0]["code"];
}

// The handler alone, outside a connection.
HttpResponse ask(OneKeyVerifier& verifier, AppliedSeq& applied,
                 std::vector<std::pair<std::string, std::string>> fields) {
  auto exchange = std::make_shared<Exchange>();
  for (const auto& [name, value] : fields) exchange->request.insert(name, value);
  return VerifyHandler(verifier, applied).answer(*exchange).into_response(*exchange);
}

// GET /v1/verify on an HttpServer on loopback, served by one thread.
struct Served {
  Served() {
    add_verify_route(router, handler);
    const Status listening = server.listen({boost::asio::ip::make_address("127.0.0.1"), 0});
    if (!listening.is_ok()) throw std::runtime_error(listening.to_string());
    runner = std::thread([this] { io.run(); });
  }
  ~Served() {
    io.stop();
    runner.join();
  }
  LoopbackConnection connect() {
    return LoopbackConnection("127.0.0.1", server.local_endpoint().port());
  }
  static std::string request(const std::string& min_seq) {
    return http_request_text("GET", "/v1/verify",
                             {{"MC-Api-Key", "kl_good"}, {"KeyLedger-Min-Seq", min_seq}});
  }

  OneKeyVerifier verifier;
  AppliedSeq applied{std::chrono::seconds(1), 10};
  VerifyHandler handler{verifier, applied};
  Router router;
  ConnectionLimiter connections{ConnectionLimits{}};
  CapturedLog log;
  TrustedPeers proxies;
  SeededRandom random{7};
  NoObserver observer;
  AccessLog access_log{log.log, false};
  boost::asio::io_context io;
  ManualTimerService timers{{&io}};
  HttpServer server{io,           router,      {proxies, random, observer, access_log},
                    HttpLimits{}, connections, timers,
                    log.log};
  std::thread runner;
};

}  // namespace

TEST_CASE("KeyLedger-Min-Seq is read as one whole number, or refused", "[server][verify_handler]") {
  HttpRequest request;
  CHECK(*requested_min_seq(request) == 0);
  for (const auto& [text, seq] : std::vector<std::pair<std::string, std::uint64_t>>{
           {"0", 0}, {"7", 7}, {"0042", 42}, {"18446744073709551615", 18446744073709551615ull}}) {
    HttpRequest given;
    given.insert("KeyLedger-Min-Seq", text);
    INFO(text);
    REQUIRE(requested_min_seq(given).is_ok());
    CHECK(*requested_min_seq(given) == seq);
  }
  for (const std::string bad : {"", "-1", "+1", "1.5", "1e3", "abc", "12abc", "0x10",
                                "18446744073709551616", "99999999999999999999999", "1 2"}) {
    HttpRequest given;
    given.insert("KeyLedger-Min-Seq", bad);
    INFO(bad);
    const auto parsed = requested_min_seq(given);
    REQUIRE_FALSE(parsed.is_ok());
    CHECK(parsed.status().code() == StatusCode::kInvalidArgument);
    CHECK(parsed.status().is(Reason::kInvalidMinSeq));
  }
  HttpRequest twice;
  twice.insert("KeyLedger-Min-Seq", "1");
  twice.insert("KeyLedger-Min-Seq", "1");
  CHECK(requested_min_seq(twice).status().is(Reason::kInvalidMinSeq));
}

TEST_CASE("a bad KeyLedger-Min-Seq is 400 invalid_min_seq, and verifies nothing",
          "[server][verify_handler]") {
  OneKeyVerifier verifier;
  AppliedSeq applied(std::chrono::seconds(1), 10);
  const HttpResponse answer =
      ask(verifier, applied, {{"MC-Api-Key", "kl_good"}, {"KeyLedger-Min-Seq", "-3"}});
  CHECK(answer.result_int() == 400);
  CHECK(code_of(answer.body()) == "invalid_min_seq");
  CHECK(verifier.calls == 0);
}

TEST_CASE("a minimum seq this node has applied verifies as usual", "[server][verify_handler]") {
  OneKeyVerifier verifier;
  AppliedSeq applied(std::chrono::seconds(1), 10);
  for (const std::string seq : {"0", "1", "10"}) {
    const HttpResponse answer =
        ask(verifier, applied, {{"MC-Api-Key", "kl_good"}, {"KeyLedger-Min-Seq", seq}});
    CHECK(answer.result_int() == 200);
  }
  const HttpResponse bad_key =
      ask(verifier, applied, {{"MC-Api-Key", "kl_bad"}, {"KeyLedger-Min-Seq", "10"}});
  CHECK(bad_key.result_int() == 401);
}

TEST_CASE("a minimum seq beyond the last known is 503 seq_not_reached at once, in either language",
          "[server][verify_handler]") {
  OneKeyVerifier verifier;
  AppliedSeq applied(std::chrono::seconds(1), 10);
  const HttpResponse answer =
      ask(verifier, applied, {{"MC-Api-Key", "kl_good"}, {"KeyLedger-Min-Seq", "11"}});
  CHECK(answer.result_int() == 503);
  CHECK(code_of(answer.body()) == "seq_not_reached");
  CHECK(verifier.calls == 0);
  auto exchange = std::make_shared<Exchange>();
  exchange->language = Language::kSpanish;
  const HttpResponse spanish = status_response(*exchange, seq_not_reached(11, 10));
  CHECK(spanish.result_int() == 503);
  CHECK(nlohmann::json::parse(spanish.body())["errors"][0]["message"].get<std::string>().find(
            "Este nodo") != std::string::npos);
}

TEST_CASE("over HTTP a request for a known seq waits for it, then verifies",
          "[server][verify_handler]") {
  Served s;
  s.applied.learned_last(12);
  LoopbackConnection client = s.connect();
  REQUIRE(client.send(Served::request("12")));
  // Waiting, on no thread of its own: the I/O thread still serves others.
  LoopbackConnection other = s.connect();
  REQUIRE(other.send(Served::request("10")));
  CHECK(other.read_response(kGuard).status == 200);
  CHECK(s.applied.waiting() == 1);
  CHECK(s.verifier.calls == 1);
  s.applied.advanced(12);
  const RawHttpResponse answered = client.read_response(kGuard);
  CHECK(answered.status == 200);
  CHECK(answered.body == R"({"key_id":"k1","privilege":"auditor","user":"alice"})");
  CHECK(s.verifier.calls == 2);
}

TEST_CASE("over HTTP a request whose seq does not come in time is 503 seq_not_reached",
          "[server][verify_handler]") {
  Served s;
  s.applied.learned_last(12);
  LoopbackConnection client = s.connect();
  REQUIRE(client.send(Served::request("12")));
  REQUIRE(s.timers.wait_for_deadline_within(std::chrono::seconds(1)));
  s.timers.advance(std::chrono::seconds(1));
  const RawHttpResponse refused = client.read_response(kGuard);
  CHECK(refused.status == 503);
  CHECK(code_of(refused.body) == "seq_not_reached");
  CHECK(s.verifier.calls == 0);
  CHECK(s.server.in_flight() == 0);
  // Once applied, the same seq verifies.
  s.applied.advanced(12);
  LoopbackConnection again = s.connect();
  REQUIRE(again.send(Served::request("12")));
  CHECK(again.read_response(kGuard).status == 200);
}
