// The binary verify port with the client library: answers match the HTTP
// verify, pipelined batches come back in order, last use is recorded, and
// bad frames close only their own connection.
#include <capnp/message.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "core/stream_framing.h"
#include "core/verify_protocol.capnp.h"
#include "server/client/verify_client.h"
#include "tests/support/http_client.h"
#include "tests/support/server_process.h"

using namespace keyledger::testing;
using keyledger::client::VerifyClient;
using keyledger::client::VerifyQuery;
using keyledger::client::VerifyResult;
using nlohmann::json;

namespace {

std::vector<std::string> with_verify_port(std::vector<std::string> args) {
  args.insert(args.begin(), {"--verify-listen", "127.0.0.1:0"});
  return args;
}

struct Fixture {
  ServerProcess server;
  HttpClient admin{server.port()};
  std::string token, key_id;

  explicit Fixture(std::vector<std::string> extra = {})
      : server(with_verify_port(std::move(extra))) {
    REQUIRE(server.verify_port() != 0);
    REQUIRE(admin.login("admin", kAdminPassword).status == 200);
    auto created = admin.post_json("/v1/keys", {{"name", "binary"}});
    REQUIRE(created.status == 201);
    token = created.json()["key"];
    key_id = created.json()["id"];
  }
};

// Sends raw bytes on a fresh connection; true if the server then closes it
// (EOF or reset) rather than answering or hanging.
bool server_closes_after(unsigned short port, const std::string& bytes) {
  namespace asio = boost::asio;
  asio::io_context io;
  asio::ip::tcp::socket socket(io);
  socket.connect({asio::ip::make_address("127.0.0.1"), port});
  timeval limit{10, 0};
  setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
  boost::system::error_code error;
  asio::write(socket, asio::buffer(bytes), error);
  char byte;
  asio::read(socket, asio::buffer(&byte, 1), error);
  return error == asio::error::eof || error == asio::error::connection_reset;
}

std::string u32(std::uint32_t value) {
  return std::string(reinterpret_cast<const char*>(&value), 4);
}

}  // namespace

TEST_CASE("the verify port answers like the HTTP verify and records last use",
          "[integration][verify-port]") {
  // The test client is a trusted peer here, so it may name its own client's IP.
  Fixture f({"--trusted-proxy", "127.0.0.1"});
  VerifyClient client("127.0.0.1", f.server.verify_port());
  auto ok = client.verify(f.token, "203.0.113.9");
  REQUIRE(ok.is_ok());
  CHECK(ok->result == VerifyResult::kOk);
  CHECK(ok->user_id == "admin");
  CHECK(ok->privilege == "admin");
  CHECK(ok->key_id == f.key_id);

  auto bogus = client.verify("kl_AAAAAAAAAAAA_" + std::string(50, 'x'));
  REQUIRE(bogus.is_ok());
  CHECK(bogus->result == VerifyResult::kInvalid);
  CHECK(bogus->user_id.empty());
  CHECK(bogus->privilege.empty());
  CHECK(bogus->key_id.empty());
  auto bad_ip = client.verify(f.token, "not-an-ip");
  REQUIRE(bad_ip.is_ok());
  CHECK(bad_ip->result == VerifyResult::kBadRequest);

  const json credentials = f.admin.get("/v1/credentials").json();
  CHECK(credentials["keys"][0]["last_used_ip"] == "203.0.113.9");

  REQUIRE(f.admin.del("/v1/keys/" + f.key_id).status == 204);
  auto deleted = client.verify(f.token);
  REQUIRE(deleted.is_ok());
  CHECK(deleted->result == VerifyResult::kInvalid);
}

