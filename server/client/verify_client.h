// keyledger's verify client: what an API server links to check presented
// keys against keyledgerd's binary verify port (--verify-listen).
//
//   keyledger::client::VerifyClient client("127.0.0.1", 7070);
//   auto answer = client.verify(token, request_client_ip);
//   if (answer.is_ok() && answer->valid()) { /* answer->user_id, ->privilege */ }
//
// verify() sends one request and waits; verify_many() pipelines a batch on
// the one connection (all requests written, then all answers read), which is
// how to reach high rates. Both reconnect once if the connection was lost.
// A client is not thread-safe: use one per thread, or guard it.
//
// Several endpoints (the nearest follower first, then others, the leader
// last): the client talks to one at a time. It moves on to the next, for
// the calls that need it and the ones after, when it cannot connect, when
// the connection is lost again after its one reconnect, and when a node
// answers `unavailable` (it has not applied the minSeq asked for, or cannot
// confirm it is current); only the requests answered so are asked again.
// A call gives up once every endpoint failed it. `invalid`, `rateLimited`
// and `badRequest` are verdicts, never asked elsewhere: a deleted key must
// not be retried until some node that has not yet seen the deletion
// accepts it. Once return_to_first_after has passed since it left the
// first endpoint, the next call starts from the first endpoint again.
//
// Read-your-writes: pass a write's KeyLedger-Seq as `min_seq`, and only a
// node that has applied it answers (a node behind it waits a little, then
// answers `unavailable`, and the client asks the next).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace keyledger::client {

// kUnavailable: the node could not answer it (a minSeq it has not reached,
// or a follower past its --max-staleness): not a verdict on the key; the
// client returns it only when every endpoint answered so.
enum class VerifyResult { kOk, kInvalid, kRateLimited, kBadRequest, kUnavailable };

// One answer. Fields other than `result` are set only for the result they
// name and are empty (0) otherwise: a refused key has no user, privilege
// or key id.
struct VerifyAnswer {
  VerifyResult result = VerifyResult::kInvalid;
  std::string user_id;                    // when ok
  std::string privilege;                  // "user", "auditor" or "admin", when ok
  std::string key_id;                     // when ok
  std::uint32_t retry_after_seconds = 0;  // when rate limited: when this client may fail again
  bool valid() const { return result == VerifyResult::kOk; }
};

struct VerifyQuery {
  std::string token;
  std::string client_ip;      // empty: keyledgerd uses this connection's address
  std::uint64_t min_seq = 0;  // 0: none; else a write's KeyLedger-Seq
};

// A verify port's address: an IP address (no name lookup) and a port.
struct VerifyEndpoint {
  std::string host;
  std::uint16_t port = 0;
  bool operator==(const VerifyEndpoint&) const = default;
};

// "HOST:PORT[,HOST:PORT…]", IPv6 in brackets ("[::1]:7070"): at least one,
// each an IP address and a port from 1 to 65535; kInvalidArgument
// (bad_address) otherwise.
StatusOr<std::vector<VerifyEndpoint>> parse_verify_endpoints(std::string_view text);

struct VerifyClientOptions {
  // After moving away from the first endpoint, how long until a call tries
  // it again (0: every call starts from it).
  std::chrono::milliseconds return_to_first_after{10'000};
};

class VerifyClient {
 public:
  VerifyClient(std::string host, std::uint16_t port);
  // `endpoints` in order of preference; at least one.
  explicit VerifyClient(std::vector<VerifyEndpoint> endpoints, VerifyClientOptions options = {});
  ~VerifyClient();
  VerifyClient(VerifyClient&&) noexcept;
  VerifyClient& operator=(VerifyClient&&) noexcept;

  // kUnavailable (reason unreachable) when no endpoint could be reached,
  // naming each with why; kCorruption (bad_answer) when one answered what
  // keyledgerd never sends.
  StatusOr<VerifyAnswer> verify(const std::string& token, const std::string& client_ip = {},
                                std::uint64_t min_seq = 0);
  // Answers in the order of `queries`.
  StatusOr<std::vector<VerifyAnswer>> verify_many(std::span<const VerifyQuery> queries);

  // The endpoint the next call starts with (for tests and logs).
  const VerifyEndpoint& current_endpoint() const { return endpoints_[current_]; }

 private:
  class Connection;
  // Sends `queries` on the current endpoint's connection, made if there is
  // none (`reused` says whether it was already open).
  StatusOr<std::vector<VerifyAnswer>> exchange(std::span<const VerifyQuery> queries, bool& reused);
  void move_to_next_endpoint();
  void return_to_first_if_due();
  std::string current_name() const;

  std::vector<VerifyEndpoint> endpoints_;
  VerifyClientOptions options_;
  std::size_t current_ = 0;
  std::chrono::steady_clock::time_point left_first_at_{};
  std::uint64_t next_id_ = 1;
  std::unique_ptr<Connection> connection_;
};

}  // namespace keyledger::client
