// Read-your-writes against real keyledgerd processes on loopback: every
// committed write answers its seq (KeyLedger-Seq), a verification may ask
// for that seq or later (KeyLedger-Min-Seq, minSeq), and the verify clients
// given several endpoints move on when a node cannot be reached or cannot
// answer, and never when it gives a verdict.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <catch2/catch.hpp>
#include <cstdint>
#include <string>

#include "server/client/async_verify_client.h"
#include "server/client/verify_client.h"
#include "tests/support/http_client.h"
#include "tests/support/server_process.h"

using namespace keyledger::testing;
using keyledger::StatusCode;
using keyledger::client::AsyncVerifyClient;
using keyledger::client::VerifyClient;
using keyledger::client::VerifyEndpoint;
using keyledger::client::VerifyQuery;
using keyledger::client::VerifyResult;

namespace {

// A loopback port nobody listens on (bound once, then released).
unsigned short dead_port() {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor acceptor(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  return acceptor.local_endpoint().port();
}

std::uint64_t seq_header(const HttpResult& answer) {
  const auto it = answer.headers.find("keyledger-seq");
  REQUIRE(it != answer.headers.end());
  return std::stoull(it->second);
}

// A keyledgerd with its verify port, signed in as admin, with `keys` keys.
struct Node {
  ServerProcess server{{"--verify-listen", "127.0.0.1:0"}};
  HttpClient admin{server.port()};
  std::string token;
  std::uint64_t last_seq = 0;  // the last write's KeyLedger-Seq

  explicit Node(int keys = 1) {
    REQUIRE(admin.login("admin", kAdminPassword).status == 200);
    for (int i = 0; i < keys; ++i) {
      auto created = admin.post_json("/v1/keys", {{"name", "key " + std::to_string(i)}});
      REQUIRE(created.status == 201);
      token = created.json()["key"];
      last_seq = seq_header(created);
    }
  }
  std::uint64_t head() { return admin.get("/readyz").json()["head_seq"].get<std::uint64_t>(); }
  VerifyEndpoint endpoint() const { return {"127.0.0.1", server.verify_port()}; }
};

}  // namespace

TEST_CASE("every committed write answers its seq in KeyLedger-Seq, and a refusal none",
          "[integration][read-your-writes]") {
  Node node;
  CHECK(node.last_seq == node.head());
  auto created = node.admin.post_json("/v1/keys", {{"name", "renamed soon"}});
  REQUIRE(created.status == 201);
  const std::string key_id = created.json()["id"];
  CHECK(seq_header(created) == node.last_seq + 1);
  CHECK(seq_header(created) == node.head());
  auto renamed = node.admin.patch_json("/v1/keys/" + key_id, {{"name", "renamed"}});
  REQUIRE(renamed.status == 200);
  CHECK(seq_header(renamed) == node.head());
  auto deleted = node.admin.del("/v1/keys/" + key_id);
  REQUIRE(deleted.status == 204);
  CHECK(seq_header(deleted) == node.head());
  const std::uint64_t head = node.head();
  auto refused = node.admin.del("/v1/keys/" + key_id);
  CHECK(refused.status == 404);
  CHECK(refused.headers.count("keyledger-seq") == 0);
  auto nothing_to_change = node.admin.patch_json("/v1/users/admin", nlohmann::json::object());
  CHECK(nothing_to_change.headers.count("keyledger-seq") == 0);
  CHECK(node.head() == head);
}

TEST_CASE("a leader verifies for any seq up to its head and refuses one beyond it at once",
          "[integration][read-your-writes]") {
  Node node;
  HttpClient api(node.server.port());
  auto verify = [&](const std::string& min_seq) {
    return api.get("/v1/verify", {{"MC-Api-Key", node.token}, {"KeyLedger-Min-Seq", min_seq}});
  };
  CHECK(verify(std::to_string(node.last_seq)).status == 200);
  CHECK(verify("0").status == 200);
  // Far beyond: a verification's use may itself add an event (KeyUsed).
  const std::string far_beyond = std::to_string(node.head() + 1000);
  const auto beyond = verify(far_beyond);
  CHECK(beyond.status == 503);
  CHECK(beyond.error_code() == "seq_not_reached");
  const auto bad = verify("-1");
  CHECK(bad.status == 400);
  CHECK(bad.error_code() == "invalid_min_seq");

  VerifyClient client("127.0.0.1", node.server.verify_port());
  auto reached = client.verify(node.token, "", node.last_seq);
  REQUIRE(reached.is_ok());
  CHECK(reached->valid());
  // A single endpoint that cannot answer: the answer says so.
  auto unreached = client.verify(node.token, "", node.head() + 1000);
  REQUIRE(unreached.is_ok());
  CHECK(unreached->result == VerifyResult::kUnavailable);
  CHECK_FALSE(unreached->valid());
}

TEST_CASE("a verify client whose first endpoint is dead is answered by the next",
          "[integration][read-your-writes][verify-port]") {
  Node node;
  const VerifyEndpoint dead{"127.0.0.1", dead_port()};
  VerifyClient client({dead, node.endpoint()});
  auto answer = client.verify(node.token, "", node.last_seq);
  REQUIRE(answer.is_ok());
  CHECK(answer->valid());
  CHECK(client.current_endpoint() == node.endpoint());  // and stays there for a while
  std::vector<VerifyQuery> batch(3, VerifyQuery{node.token, "", node.last_seq});
  auto answers = client.verify_many(batch);
  REQUIRE(answers.is_ok());
  for (const auto& each : *answers) CHECK(each.valid());

  AsyncVerifyClient async({dead, node.endpoint()});
  auto async_answer = async.verify(VerifyQuery{node.token, "", node.last_seq}).get();
  REQUIRE(async_answer.is_ok());
  CHECK(async_answer->valid());
}

TEST_CASE("a verify client whose endpoints are all dead says which and why",
          "[integration][read-your-writes][verify-port]") {
  const VerifyEndpoint first{"127.0.0.1", dead_port()}, second{"127.0.0.1", dead_port()};
  VerifyClient client({first, second});
  auto answer = client.verify("kl_anything");
  REQUIRE_FALSE(answer.is_ok());
  CHECK(answer.status().code() == StatusCode::kUnavailable);
  CHECK(answer.status().reason() == "unreachable");
  const std::string& message = answer.status().message();
  CHECK(message.find("127.0.0.1:" + std::to_string(first.port)) != std::string::npos);
  CHECK(message.find("127.0.0.1:" + std::to_string(second.port)) != std::string::npos);

  AsyncVerifyClient async({first, second});
  auto async_answer = async.verify("kl_anything").get();
  REQUIRE_FALSE(async_answer.is_ok());
  CHECK(async_answer.status().code() == StatusCode::kUnavailable);
  CHECK(async_answer.status().message().find(std::to_string(second.port)) != std::string::npos);
}

TEST_CASE("a node behind the min seq sends the clients on, and a verdict is never asked elsewhere",
          "[integration][read-your-writes][verify-port]") {
  Node behind(1);  // its head stays below ahead's
  Node ahead(3);
  REQUIRE(behind.head() < ahead.last_seq);
  // `behind` cannot answer for ahead's last write: `ahead` answers.
  VerifyClient client({behind.endpoint(), ahead.endpoint()});
  auto answer = client.verify(ahead.token, "", ahead.last_seq);
  REQUIRE(answer.is_ok());
  CHECK(answer->valid());
  AsyncVerifyClient async({behind.endpoint(), ahead.endpoint()});
  auto async_answer = async.verify(VerifyQuery{ahead.token, "", ahead.last_seq}).get();
  REQUIRE(async_answer.is_ok());
  CHECK(async_answer->valid());
  // Without a min seq, `behind` answers: its `invalid` is final, though
  // `ahead` would accept the key (as a stale node would accept a deleted one).
  VerifyClient verdict({behind.endpoint(), ahead.endpoint()});
  auto refused = verdict.verify(ahead.token);
  REQUIRE(refused.is_ok());
  CHECK(refused->result == VerifyResult::kInvalid);
  CHECK(verdict.current_endpoint() == behind.endpoint());
  AsyncVerifyClient async_verdict({behind.endpoint(), ahead.endpoint()});
  auto async_refused = async_verdict.verify(ahead.token).get();
  REQUIRE(async_refused.is_ok());
  CHECK(async_refused->result == VerifyResult::kInvalid);
}

TEST_CASE("verify endpoints are read from HOST:PORT lists, IPv6 in brackets",
          "[integration][read-your-writes]") {
  auto parsed = keyledger::client::parse_verify_endpoints("127.0.0.1:7071,[::1]:7070");
  REQUIRE(parsed.is_ok());
  CHECK(*parsed == std::vector<VerifyEndpoint>{{"127.0.0.1", 7071}, {"::1", 7070}});
  for (const char* bad : {"", "127.0.0.1", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:65536",
                          "localhost:7070", "::1:7070", "127.0.0.1:7070,", "127.0.0.1:70x"}) {
    INFO(bad);
    auto refused = keyledger::client::parse_verify_endpoints(bad);
    REQUIRE_FALSE(refused.is_ok());
    CHECK(refused.status().reason() == "bad_address");
  }
}