TEST_CASE("on the verify port a client past the failure limit still gets its valid key verified",
          "[integration][verify-port]") {
  Fixture f({"--max-failed-verifications", "5"});
  VerifyClient client("127.0.0.1", f.server.verify_port());
  const std::string bad = "kl_AAAAAAAAAAAA_" + std::string(50, 'x');
  for (int i = 0; i < 5; ++i) {
    auto failed = client.verify(bad);
    REQUIRE(failed.is_ok());
    CHECK(failed->result == VerifyResult::kInvalid);
    CHECK(failed->retry_after_seconds == 0);
  }
  for (int round = 0; round < 3; ++round) {
    auto ok = client.verify(f.token);
    REQUIRE(ok.is_ok());
    CHECK(ok->result == VerifyResult::kOk);
    CHECK(ok->privilege == "admin");
    auto limited = client.verify(bad);
    REQUIRE(limited.is_ok());
    CHECK(limited->result == VerifyResult::kRateLimited);
    CHECK(limited->retry_after_seconds >= 1);
    CHECK(limited->retry_after_seconds <= 60);
    CHECK(limited->privilege.empty());
    CHECK(limited->user_id.empty());
  }
  // HTTP from the same address shares the limit, and the same rule.
  CHECK(HttpClient(f.server.port()).get("/v1/verify", {{"MC-Api-Key", bad}}).status == 429);
  CHECK(HttpClient(f.server.port()).get("/v1/verify", {{"MC-Api-Key", f.token}}).status == 200);
}

TEST_CASE("an untrusted peer cannot choose the client IP that is recorded",
          "[integration][verify-port]") {
  Fixture f;
  VerifyClient client("127.0.0.1", f.server.verify_port());
  auto ok = client.verify(f.token, "203.0.113.9");
  REQUIRE(ok.is_ok());
  CHECK(ok->result == VerifyResult::kOk);
  const json credentials = f.admin.get("/v1/credentials").json();
  CHECK(credentials["keys"][0]["last_used_ip"] == "127.0.0.1");
}

TEST_CASE("a pipelined batch of verifications comes back complete and in order",
          "[integration][verify-port]") {
  Fixture f;
  VerifyClient client("127.0.0.1", f.server.verify_port());
  std::vector<VerifyQuery> queries;
  // A few bad tokens among good ones (few enough to stay under the failed-
  // verification rate limit, which would otherwise answer rate-limited).
  auto is_bad = [](std::size_t i) { return i % 100 == 99; };
  for (std::size_t i = 0; i < 2000; ++i)
    queries.push_back({is_bad(i) ? "kl_garbage" : f.token, "127.0.0.1"});
  auto answers = client.verify_many(queries);
  REQUIRE(answers.is_ok());
  REQUIRE(answers->size() == queries.size());
  for (std::size_t i = 0; i < answers->size(); ++i) {
    INFO("answer " << i);
    CHECK((*answers)[i].result == (is_bad(i) ? VerifyResult::kInvalid : VerifyResult::kOk));
  }
}

TEST_CASE("bad frames close only their own connection", "[integration][verify-port]") {
  Fixture f;
  const unsigned short port = f.server.verify_port();
  // Too many segments; a segment far larger than the frame limit; words
  // that are no VerifyRequest (a far pointer to nowhere).
  CHECK(server_closes_after(port, u32(1000) + u32(1)));
  CHECK(server_closes_after(port, u32(0) + u32(1u << 30)));
  CHECK(server_closes_after(port, u32(0) + u32(1) + std::string(8, '\xff')));
  // Other clients are served throughout.
  VerifyClient client("127.0.0.1", port);
  auto ok = client.verify(f.token);
  REQUIRE(ok.is_ok());
  CHECK(ok->result == VerifyResult::kOk);
  CHECK(HttpClient(f.server.port()).get("/healthz").status == 200);
}

TEST_CASE("the client reports an unreachable server as unavailable", "[integration][verify-port]") {
  VerifyClient client("127.0.0.1", 1);  // nothing listens on port 1 here
  auto answer = client.verify("kl_anything");
  REQUIRE_FALSE(answer.is_ok());
  CHECK(answer.status().code() == keyledger::StatusCode::kUnavailable);
}

TEST_CASE("a client that never reads its answers does not hold up other clients",
          "[integration][verify-port]") {
  Fixture f;
  namespace asio = boost::asio;
  asio::io_context io;
  asio::ip::tcp::socket greedy(io);
  greedy.connect({asio::ip::make_address("127.0.0.1"), f.server.verify_port()});
  // Pipeline requests and never read: once the socket buffers fill, the
  // server stops reading this connection (its answers cannot be written)
  // and our non-blocking writes stop being taken.
  greedy.non_blocking(true);
  std::string batch;
  capnp::MallocMessageBuilder message;
  auto request = message.initRoot<keyledger::wire::VerifyRequest>();
  request.setId(1);
  request.setToken(f.token);
  const std::string frame = keyledger::frame_message(message);
  for (int i = 0; i < 1000; ++i) batch += frame;
  std::size_t sent = 0;
  int refused_in_a_row = 0;
  for (int attempt = 0; attempt < 20000 && refused_in_a_row < 100; ++attempt) {
    boost::system::error_code error;
    // Continue the stream exactly where the last partial write stopped.
    const std::size_t n = greedy.write_some(
        asio::buffer(batch.data() + sent % batch.size(), batch.size() - sent % batch.size()),
        error);
    sent += n;
    if (error == asio::error::would_block) {
      ++refused_in_a_row;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    } else {
      INFO(f.server.output());
      REQUIRE_FALSE(error);
      refused_in_a_row = 0;
    }
  }
  CHECK(refused_in_a_row == 100);  // the server stopped taking requests it could not answer
  CHECK(sent > 0);

  VerifyClient other("127.0.0.1", f.server.verify_port());
  auto ok = other.verify(f.token);
  REQUIRE(ok.is_ok());
  CHECK(ok->result == VerifyResult::kOk);
  CHECK(HttpClient(f.server.port()).get("/healthz").status == 200);
}

TEST_CASE("/metrics times each verify-port request in a histogram of its own, from 1 µs",
          "[integration][verify-port][metrics]") {
  Fixture f;
  VerifyClient client("127.0.0.1", f.server.verify_port());
  std::vector<VerifyQuery> queries(3, VerifyQuery{f.token, ""});
  REQUIRE(client.verify_many(queries).is_ok());
  HttpClient http(f.server.port());
  REQUIRE(http.get("/v1/verify", {{"MC-Api-Key", f.token}}).status == 200);
  const std::string metrics = "\n" + http.get("/metrics").body;
  auto has = [&](const std::string& line) {
    INFO(line);
    CHECK(metrics.find("\n" + line + "\n") != std::string::npos);
  };
  has("# TYPE keyledger_verify_port_request_duration_seconds histogram");
  has("keyledger_verify_port_request_duration_seconds_count 3");
  has("keyledger_verify_port_request_duration_seconds_bucket{le=\"+Inf\"} 3");
  CHECK(metrics.find("keyledger_verify_port_request_duration_seconds_bucket{le=\"1e-06\"} ") !=
        std::string::npos);
  has("keyledger_verify_port_connections_total 1");
  has("keyledger_http_request_duration_seconds_count{route=\"/v1/verify\"} 1");
  CHECK(metrics.find(
            "keyledger_http_request_duration_seconds_bucket{route=\"/v1/verify\",le=\"1e-06\"} ") !=
        std::string::npos);
  has("keyledger_verifications_total{result=\"ok\"} 4");
  for (const char* name : {"keyledger_build_info{", "process_resident_memory_bytes ",
                           "process_cpu_seconds_total ", "process_open_fds ", "process_max_fds ",
                           "process_start_time_seconds ", "process_virtual_memory_bytes "}) {
    INFO(name);
    CHECK(metrics.find("\n" + std::string(name)) != std::string::npos);
  }
}
